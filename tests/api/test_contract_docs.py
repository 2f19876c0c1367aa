"""What schemathesis found (issue #16, ``.ci/suites/contract.sh``): every status a route answers
is in its OpenAPI responses, and an undecodable body is a typed 422 naming ``body``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.main import create_app
from promesa.settings import Settings

pytestmark = pytest.mark.db

#: (role, subject, method, path, body, the status it answers): the 404s and 409s that exist
MISSING_OR_CONFLICTING = [
    ("customer", "C-1001", "POST", "/v1/approvals/t-nope", {"approve": True}, 409),
    ("support", "agent-ana", "POST", "/v1/auth/demo-token", {"role": "customer", "subject": "C-1000"}, 404),
    ("ops", "ops-luis", "GET", "/v1/ops/risk?nodes=NOPE", None, 404),
    ("ops", "ops-luis", "GET", "/v1/availability?sku=NOPE", None, 404),
    ("ops", "ops-luis", "POST", "/v1/events/dead-letters/999/replay", None, 404),
    ("support", "agent-ana", "GET", "/v1/handoffs/999", None, 404),
    ("support", "agent-ana", "POST", "/v1/handoffs/999/claim", {"note": "x"}, 404),
    ("support", "agent-ana", "POST", "/v1/handoffs/999/resolve", {"note": "x"}, 404),
    ("support", "agent-ana", "GET", "/v1/privacy/customers/C-9999/export", None, 404),
    ("support", "agent-ana", "POST", "/v1/privacy/erasure-requests", {"customer_id": "C-9999", "reason": "asked"}, 404),
    ("ops", "ops-luis", "POST", "/v1/privacy/erasure-requests/ER-nope/approve", None, 404),
    # found by schemathesis: a token outliving its erased customer was a 500 (a foreign key)
    ("customer", "C-9999", "POST", "/v1/privacy/my-requests", {"kind": "access", "note": "x"}, 404),
]


@pytest.fixture
def real(api_settings: Settings, world: Engine) -> TestClient:
    """The real agent: threads, approvals and exports go through it."""
    with TestClient(create_app(api_settings, engine=world), raise_server_exceptions=False) as client:
        yield client


def documented(client: TestClient, method: str, path: str) -> set[int]:
    template = path.split("?")[0]
    for route, operations in client.app.openapi()["paths"].items():
        parts, given = route.strip("/").split("/"), template.strip("/").split("/")
        if len(parts) == len(given) and all(p == g or p.startswith("{") for p, g in zip(parts, given, strict=True)):
            return {int(code) for code in operations[method.lower()]["responses"]}
    raise AssertionError(f"{path} is not in the OpenAPI document")


@pytest.mark.parametrize(("role", "subject", "method", "path", "body", "status"), MISSING_OR_CONFLICTING)
def test_each_404_and_409_is_documented_on_its_route(
    real: TestClient, token_for, role, subject, method, path, body, status  # noqa: ANN001
) -> None:
    answer = real.request(method, path, json=body, headers=token_for(role, subject))
    assert answer.status_code == status, answer.text
    assert status in documented(real, method, path)
    assert answer.json()["error"]["code"]


def test_another_customers_thread_is_a_documented_404(real: TestClient, token_for) -> None:  # noqa: ANN001
    mine = real.post("/v1/chat", json={"message": "Where is my order?"}, headers=token_for("customer", "C-1000"))
    thread = mine.json()["thread_id"]
    theirs = token_for("customer", "C-1001")
    # approving answers as for a thread that does not exist (409, nothing to approve): no oracle
    for method, path, body, status in (("POST", "/v1/chat", {"message": "hola", "thread_id": thread}, 404),
                                       ("POST", f"/v1/approvals/{thread}", {"approve": True}, 409),
                                       ("GET", f"/v1/threads/{thread}", None, 404)):
        answer = real.request(method, path, json=body, headers=theirs)
        assert answer.status_code == status and status in documented(real, method, path), (path, answer.text)


def test_a_handoff_resolved_cannot_be_claimed_and_says_so_as_documented(client: TestClient, world, token_for) -> None:  # noqa: ANN001
    support = token_for("support", "agent-ana")
    asked = client.post("/v1/privacy/my-requests", json={"kind": "access", "note": "my data"},
                        headers=token_for("customer", "C-1000"))
    assert asked.status_code == 200, asked.text
    handoff = asked.json()["handoff_id"]
    assert client.post(f"/v1/handoffs/{handoff}/resolve", json={"note": "sent"}, headers=support).status_code == 200
    again = client.post(f"/v1/handoffs/{handoff}/claim", json={"note": "mine"}, headers=support)
    assert again.status_code == 409 and 409 in documented(client, "POST", f"/v1/handoffs/{handoff}/claim")


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/v1/events/dead-letters/17157805091144094187520/replay"),  # was a 500: an overflow in the driver
    ("GET", "/v1/handoffs/2147483648"), ("POST", "/v1/handoffs/9223372036854775808/claim"),
])
def test_a_row_id_beyond_the_databases_integers_is_a_422_naming_it(real: TestClient, token_for, method, path) -> None:  # noqa: ANN001
    answer = real.request(method, path, json={"note": "x"} if method == "POST" else None,
                          headers=token_for("ops", "ops-luis"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] in ("letter_id", "handoff_id")


@pytest.mark.parametrize("path", ["/v1/chat", "/v1/auth/verify-order", "/v1/privacy/my-requests"])
def test_an_undecodable_body_is_a_422_naming_the_body(client: TestClient, token_for, path: str) -> None:
    answer = client.post(path, content=b"\xa6\xff\x8d", headers={
        **token_for("customer", "C-1000"), "Content-Type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["error"] == {"code": "invalid_input", "message": "the request body is not valid JSON",
                                      "field": "body"}
