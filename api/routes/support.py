"""The support copilot's queues: handoffs waiting for a person, and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import AgentDep, DomainDeps, NowDep, RowId, RuntimeDep, StaffDep
from api.live_changes import announce, handoff_change, reply_change
from api.schemas import ERRORS, errors
from api.state import Runtime
from promesa.domain.audit import MAX_ROWS, AuditEntryView, trail
from promesa.domain.deps import Deps
from promesa.domain.handoffs import (
    MAX_REPLY_CHARS,
    HandoffView,
    advance_handoff,
    authorize_reply,
    get_handoff,
    handoff_queue,
)
from promesa.principal import Principal
from promesa.store.enums import HandoffStatus

router = APIRouter(prefix="/v1", tags=["support"])

Limit = Annotated[int, Query(ge=1, le=MAX_ROWS)]
HandoffId = RowId


class HandoffStep(BaseModel):
    note: str = Field("", max_length=500, description="Optional note kept in the audit trail.")


class HandoffTranscript(BaseModel):
    handoff: HandoffView
    messages: list[dict[str, Any]] = Field(description="The conversation, oldest first (role, content).")


@router.get("/handoffs", response_model=list[HandoffView], responses=ERRORS)
def handoffs(
    _staff: StaffDep, deps: DomainDeps, status: HandoffStatus | None = HandoffStatus.open,
    limit: Limit = 100,
) -> list[HandoffView]:
    """Conversations handed to a person (``status=open`` by default), oldest first."""
    return handoff_queue(deps, status=status, limit=limit)


@router.get("/audit", response_model=list[AuditEntryView], responses=ERRORS)
def audit(
    _staff: StaffDep, deps: DomainDeps,
    entity_id: Annotated[str | None, Query(max_length=64)] = None, limit: Limit = 100,
) -> list[AuditEntryView]:
    """Who did or decided what, newest first; ``entity_id`` narrows to one order, customer, …"""
    return trail(deps, entity_id=entity_id, limit=limit)


@router.get("/handoffs/{handoff_id}", response_model=HandoffTranscript, responses=errors(not_found="No such handoff"))
async def handoff_transcript(
    handoff_id: HandoffId, _staff: StaffDep, deps: DomainDeps, agent: AgentDep
) -> HandoffTranscript:
    """One handoff with its conversation's full transcript (staff only)."""
    handoff = get_handoff(deps, handoff_id)
    return HandoffTranscript(handoff=handoff, messages=await agent.transcript(thread_id=handoff.thread_id))


def _committed(runtime: Runtime, principal: Principal, now: datetime, handoff_id: int, step: str,
               note: str) -> HandoffView:
    """Advance a handoff in its own transaction and announce it once committed (so a queue that
    refreshes on the push reads the new status)."""
    assert runtime.sessions is not None
    with runtime.sessions() as session, session.begin():
        view = advance_handoff(Deps(session=session, principal=principal, now=now, settings=runtime.settings),
                               handoff_id, step, note)
    announce(runtime, [handoff_change(view)])
    return view


@router.post("/handoffs/{handoff_id}/claim", response_model=HandoffView,
             responses=errors(not_found="No such handoff", conflict="The handoff is resolved; it cannot be claimed"))
def claim(handoff_id: HandoffId, body: HandoffStep, staff: StaffDep, runtime: RuntimeDep, now: NowDep) -> HandoffView:
    """Take an open handoff (idempotent); audited with who took it."""
    return _committed(runtime, staff, now, handoff_id, "claim", body.note)


@router.post("/handoffs/{handoff_id}/resolve", response_model=HandoffView,
             responses=errors(not_found="No such handoff", conflict="The handoff cannot be resolved in its state"))
def resolve(handoff_id: HandoffId, body: HandoffStep, staff: StaffDep, runtime: RuntimeDep, now: NowDep) -> HandoffView:
    """Close a handoff (idempotent); the note goes to the audit trail."""
    return _committed(runtime, staff, now, handoff_id, "resolve", body.note)


class HandoffReply(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_REPLY_CHARS, description="What the customer reads.")
    reply_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                          description="The client's key for this reply: a retried request posts it once.")


class HandoffReplySent(BaseModel):
    handoff: HandoffView
    message: dict[str, Any] = Field(description="The message as it now stands in the conversation.")


@router.post("/handoffs/{handoff_id}/reply", response_model=HandoffReplySent,
             responses=errors(not_found="No such handoff", conflict="The handoff is resolved, or its conversation waits for an approval"))
async def reply(
    handoff_id: HandoffId, body: HandoffReply, staff: StaffDep, runtime: RuntimeDep, now: NowDep,
    agent: AgentDep,
) -> HandoffReplySent:
    """Reply to the customer in their own conversation (their widget shows it live, from a
    person). Replying claims an open handoff; a closed one is a 409."""
    assert runtime.sessions is not None
    with runtime.sessions() as session, session.begin():
        deps = Deps(session=session, principal=staff, now=now, settings=runtime.settings)
        allowed = authorize_reply(deps, handoff_id, body.text)
        # written before the commit: a conversation that refuses it rolls the audit back
        message = await agent.add_staff_reply(thread_id=allowed.thread_id, text=allowed.text,
                                              message_id=f"staff-{body.reply_id}")
        view = get_handoff(deps, handoff_id)
    announce(runtime, [handoff_change(view), reply_change(allowed, message)])
    return HandoffReplySent(handoff=view, message=message)
