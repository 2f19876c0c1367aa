"""WRITE tools pause for approval; approved writes run exactly once, even across a restart."""

from __future__ import annotations

import asyncio
import json

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from agent.approvals import Approval
from promesa.errors import Conflict, Forbidden
from promesa.principal import Principal, Role
from promesa.store.models import ActionExecution, AuditEntry, OrderLine
from tests.agent.fakes import call, scripted_service, summarise, tool_results


def reroute_script(messages: list[BaseMessage]) -> AIMessage:
    """Propose a reroute, then ask to execute the recommended option; summarise the outcome."""
    if isinstance(messages[-1], HumanMessage):
        return call("propose_reroute", {"order_id": "PO-7003"})
    results = tool_results(messages)
    last = messages[-1]
    if len(results) == 1 and last.name == "propose_reroute":  # type: ignore[attr-defined]
        option = results[0]["result"]["recommended_option_id"]
        return call("execute_reroute", {"order_id": "PO-7003", "option_id": option}, "call_2",
                    text="I recommend moving it to MTY-STORE-02.")
    return summarise(messages)


def pickup_script(messages: list[BaseMessage]) -> AIMessage:
    if isinstance(messages[-1], HumanMessage):
        if "yes" in messages[-1].text:
            return call("convert_to_pickup", {"order_id": "PO-7003", "node_id": "MTY-STORE-02"}, "call_9")
        return call("propose_pickup", {"order_id": "PO-7003"})
    return summarise(messages)


def executions(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(ActionExecution)) or 0


def audit_trail(engine: Engine, order_id: str) -> list[tuple[str, str, dict]]:
    with Session(engine) as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.actor_subject, AuditEntry.details)
            .where(AuditEntry.entity_id == order_id).order_by(AuditEntry.id)
        ).all()
    return [tuple(r) for r in rows]


def line_node(engine: Engine, order_id: str) -> str | None:
    with Session(engine) as session:
        return session.scalar(select(OrderLine.allocated_node_id).where(OrderLine.order_id == order_id))


@pytest.fixture
def support2() -> Principal:
    return Principal(role=Role.support, subject="agent-beto")


def test_approval_executes_once_after_a_restart(world, settings, support, support2, customer, now) -> None:
    async def body() -> str:
        async with scripted_service(world, settings, reroute_script) as service:
            first = await service.run_turn(thread_id=None, principal=support, message="Reroute PO-7003", now=now)
            pending = first.pending_approval
            assert pending is not None and pending.tool == "execute_reroute"
            assert pending.args["option_id"].startswith("ship_from_node:MTY-STORE-02")
            assert "MTY-STORE-02" in pending.reason  # why: the proposal's reason
            assert [d.type for d in first.decisions] == ["reroute_proposal"]
            assert first.decisions[0].recommended_node == "MTY-STORE-02"  # type: ignore[union-attr]
            assert executions(world) == 0  # nothing happens before a human says yes
        # The process restarts: a new service on the same checkpoint file.
        async with scripted_service(world, settings, reroute_script) as service:
            assert [p.thread_id for p in await service.pending_approvals(principal=support2)] == [first.thread_id]
            assert await service.pending_approvals(principal=customer) == []
            with pytest.raises(Forbidden):
                await service.run_turn(thread_id=first.thread_id, principal=customer,
                                       resume=Approval(approve=True), now=now)
            done = await service.run_turn(thread_id=first.thread_id, principal=support2,
                                          resume=Approval(approve=True, reason="ok"), now=now)
            (executed,) = done.decisions
            assert executed.type == "reroute_executed"
            assert executed.to_node == "MTY-STORE-02"  # type: ignore[union-attr]
            assert executed.idempotency_key == pending.idempotency_key  # type: ignore[union-attr]
            assert executed.approved_by == "support:agent-beto"  # type: ignore[union-attr]
            assert done.pending_approval is None
            with pytest.raises(Conflict):
                await service.run_turn(thread_id=first.thread_id, principal=support2,
                                       resume=Approval(approve=True), now=now)
        return first.thread_id

    asyncio.run(body())
    assert executions(world) == 1
    assert line_node(world, "PO-7003") == "MTY-STORE-02"
    ((action, actor, details),) = audit_trail(world, "PO-7003")
    assert (action, actor) == ("execute_reroute", "agent-beto")
    assert details["approved_by"] == "support:agent-beto" and details["note"] == "ok"


def test_rejection_leaves_a_tool_message_and_no_execution(world, settings, support, now) -> None:
    async def body() -> None:
        async with scripted_service(world, settings, reroute_script) as service:
            first = await service.run_turn(thread_id=None, principal=support, message="Reroute PO-7003", now=now)
            with pytest.raises(Conflict):  # a new message while an approval waits
                await service.run_turn(thread_id=first.thread_id, principal=support, message="hello?", now=now)
            done = await service.run_turn(thread_id=first.thread_id, principal=support,
                                          resume=Approval(approve=False, reason="customer prefers to wait"), now=now)
            assert [(d.type, d.code) for d in done.decisions] == [("refusal", "rejected")]  # type: ignore[union-attr]
            history = await service.history(thread_id=first.thread_id, principal=support)
            tool = [m for m in history if m["role"] == "tool" and m["name"] == "execute_reroute"]
            assert len(tool) == 1
            assert json.loads(tool[0]["content"])["error"]["code"] == "rejected"
            assert "customer prefers to wait" in tool[0]["content"]

    asyncio.run(body())
    assert executions(world) == 0
    assert line_node(world, "PO-7003") == "MTY-STORE-01"
    ((action, actor, details),) = audit_trail(world, "PO-7003")  # who declined, and why
    assert action.endswith("_rejected") and actor == "agent-ana"
    assert details == {"rejected_by": "support:agent-ana", "note": "customer prefers to wait"}


def test_customer_approves_their_own_pickup_conversion(world, settings, customer, other_customer, now) -> None:
    async def body() -> None:
        async with scripted_service(world, settings, pickup_script) as service:
            first = await service.run_turn(thread_id=None, principal=customer, message="Can I pick up PO-7003?", now=now)
            assert first.decisions[0].type == "reroute_proposal"
            assert first.decisions[0].kind == "pickup"  # type: ignore[union-attr]
            second = await service.run_turn(thread_id=first.thread_id, principal=customer, message="yes please", now=now)
            assert second.pending_approval is not None and second.pending_approval.tool == "convert_to_pickup"
            assert await service.pending_approvals(principal=other_customer) == []
            done = await service.run_turn(thread_id=first.thread_id, principal=customer,
                                          resume=Approval(approve=True), now=now)
            assert [d.type for d in done.decisions] == ["reroute_executed"]
            assert done.decisions[0].to_node == "MTY-STORE-02"  # type: ignore[union-attr]

    asyncio.run(body())
    assert executions(world) == 1
