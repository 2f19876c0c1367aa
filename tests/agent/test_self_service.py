"""Self-service writes through the whole graph with a scripted model: propose -> interrupt ->
the customer confirms (or support approves) -> runs once -> typed decision; rejections,
replays and other customers' orders change nothing."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from agent.approvals import Approval
from promesa.errors import Conflict
from promesa.store.enums import OrderStatus
from promesa.store.models import ActionExecution, AuditEntry, InventoryPosition, Order, Refund
from tests.agent.fakes import call, scripted_service, summarise, tool_results


def cancel_script(messages: list[BaseMessage]) -> AIMessage:
    """Propose a cancel of the order named in the message; if eligible, ask to run it."""
    if isinstance(messages[-1], HumanMessage):
        order_id = re.search(r"PO-\d+", messages[-1].text).group(0)  # type: ignore[union-attr]
        return call("propose_cancel", {"order_id": order_id})
    results = tool_results(messages)
    if messages[-1].name == "propose_cancel" and results[-1]["ok"] and results[-1]["result"]["eligible"]:  # type: ignore[attr-defined]
        return call("cancel_order", {"order_id": results[-1]["result"]["order_id"]}, "call_2",
                    text="I can cancel it and refund you.")
    return summarise(messages)


def direct_script(messages: list[BaseMessage]) -> AIMessage:
    """A model that skips the proposal and asks for the write straight away."""
    if isinstance(messages[-1], HumanMessage):
        return call("cancel_order", {"order_id": "PO-7001"})
    return summarise(messages)


def _state(engine: Engine) -> tuple[OrderStatus, int, list[Decimal], int]:
    with Session(engine) as session:
        return (session.get(Order, "PO-7001").status,
                session.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).reserved,
                [r.amount for r in session.scalars(select(Refund))],
                len(session.scalars(select(ActionExecution)).all()))


def test_customer_confirms_their_cancel_once(world, settings, customer, now) -> None:
    async def body() -> None:
        async with scripted_service(world, settings, cancel_script) as service:
            first = await service.run_turn(thread_id=None, principal=customer, message="Cancel PO-7001", now=now)
            assert [d.type for d in first.decisions] == ["cancel_proposal"]
            assert first.decisions[0].eligible and first.decisions[0].refund_amount == 500  # type: ignore[union-attr]
            pending = first.pending_approval
            assert pending is not None and pending.tool == "cancel_order" and "customer" in pending.approver_roles
            assert "cancels the whole order PO-7001" in pending.reason  # the proposal says what changes
            assert _state(world) == (OrderStatus.allocated, 1, [], 0)  # nothing before the yes
            done = await service.run_turn(thread_id=first.thread_id, principal=customer,
                                          resume=Approval(approve=True), now=now)
            (executed,) = done.decisions
            assert executed.type == "order_cancelled" and executed.order_status == "cancelled"  # type: ignore[union-attr]
            assert executed.approved_by == "customer:C-1"  # type: ignore[union-attr]
            with pytest.raises(Conflict):  # a replayed confirmation finds nothing to approve
                await service.run_turn(thread_id=first.thread_id, principal=customer,
                                       resume=Approval(approve=True), now=now)

    asyncio.run(body())
    assert _state(world) == (OrderStatus.cancelled, 0, [Decimal("500.00")], 1)


def test_change_of_mind_is_audited_and_changes_nothing(world, settings, customer, now) -> None:
    async def body() -> None:
        async with scripted_service(world, settings, cancel_script) as service:
            first = await service.run_turn(thread_id=None, principal=customer, message="Cancel PO-7001", now=now)
            done = await service.run_turn(thread_id=first.thread_id, principal=customer,
                                          resume=Approval(approve=False, reason="changed my mind"), now=now)
            assert [(d.type, d.code) for d in done.decisions] == [("refusal", "rejected")]  # type: ignore[union-attr]

    asyncio.run(body())
    assert _state(world) == (OrderStatus.allocated, 1, [], 0)
    with Session(world) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity_id == "PO-7001")).one()
    assert entry.action == "cancel_order_rejected" and entry.details["note"] == "changed my mind"


def test_support_approves_for_the_customer(world, settings, support, now) -> None:
    async def body() -> None:
        async with scripted_service(world, settings, cancel_script) as service:
            first = await service.run_turn(thread_id=None, principal=support, message="Customer wants PO-7001 cancelled",
                                           now=now)
            done = await service.run_turn(thread_id=first.thread_id, principal=support,
                                          resume=Approval(approve=True, reason="asked by phone"), now=now)
            assert done.decisions[0].approved_by == "support:agent-ana"  # type: ignore[union-attr]

    asyncio.run(body())
    assert _state(world)[0] is OrderStatus.cancelled


def test_another_customers_order_is_refused_at_proposal_and_at_execution(world, settings, other_customer,
                                                                        now) -> None:
    async def body() -> None:
        async with scripted_service(world, settings, cancel_script) as service:
            first = await service.run_turn(thread_id=None, principal=other_customer, message="Cancel PO-7001", now=now)
            assert [(d.type, d.code) for d in first.decisions] == [("refusal", "not_found")]  # type: ignore[union-attr]
            assert first.pending_approval is None
        async with scripted_service(world, settings, direct_script) as service:
            asked = await service.run_turn(thread_id=None, principal=other_customer, message="cancel it", now=now)
            # the write is authorized for the asker when it is requested: it never reaches a person
            assert asked.pending_approval is None
            assert [(d.type, d.code) for d in asked.decisions] == [("refusal", "not_found")]  # type: ignore[union-attr]

    asyncio.run(body())
    assert _state(world) == (OrderStatus.allocated, 1, [], 0)
