"""Chat, threads and approvals through the real AgentService (offline model, test world)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.main import create_app
from promesa.settings import Settings
from tests.api.test_chat import parse_sse


@pytest.fixture
def live(api_settings: Settings, world: Engine) -> Iterator[TestClient]:
    """The app with the agent its lifespan creates (checkpoints under the test data_dir)."""
    with TestClient(create_app(api_settings, engine=world)) as test_client:
        yield test_client


def test_status_question_returns_order_status_decision(live: TestClient, token_for) -> None:  # noqa: ANN001
    ana = token_for("customer", "C-1000")
    response = live.post("/v1/chat", json={"message": "Where is my order PO-5000?"}, headers=ana)
    assert response.status_code == 200, response.text
    body = response.json()
    statuses = [d for d in body["decisions"] if d["type"] == "order_status"]
    assert statuses and statuses[0]["order_id"] == "PO-5000"
    assert body["text"] and body["thread_id"]

    history = live.get(f"/v1/threads/{body['thread_id']}", headers=ana)
    assert history.status_code == 200 and history.json()["messages"][0]["role"] == "user"
    stranger = live.get(f"/v1/threads/{body['thread_id']}", headers=token_for("customer", "C-1001"))
    assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "not_found"
    hijack = live.post("/v1/chat", json={"message": "hi", "thread_id": body["thread_id"]},
                       headers=token_for("customer", "C-1001"))
    assert hijack.status_code == 404


def test_streamed_turn_ends_with_done_carrying_the_result(live: TestClient, token_for) -> None:  # noqa: ANN001
    response = live.post(
        "/v1/chat", json={"message": "¿Dónde está mi pedido PO-5001?"},
        headers={**token_for("customer", "C-1001"), "Accept": "text/event-stream"},
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    names = [name for name, _ in events]
    assert names[-1] == "done" and names.count("done") == 1
    assert "tool_call" in names and "decision" in names
    done = events[-1][1]
    assert any(d["type"] == "order_status" and d["order_id"] == "PO-5001" for d in done["decisions"])
    decision_events = [data for name, data in events if name == "decision"]
    assert decision_events == done["decisions"]


def test_approvals_endpoints(live: TestClient, token_for) -> None:  # noqa: ANN001
    support = token_for("support", "agent-ana")
    assert live.get("/v1/approvals", headers=support).json() == []
    nothing = live.post("/v1/approvals/t-unknown", json={"approve": True}, headers=support)
    assert nothing.status_code in (404, 409) and "error" in nothing.json()


@pytest.fixture
def demo(api_settings: Settings, engine: Engine, now) -> Iterator[TestClient]:  # noqa: ANN001
    """The app over a small demo world (its stories included) and the real agent."""
    from promesa.world.demo import build_demo_world

    build_demo_world(engine, now=now, orders=150)
    with TestClient(create_app(api_settings, engine=engine)) as test_client:
        yield test_client


def test_reroute_waits_for_approval_then_executes_once(demo: TestClient, token_for) -> None:  # noqa: ANN001
    support, other = token_for("support", "agent-ana"), token_for("ops", "ops-luis")
    proposal = demo.post("/v1/chat", json={"message": "Propose a reroute for PO-5002"}, headers=support).json()
    thread = proposal["thread_id"]
    assert any(d["type"] == "reroute_proposal" for d in proposal["decisions"])
    asked = demo.post("/v1/chat", json={"message": "yes", "thread_id": thread}, headers=support).json()
    pending = asked["pending_approval"]
    assert pending["tool"] == "execute_reroute" and pending["thread_id"] == thread

    refused = demo.post(f"/v1/approvals/{thread}", json={"approve": True},
                        headers=token_for("customer", "C-1002"))
    assert refused.status_code in (403, 404)

    done = demo.post(f"/v1/approvals/{thread}", json={"approve": True, "reason": "ok"}, headers=other)
    assert done.status_code == 200, done.text
    executed = [d for d in done.json()["decisions"] if d["type"] == "reroute_executed"]
    assert executed and executed[0]["approved_by"] == "ops:ops-luis"
    again = demo.post(f"/v1/approvals/{thread}", json={"approve": True}, headers=other)
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    trail = demo.get("/v1/audit", params={"entity_id": "PO-5002"}, headers=support).json()
    assert trail, "the executed reroute is audited"


def test_pending_approvals_are_listed_for_approvers_only(demo: TestClient, token_for) -> None:  # noqa: ANN001
    support = token_for("support", "agent-ana")
    thread = demo.post("/v1/chat", json={"message": "Propose a reroute for PO-5002"}, headers=support).json()["thread_id"]
    demo.post("/v1/chat", json={"message": "yes", "thread_id": thread}, headers=support)
    listed = demo.get("/v1/approvals", headers=token_for("ops", "ops-luis")).json()
    assert [p["thread_id"] for p in listed] == [thread]
    assert demo.get("/v1/approvals", headers=token_for("customer", "C-1002")).json() == []
