"""The audit log: one helper every service uses to record a decision or action."""

from __future__ import annotations

from typing import Any

from promesa.domain.deps import Deps
from promesa.store.models import AuditEntry


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
    entry = AuditEntry(
        occurred_at=deps.now,
        actor_role=deps.principal.role.value,
        actor_subject=deps.principal.subject or deps.principal.order_scope,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        details=dict(details or {}),
    )
    deps.session.add(entry)
    return entry
