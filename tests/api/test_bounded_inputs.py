"""Inputs bounded at the edge (issue #16): every one of these was a 500, a runaway scan or an
accepted nonsense range; each is now a 422 naming the field. NUL bytes never reach the database
(run with PROMESA_TEST_DATABASE_URL for PostgreSQL, which refuses NUL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.main import create_app
from promesa.settings import Settings
from promesa.store.models import Handoff


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "9999-12-25", "days": 1}, "start"),    # simulated every day until then
    ({"start": "2027-06-01"}, "start"),              # beyond the 90-day horizon
    ({"start": "0001-01-01"}, "start"),
    ({"days": 32}, "days"),
    ({"offset": 9223372036854775807}, "offset"),
    ({"offset": 100_001}, "offset"),
    ({"limit": 0}, "limit"),
])
def test_risk_window_and_pages_are_bounded(client: TestClient, world, token_for, params, field) -> None:  # noqa: ANN001
    response = client.get("/v1/ops/risk", params=params, headers=token_for("ops", "ops-luis"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_risk_inside_the_horizon_still_answers(client: TestClient, world, token_for) -> None:  # noqa: ANN001
    ok = client.get("/v1/ops/risk", params={"start": "2026-12-01", "days": 31, "offset": 100_000},
                    headers=token_for("ops", "ops-luis"))
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize(("spec", "field"), [
    ({"metric": "orders", "start": "9999-01-01", "end": "9999-12-31"}, "start"),
    ({"metric": "orders", "start": "2026-01-01", "end": "9999-12-31"}, "end"),
    ({"metric": "orders", "start": "0001-01-01", "end": "0001-12-31"}, "start"),
    ({"metric": "orders", "end": "2026-01-01"}, "end"),          # before the defaulted start
    ({"metric": "at_risk_orders", "end": "2026-11-01"}, "end"),  # live metric: start defaults to today
    ({"metric": "orders", "start": "2026-11-10", "end": "2026-11-01"}, "start"),
    ({"metric": "orders", "filters": {"carrier": ["DHL\u0000"]}}, "filters"),
])
def test_analytics_ranges_are_sane(client: TestClient, world, token_for, spec, field) -> None:  # noqa: ANN001
    response = client.post("/v1/ops/analytics", json=spec, headers=token_for("ops", "ops-luis"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/v1/audit", {"entity_id": "PO-5000\u0000"}, "entity_id"),
    ("/v1/customers/search", {"q": "ana\u0000"}, "q"),
    ("/v1/ops/risk", {"nodes": "DC-GDL-01\u0001"}, "nodes"),
    ("/v1/orders/PO-5000%00", {}, "order_id"),
])
def test_control_characters_in_queries_and_paths_are_422(client: TestClient, world, token_for, path, params, field) -> None:  # noqa: ANN001
    response = client.get(path, params=params, headers=token_for("ops", "ops-luis"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


@pytest.fixture
def live(api_settings: Settings, world: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings, engine=world), raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_nul_byte_in_a_chat_message_is_stripped_and_the_handoff_kept(live: TestClient, world: Engine, token_for) -> None:  # noqa: ANN001
    ana = token_for("customer", "C-1000")
    status = live.post("/v1/chat", json={"message": "Where is my order PO-5000?\u0000\u0007"}, headers=ana)
    assert status.status_code == 200, status.text
    human = live.post("/v1/chat", json={"message": "I want to talk to a person\u0000 now"}, headers=ana)
    assert human.status_code == 200, human.text
    assert any(d["type"] == "handoff" for d in human.json()["decisions"])
    with Session(world) as session:
        handoffs = session.scalars(select(Handoff)).all()
    assert handoffs, "the handoff was stored"
    assert all("\x00" not in (h.summary or "") for h in handoffs)
    history = live.get(f"/v1/threads/{human.json()['thread_id']}", headers=ana).json()
    assert "\x00" not in str(history) and "person now" in history["messages"][0]["content"]


def test_a_nul_byte_in_an_approval_reason_or_a_verification_is_harmless(client: TestClient, world) -> None:  # noqa: ANN001
    response = client.post("/v1/auth/verify-order",
                           json={"order_id": "PO-5000\u0000", "email": "ana.torres@example.com\u0000"})
    assert response.status_code == 200, response.text
    only_controls = client.post("/v1/chat", json={"message": "\u0000\u0000"},
                                headers={"Authorization": f"Bearer {response.json()['access_token']}"})
    assert only_controls.status_code == 422
