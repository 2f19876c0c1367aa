"""The support copilot's queues: handoffs waiting for a person, and the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DomainDeps, StaffDep
from api.schemas import ERRORS
from promesa.domain.audit import MAX_ROWS, AuditEntryView, trail
from promesa.domain.handoffs import HandoffView, handoff_queue
from promesa.store.enums import HandoffStatus

router = APIRouter(prefix="/v1", tags=["support"])

Limit = Annotated[int, Query(ge=1, le=MAX_ROWS)]


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
