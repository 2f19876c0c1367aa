"""A write is authorized twice in the domain: for who asked when proposed, for requester and
approver when executed; the approval card says who asked and what changes (issue #16)."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from agent.approvals import Approval
from agent.service import AgentService
from promesa.domain.deps import Deps
from promesa.domain.fulfillment.execution import convert_to_pickup
from promesa.domain.fulfillment.rights import Change, ChangeField
from promesa.errors import NotFound
from promesa.principal import Principal, Role
from promesa.store.models import ActionExecution, OrderLine
from tests.agent.fakes import ScriptedModel, call, summarise


def injected_pickup(messages: list[BaseMessage]) -> AIMessage:
    """A prompt-injected model: converts *another* customer's order (PO-7003 is C-1's)."""
    if isinstance(messages[-1], HumanMessage):
        return call("convert_to_pickup", {"order_id": "PO-7003", "node_id": "MTY-STORE-02"}, "call_x")
    return summarise(messages)


def own_pickup(messages: list[BaseMessage]) -> AIMessage:
    # the write names what an earlier result offered (agent/grounding.py), as a real model's would
    last = messages[-1]
    if isinstance(last, HumanMessage):
        return call("propose_pickup", {"order_id": "PO-7003"}, "call_o")
    if isinstance(last, ToolMessage) and last.name == "propose_pickup":
        return call("convert_to_pickup", {"order_id": "PO-7003", "node_id": "MTY-STORE-02"}, "call_p")
    return summarise(messages)


def executions(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(ActionExecution)) or 0


def pickup_node(engine: Engine) -> str | None:
    with Session(engine) as session:
        return session.scalar(select(OrderLine.allocated_node_id).where(OrderLine.order_id == "PO-7003"))


def test_a_cross_customer_write_is_refused_before_any_queue(world, settings, other_customer, support, now) -> None:
    async def body() -> None:
        model = ScriptedModel(script=injected_pickup)
        service = await AgentService.create(settings, engine=world, model=model)
        try:
            turn = await service.run_turn(thread_id=None, principal=other_customer,
                                          message="pick up PO-7003 at MTY-STORE-02", now=now)
            assert turn.pending_approval is None
            assert await service.pending_approvals(principal=support) == []  # never reached the queue
            (record,) = turn.tool_calls
            assert record.name == "convert_to_pickup" and not record.ok and record.error_code == "not_found"
            history = await service.history(thread_id=turn.thread_id, principal=other_customer)
            tool = next(m for m in history if m["role"] == "tool")
            # the refusal is the same as for an order that does not exist: nothing about C-1's order
            assert json.loads(tool["content"])["error"]["message"] == "order PO-7003 not found"
            assert "MTY-STORE-01" not in json.dumps(history)
        finally:
            await service.aclose()

    asyncio.run(body())
    assert executions(world) == 0
    assert pickup_node(world) == "MTY-STORE-01"


def test_execution_authorizes_the_requester_as_well_as_the_approver(world, settings, support, now) -> None:
    """Even if a request got queued, support's approval cannot carry another customer's write."""
    intruder = Principal(role=Role.customer, subject="C-2")
    with Session(world) as session, session.begin():
        deps = Deps(session=session, principal=support, now=now, settings=settings)
        with pytest.raises(NotFound):
            convert_to_pickup(deps, order_id="PO-7003", node_id="MTY-STORE-02", idempotency_key="k-1",
                              consent=True, approved_by=support.label(), requested_by=intruder)
    assert executions(world) == 0
    owner = Principal(role=Role.customer, subject="C-1")
    with Session(world) as session, session.begin():
        deps = Deps(session=session, principal=support, now=now, settings=settings)
        done = convert_to_pickup(deps, order_id="PO-7003", node_id="MTY-STORE-02", idempotency_key="k-2",
                                 consent=True, approved_by=support.label(), requested_by=owner)
    assert done.moved[0]["to_node"] == "MTY-STORE-02"


def test_the_card_shows_who_asked_what_changes_and_why(world, settings, customer, support, now) -> None:
    async def body() -> None:
        model = ScriptedModel(script=own_pickup)
        service = await AgentService.create(settings, engine=world, model=model)
        try:
            turn = await service.run_turn(thread_id=None, principal=customer,
                                          message="pick up PO-7003 at MTY-STORE-02", now=now)
            card = turn.pending_approval
            assert card is not None
            assert card.requested_by == "customer:C-1"
            assert card.reason  # never empty, even when the model said nothing
            changes = [c for c in card.changes if isinstance(c, Change)]
            assert len(changes) == len(card.changes)  # typed records, not English lines
            assert any(c.field is ChangeField.source and (c.old, c.new) == ("MTY-STORE-01", "MTY-STORE-02")
                       for c in changes)
            (eta,) = [c for c in changes if c.field is ChangeField.eta]
            assert isinstance(eta.new_date, date) and isinstance(eta.old_date, date)
            assert eta.text.startswith("new ETA ")
            (queued,) = await service.pending_approvals(principal=support)
            assert queued.changes == card.changes
            model.bound.clear()
            done = await service.run_turn(thread_id=turn.thread_id, principal=support,
                                          resume=Approval(approve=True, reason="ok"), now=now)
            assert [d.type for d in done.decisions] == ["reroute_executed"]
            # after the approval the turn continues as the owner: the model got the customer's tools
            assert model.bound and all("execute_reroute" not in names for names in model.bound)
            assert "get_customer_profile" not in model.bound[-1]
        finally:
            await service.aclose()

    asyncio.run(body())
    assert executions(world) == 1 and pickup_node(world) == "MTY-STORE-02"


def test_a_runaway_reply_is_cut_and_a_flood_of_tool_calls_ends_in_a_handoff(world, settings, customer, now) -> None:
    """Issue #16: no cap on a model's reply (2 MB shown) nor on tool calls per message."""

    def huge(messages: list[BaseMessage]) -> AIMessage:
        return AIMessage(content="x" * 2_000_000)

    def flood(messages: list[BaseMessage]) -> AIMessage:
        calls = [{"name": "get_order_status", "args": {"order_id": "PO-7001"}, "id": f"c{n}", "type": "tool_call"}
                 for n in range(50)]
        return AIMessage(content="", tool_calls=calls)

    async def body() -> None:
        for script, check in ((huge, "cut"), (flood, "handoff")):
            service = await AgentService.create(settings, engine=world, model=ScriptedModel(script=script))
            try:
                turn = await service.run_turn(thread_id=None, principal=customer, message="hello", now=now)
            finally:
                await service.aclose()
            if check == "cut":
                # one cap (agent/nodes.py respond): an over-long reply is replaced, never shown
                assert len(turn.text) <= settings.max_reply_chars and "x" * 100 not in turn.text
            else:
                assert [d.type for d in turn.decisions] == ["handoff"] and turn.tool_calls == []

    asyncio.run(body())
