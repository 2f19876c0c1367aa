"""Handing a conversation to a person: queue it for the support copilot (no approval needed)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from promesa.domain import audit
from promesa.domain.deps import Deps
from promesa.domain.records import Record
from promesa.principal import Role
from promesa.store.models import Handoff
from tools.registry import ToolEnv, tool


class HandoffArgs(BaseModel):
    reason: str = Field(description="Why a person is needed, in a few words.", min_length=1, max_length=200)
    summary: str = Field(description="What the person should know, one or two sentences.", max_length=2000)


class HandoffQueued(Record):
    handoff_id: int
    reason: str
    thread_id: str
    status: str


def queue_handoff(deps: Deps, *, thread_id: str, reason: str, summary: str) -> HandoffQueued:
    """Queue a handoff for the principal's conversation and audit it."""
    principal = deps.principal
    row = Handoff(
        created_at=deps.now,
        thread_id=thread_id[:64],
        customer_id=principal.subject if principal.role is Role.customer else None,
        order_id=principal.order_scope,
        reason=reason[:200],
        summary=summary,
    )
    deps.session.add(row)
    deps.session.flush()
    audit.record(deps, "handoff_requested", "thread", thread_id[:64], {"reason": reason[:200]})
    return HandoffQueued(handoff_id=row.id, reason=row.reason, thread_id=row.thread_id, status=row.status.value)


@tool(roles=[Role.customer, Role.support, Role.ops, Role.anonymous])
def request_handoff(deps: Deps, args: HandoffArgs, env: ToolEnv) -> object:
    """Hand the conversation to a person when you cannot help, the user asks for a human, or
    something needs judgement (compensation, complaints, a lost parcel)."""
    return queue_handoff(deps, thread_id=env.thread_id, reason=args.reason, summary=args.summary)
