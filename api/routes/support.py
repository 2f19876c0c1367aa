"""The support copilot's queues: handoffs waiting for a person, and the audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import AgentDep, DomainDeps, RowId, StaffDep
from api.schemas import ERRORS, errors
from promesa.domain.audit import MAX_ROWS, AuditEntryView, trail
from promesa.domain.handoffs import HandoffView, advance_handoff, get_handoff, handoff_queue
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


@router.post("/handoffs/{handoff_id}/claim", response_model=HandoffView,
             responses=errors(not_found="No such handoff", conflict="The handoff is resolved; it cannot be claimed"))
def claim(handoff_id: HandoffId, body: HandoffStep, _staff: StaffDep, deps: DomainDeps) -> HandoffView:
    """Take an open handoff (idempotent); audited with who took it."""
    return advance_handoff(deps, handoff_id, "claim", body.note)


@router.post("/handoffs/{handoff_id}/resolve", response_model=HandoffView,
             responses=errors(not_found="No such handoff", conflict="The handoff cannot be resolved in its state"))
def resolve(handoff_id: HandoffId, body: HandoffStep, _staff: StaffDep, deps: DomainDeps) -> HandoffView:
    """Close a handoff (idempotent); the note goes to the audit trail."""
    return advance_handoff(deps, handoff_id, "resolve", body.note)
