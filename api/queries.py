"""Read-only queries the panels need that no domain service offers: the audit trail and the
handoff queue. Each checks the principal itself (DESIGN rule 3), like every service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from promesa.domain import access
from promesa.domain.deps import Deps
from promesa.errors import InvalidInput
from promesa.store.enums import HandoffStatus
from promesa.store.models import AuditEntry, Handoff

MAX_ROWS = 500


class AuditEntryView(BaseModel):
    occurred_at: datetime
    actor_role: str
    actor_subject: str | None
    action: str
    entity_type: str
    entity_id: str
    details: dict[str, Any]


class HandoffView(BaseModel):
    handoff_id: int
    created_at: datetime
    thread_id: str
    customer_id: str | None
    order_id: str | None
    reason: str
    summary: str
    status: HandoffStatus


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_ROWS:
        raise InvalidInput(f"limit must be between 1 and {MAX_ROWS}", field="limit")


def audit_trail(deps: Deps, *, entity_id: str | None = None, limit: int = 100) -> list[AuditEntryView]:
    """The newest audit entries, optionally of one entity (order, customer, thread, node).

    Raises:
        Forbidden: the principal is not staff.
        InvalidInput: ``limit`` outside 1…500.
    """
    access.ensure_staff(deps.principal, "reading the audit trail")
    _check_limit(limit)
    query = select(AuditEntry).order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc()).limit(limit)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id.strip())
    return [
        AuditEntryView(
            occurred_at=e.occurred_at, actor_role=e.actor_role, actor_subject=e.actor_subject,
            action=e.action, entity_type=e.entity_type, entity_id=e.entity_id,
            details=dict(e.details or {}),
        )
        for e in deps.session.scalars(query)
    ]


def handoff_queue(
    deps: Deps, *, status: HandoffStatus | None = HandoffStatus.open, limit: int = 100
) -> list[HandoffView]:
    """Handoffs waiting for a person, oldest first (the order they should be taken).

    Raises:
        Forbidden: the principal is not staff.
        InvalidInput: ``limit`` outside 1…500.
    """
    access.ensure_staff(deps.principal, "reading the handoff queue")
    _check_limit(limit)
    query = select(Handoff).order_by(Handoff.created_at, Handoff.id).limit(limit)
    if status is not None:
        query = query.where(Handoff.status == status)
    return [
        HandoffView(
            handoff_id=h.id, created_at=h.created_at, thread_id=h.thread_id,
            customer_id=h.customer_id, order_id=h.order_id, reason=h.reason, summary=h.summary,
            status=h.status,
        )
        for h in deps.session.scalars(query)
    ]
