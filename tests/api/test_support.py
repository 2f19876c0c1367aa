"""Handoff queue and audit trail: staff only, newest audit first, filtered by entity."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from promesa.domain import audit
from promesa.domain.deps import Deps
from promesa.principal import Principal, Role
from promesa.store.models import Handoff


def _seed(engine, now: datetime) -> None:  # noqa: ANN001
    with Session(engine) as session, session.begin():
        deps = Deps(session=session, principal=Principal(role=Role.support, subject="agent-ana"), now=now)
        audit.record(deps, "order_viewed", "order", "PO-5000")
        later = Deps(session=session, principal=deps.principal, now=now + timedelta(minutes=1))
        audit.record(later, "reroute_executed", "order", "PO-5001", {"to": "MTY-STORE-02"})
        session.add(Handoff(created_at=now, thread_id="t-1", customer_id="C-1000",
                            reason="wants a person", summary="Asked twice for a human."))


def test_staff_see_handoffs_and_audit(client: TestClient, world, token_for, now) -> None:  # noqa: ANN001
    _seed(world, now)
    support = token_for("support", "agent-ana")
    queue = client.get("/v1/handoffs", headers=support)
    assert queue.status_code == 200
    assert [(h["thread_id"], h["status"]) for h in queue.json()] == [("t-1", "open")]
    trail = client.get("/v1/audit", headers=token_for("ops", "ops-luis")).json()
    assert [e["entity_id"] for e in trail][:2] == ["PO-5001", "PO-5000"]
    one = client.get("/v1/audit?entity_id=PO-5001", headers=support).json()
    assert [e["action"] for e in one] == ["reroute_executed"] and one[0]["details"] == {"to": "MTY-STORE-02"}


def test_customers_and_visitors_are_refused(client: TestClient, token_for) -> None:  # noqa: ANN001
    for headers in (token_for("customer", "C-1000"), token_for("anonymous", order_scope="PO-5000")):
        for path in ("/v1/handoffs", "/v1/audit"):
            response = client.get(path, headers=headers)
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "forbidden"


def test_bad_query_values_name_the_field(client: TestClient, token_for) -> None:  # noqa: ANN001
    support = token_for("support", "agent-ana")
    assert client.get("/v1/handoffs?status=lost", headers=support).json()["error"]["field"] == "status"
    assert client.get("/v1/audit?limit=9999", headers=support).json()["error"]["field"] == "limit"
