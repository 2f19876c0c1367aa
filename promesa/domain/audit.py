"""The audit log: the helper every service uses to record a decision or action, and the trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from promesa.domain import access
from promesa.domain.deps import Deps
from promesa.domain.records import Record
from promesa.errors import InvalidInput
from promesa.store.models import AuditEntry

#: Most rows a listing (audit trail, handoff queue) returns at once.
MAX_ROWS = 500


class AuditEntryView(Record):
    occurred_at: datetime
    actor_role: str
    actor_subject: str | None
    action: str
    entity_type: str
    entity_id: str
    details: dict[str, Any]


def check_limit(limit: int) -> None:
    """Listings take 1…MAX_ROWS rows."""
    if not 1 <= limit <= MAX_ROWS:
        raise InvalidInput(f"limit must be between 1 and {MAX_ROWS}", field="limit")


def record(
    deps: Deps,
    action: str,
    entity_type: str,
    entity_id: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to the caller's session (it commits or rolls back with the work).

    ``details`` must be JSON-serialisable; dates and decimals should be passed as strings.
    """
    entry = AuditEntry(**entry_values(deps, action, entity_type, entity_id, details))
    deps.session.add(entry)
    return entry


def entry_values(
    deps: Deps,
    action: str,
    entity_type: str,
    entity_id: str,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of the entry :func:`record` adds, for a bulk insert of many at once."""
    return {
        "occurred_at": deps.now,
        "actor_role": deps.principal.role.value,
        "actor_subject": deps.principal.subject or deps.principal.order_scope,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "details": dict(details or {}),
    }


def trail(deps: Deps, *, entity_id: str | None = None, limit: int = 100) -> list[AuditEntryView]:
    """The newest audit entries, optionally of one entity (order, customer, thread, node).

    Raises:
        Forbidden: the principal is not staff.
        InvalidInput: ``limit`` outside 1…MAX_ROWS.
    """
    access.ensure_staff(deps.principal, "reading the audit trail")
    check_limit(limit)
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
