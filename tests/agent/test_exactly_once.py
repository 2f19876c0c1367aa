"""Exactly-once across threads and crashes (issue #13): the outcome of an approved write is
keyed by the action (order + tool + arguments + the order's state version), not the thread."""

from __future__ import annotations

import asyncio
import os

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.approvals import Approval
from promesa.errors import Conflict
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.models import ActionOutcome, AuditEntry
from tests.agent.fakes import scripted_service
from tests.agent.test_approvals import executions, line_node, pickup_script, reroute_script
from tools.catalog import all_tools
from tools.context import TurnContext
from tools.registry import ToolEnv

PG_URL = os.environ.get("PROMESA_TEST_DATABASE_URL")
CHECKPOINTS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(params=CHECKPOINTS)
def cp_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """Checkpoints on SQLite, and on PostgreSQL when configured (the issue's failing case)."""
    if request.param == "postgresql":
        return settings.model_copy(update={"checkpoint_url": PG_URL})
    return settings


def audit_actions(engine, order_id: str) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == order_id)
                                    .order_by(AuditEntry.id)))


def outcomes(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(ActionOutcome)) or 0


def crash_after_commit(service, pending, approver: Principal, now) -> None:
    """What the execute node does before its checkpoint is written: the write commits, then the
    process dies (the thread still shows the approval pending)."""
    turn = TurnContext(principal=approver, now=now, settings=service.settings, sessions=service.sessions,
                       thread_id=pending.thread_id)
    env = ToolEnv.of(turn, tool_call_id=pending.tool_call_id,
                  idempotency_key=pending.idempotency_key, approved_by=approver.label(),
                  action_key=pending.action_key, state_version=pending.state_version,
                  requester=approver)
    envelope = all_tools()[pending.tool].execute(pending.args, env)
    assert envelope["ok"], envelope


def test_two_threads_approving_the_same_reroute_execute_it_once(world, cp_settings, support, now) -> None:
    beto = Principal(role=Role.support, subject="agent-beto")

    async def body() -> None:
        async with scripted_service(world, cp_settings, reroute_script) as service:
            a = await service.run_turn(thread_id=None, principal=support, message="Reroute PO-7003", now=now)
            b = await service.run_turn(thread_id=None, principal=beto, message="Reroute PO-7003", now=now)
            assert a.pending_approval and b.pending_approval
            assert a.thread_id != b.thread_id
            assert a.pending_approval.action_key == b.pending_approval.action_key  # the same action
            done = await asyncio.gather(
                service.run_turn(thread_id=a.thread_id, principal=support, resume=Approval(approve=True), now=now),
                service.run_turn(thread_id=b.thread_id, principal=beto, resume=Approval(approve=True), now=now),
            )
            kinds = [[d.type for d in r.decisions] for r in done]
            assert kinds == [["reroute_executed"], ["reroute_executed"]]  # the other gets the outcome
            assert sorted(bool(getattr(r.decisions[0], "replayed", False)) for r in done) == [False, True]
            assert await service.pending_approvals(principal=support) == []

    asyncio.run(body())
    assert executions(world) == 1
    assert outcomes(world) == 1
    assert audit_actions(world, "PO-7003") == ["execute_reroute"]
    assert line_node(world, "PO-7003") == "MTY-STORE-02"


def test_rejecting_what_already_ran_is_refused_with_what_happened(world, cp_settings, support, now) -> None:
    async def body() -> None:
        async with scripted_service(world, cp_settings, reroute_script) as service:
            first = await service.run_turn(thread_id=None, principal=support, message="Reroute PO-7003", now=now)
            pending = first.pending_approval
            assert pending is not None
            crash_after_commit(service, pending, support, now)
        # restarted: the checkpoint still shows the approval, the outcome says it ran
        async with scripted_service(world, cp_settings, reroute_script) as service:
            assert await service.pending_approvals(principal=support) == []
            with pytest.raises(Conflict) as refused:
                await service.run_turn(thread_id=first.thread_id, principal=support,
                                       resume=Approval(approve=False, reason="too late"), now=now)
            assert "already executed" in refused.value.message
            assert "support:agent-ana" in refused.value.message
            again = await service.run_turn(thread_id=first.thread_id, principal=support,
                                           resume=Approval(approve=True), now=now)
            (executed,) = again.decisions
            assert executed.type == "reroute_executed" and executed.replayed  # type: ignore[union-attr]
            assert again.pending_approval is None

    asyncio.run(body())
    assert executions(world) == 1
    assert audit_actions(world, "PO-7003") == ["execute_reroute"]  # no "rejected" beside "executed"


def test_self_service_write_runs_once_across_threads_and_a_crash(world, cp_settings, customer, now) -> None:
    async def body() -> None:
        async with scripted_service(world, cp_settings, pickup_script) as service:
            async def ask() -> str:
                first = await service.run_turn(thread_id=None, principal=customer, message="Can I pick up PO-7003?", now=now)
                second = await service.run_turn(thread_id=first.thread_id, principal=customer, message="yes please", now=now)
                assert second.pending_approval is not None
                return second.thread_id

            a, b = await ask(), await ask()
            pa = (await service.pending_approvals(principal=customer))
            assert {p.thread_id for p in pa} == {a, b} and len({p.action_key for p in pa}) == 1
            crash_after_commit(service, pa[0], customer, now)
            assert await service.pending_approvals(principal=customer) == []
            done = await asyncio.gather(*(
                service.run_turn(thread_id=t, principal=customer, resume=Approval(approve=True), now=now)
                for t in (a, b)
            ))
            assert all(r.pending_approval is None for r in done)

    asyncio.run(body())
    assert executions(world) == 1
    assert audit_actions(world, "PO-7003").count("convert_to_pickup") == 1


def test_a_new_state_is_a_new_action(world, settings, support, now) -> None:
    """After the reroute ran the order's state version moved on: asking again is another action."""
    from promesa.domain import outcomes as domain_outcomes

    def version() -> str:
        with Session(world) as session:
            return domain_outcomes.state_version(session, "PO-7003")

    async def body() -> tuple[str, str, str]:
        async with scripted_service(world, settings, reroute_script) as service:
            first = await service.run_turn(thread_id=None, principal=support, message="Reroute PO-7003", now=now)
            before = version()
            assert first.pending_approval and first.pending_approval.state_version == before
            await service.run_turn(thread_id=first.thread_id, principal=support, resume=Approval(approve=True), now=now)
            return first.pending_approval.action_key or "", before, version()

    key, before, after = asyncio.run(body())
    assert before != after
    args = {"option_id": "x"}
    assert domain_outcomes.action_key("execute_reroute", "PO-7003", args, before) != \
        domain_outcomes.action_key("execute_reroute", "PO-7003", args, after)
    assert key.startswith("execute_reroute:")


def test_a_new_message_after_a_crash_closes_the_executed_approval_first(world, settings, support, now) -> None:
    async def body() -> None:
        async with scripted_service(world, settings, reroute_script) as service:
            first = await service.run_turn(thread_id=None, principal=support, message="Reroute PO-7003", now=now)
            assert first.pending_approval is not None
            crash_after_commit(service, first.pending_approval, support, now)
        async with scripted_service(world, settings, reroute_script) as service:
            await service.run_turn(thread_id=first.thread_id, principal=support, message="Reroute PO-7003", now=now)
            history = await service.history(thread_id=first.thread_id, principal=support)
            executed = [m for m in history if m["role"] == "tool" and m["name"] == "execute_reroute"
                        and m["content"].startswith('{"ok": true')]
            assert len(executed) == 1 and '"replayed": true' in executed[0]["content"]  # the card, closed

    asyncio.run(body())
    assert executions(world) == 1
