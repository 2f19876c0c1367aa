"""Visitor verification cannot be walked (issue #16): X-Forwarded-For is believed only from
configured proxies, each order locks after N failures, and a visitor sees nothing internal."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.main import create_app
from api.modes import serve_options
from promesa.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(api_settings: Settings, world, agent) -> Iterator[str]:  # noqa: ANN001
    """The app behind uvicorn with the options `promesa serve` uses, on a free loopback port."""
    port = _free_port()
    config = uvicorn.Config(create_app(api_settings, engine=world, agent=agent), host="127.0.0.1",
                            port=port, log_level="warning", **serve_options())  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_spoofed_forwarded_for_does_not_reset_the_address_limit(served: str, api_settings: Settings) -> None:
    limit = api_settings.verify_attempts_per_minute
    codes = []
    with httpx.Client(base_url=served) as http:
        for n in range(limit + 3):
            response = http.post(
                "/v1/auth/verify-order",
                json={"order_id": f"PO-{5000 + n % 2}", "email": f"guess{n}@example.com"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},  # a new "client" every time
            )
            codes.append(response.status_code)
    assert codes[:limit] == [401] * limit
    assert set(codes[limit:]) == {429}


def test_forwarded_for_is_believed_from_a_configured_proxy(api_settings: Settings, world, agent) -> None:  # noqa: ANN001
    settings = api_settings.model_copy(update={"trusted_proxies": ["testclient"]})
    with TestClient(create_app(settings, engine=world, agent=agent), raise_server_exceptions=False) as client:
        codes = [
            client.post("/v1/auth/verify-order", json={"order_id": f"PO-{5000 + n % 2}", "email": "x@example.com"},
                        headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
            for n in range(api_settings.verify_attempts_per_minute + 2)
        ]
    # behind a proxy each real client has its own budget (the per-order lockout still applies)
    assert 429 not in codes[: 2 * api_settings.verify_failures_per_order - 2]


def test_trust_all_proxies_is_refused() -> None:
    with pytest.raises(ValueError, match="trusted"):
        Settings(_env_file=None, trusted_proxies=["*"])  # type: ignore[call-arg]


def test_an_order_locks_after_repeated_failures_from_any_address(api_settings: Settings, world, agent) -> None:  # noqa: ANN001
    settings = api_settings.model_copy(update={
        "trusted_proxies": ["testclient"], "verify_attempts_per_minute": 100, "verify_failures_per_order": 3,
    })
    with TestClient(create_app(settings, engine=world, agent=agent), raise_server_exceptions=False) as client:
        def attempt(n: int, **details: str) -> httpx.Response:
            return client.post("/v1/auth/verify-order", json={"order_id": "po 5000", **details},
                               headers={"X-Forwarded-For": f"198.51.100.{n}"})

        assert [attempt(n, email=f"guess{n}@example.com").status_code for n in range(3)] == [401] * 3
        locked = attempt(9, email="ana.torres@example.com")  # even the right details, from a new address
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 60
        # another order is not affected, and an unknown order locks just the same (reveals nothing)
        other = client.post("/v1/auth/verify-order", json={"order_id": "PO-5001", "email": "carlos@example.com"})
        assert other.status_code == 200
        unknown = [client.post("/v1/auth/verify-order", json={"order_id": "PO-9999", "email": "a@b.mx"}).status_code
                   for _ in range(4)]
        assert unknown == [401, 401, 401, 429]


def test_a_visitor_view_has_no_customer_id_nor_node_codes(client: TestClient, world, token_for) -> None:  # noqa: ANN001
    token = client.post("/v1/auth/verify-order", json={"order_id": "PO-5000", "email": "ana.torres@example.com"})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    view = client.get("/v1/orders/PO-5000", headers=headers)
    assert view.status_code == 200
    body = view.json()
    assert body["customer_id"] is None and body["node_id"] is None
    assert all(line["allocated_node_id"] is None for line in body["lines"])
    assert "C-1000" not in view.text
    staff = client.get("/v1/orders/PO-5000", headers=token_for("support", "agent-ana")).json()
    assert staff["customer_id"] == "C-1000"
    for code in {staff["node_id"], staff["pickup_node_id"], *(ln["allocated_node_id"] for ln in staff["lines"])} - {None}:
        assert code not in view.text
