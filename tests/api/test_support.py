"""Handoff queue and audit trail: staff only, newest audit first, filtered by entity."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from promesa.domain import audit
from promesa.domain.deps import Deps
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.models import Handoff


def _seed(engine, now: datetime) -> None:  # noqa: ANN001
    with Session(engine) as session, session.begin():
        deps = Deps(session=session, principal=Principal(role=Role.support, subject="agent-ana"), now=now,
                    settings=Settings(_env_file=None))
        audit.record(deps, "order_viewed", "order", "PO-5000")
        later = Deps(session=session, principal=deps.principal, now=now + timedelta(minutes=1),
                     settings=deps.settings)
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


def test_a_reply_goes_to_the_conversation_and_to_its_owner_live(client: TestClient, world, token_for, now, agent) -> None:  # noqa: ANN001
    """POST /v1/handoffs/{id}/reply: authorized in the domain, written to the thread, pushed."""
    from api.routes.live import visible

    _seed(world, now)
    with Session(world) as session:
        handoff_id = session.query(Handoff.id).filter_by(thread_id="t-1").scalar()
    written: list[dict] = []

    async def add_staff_reply(*, thread_id, text, message_id):  # noqa: ANN001, ANN202
        written.append({"thread_id": thread_id, "text": text, "id": message_id})
        return {"role": "staff", "content": text, "id": message_id}

    agent.add_staff_reply = add_staff_reply
    published: list[dict] = []
    client.app.state.runtime.change_feed.publish = published.extend
    support = token_for("support", "agent-ana")
    path = f"/v1/handoffs/{handoff_id}/reply"
    body = {"text": "Hola, ya lo reviso.", "reply_id": "r-12345678"}

    assert client.post(path, json=body, headers=token_for("customer", "C-1000")).status_code == 403
    empty = client.post(path, json={**body, "text": "   "}, headers=support)
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "text"
    assert written == [] and published == []

    sent = client.post(path, json=body, headers=support)
    assert sent.status_code == 200, sent.text
    assert sent.json()["handoff"]["status"] == "claimed"
    assert written == [{"thread_id": "t-1", "text": "Hola, ya lo reviso.", "id": "staff-r-12345678"}]
    kinds = {c["kind"]: c for c in published}
    assert kinds["handoff"]["status"] == "claimed"
    reply = kinds["reply"]
    assert (reply["thread_id"], reply["customer_id"], reply["text"]) == ("t-1", "C-1000", "Hola, ya lo reviso.")
    # who sees the pushed reply: its customer and staff; not another customer, not a visitor
    assert visible(Principal(role=Role.customer, subject="C-1000"), reply)
    assert visible(Principal(role=Role.support, subject="agent-ana"), reply)
    assert not visible(Principal(role=Role.customer, subject="C-1001"), reply)
    assert not visible(Principal(role=Role.anonymous, order_scope="PO-5000"), reply)
    assert not visible(Principal(role=Role.customer, subject="C-1000"), kinds["handoff"])

    client.post(f"/v1/handoffs/{handoff_id}/resolve", json={}, headers=support)
    closed = client.post(path, json=body, headers=support)
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "conflict"
