"""The dead-letter table: rejected events listed for ops and replayed after a fix."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from promesa.domain import access, audit
from promesa.domain.audit import check_limit
from promesa.domain.deps import Deps
from promesa.domain.events.ingest import EventResult, ingest
from promesa.domain.events.sources import SOURCE_PREFIX, principal_for
from promesa.domain.records import Record
from promesa.errors import Conflict, Forbidden, NotFound
from promesa.principal import SYSTEM, Role
from promesa.store.models import DeadLetter


class DeadLetterView(Record):
    id: int
    source: str
    event_id: str
    type: str | None
    sender: str
    code: str
    field: str | None
    reason: str
    first_seen_at: datetime
    last_seen_at: datetime
    attempts: int
    resolved_at: datetime | None
    discarded_by: str | None = None
    envelope: dict[str, Any]


def _ensure_ops(deps: Deps, doing: str) -> None:
    if deps.principal.role not in (Role.ops, Role.system):
        raise Forbidden(f"{doing} is for ops")


def list_dead_letters(deps: Deps, *, include_resolved: bool = False, limit: int = 100) -> list[DeadLetterView]:
    """Rejected events, newest first (ops and system only)."""
    access.ensure_staff(deps.principal, "listing dead letters")
    _ensure_ops(deps, "listing dead letters")
    check_limit(limit)
    query = select(DeadLetter).order_by(DeadLetter.last_seen_at.desc(), DeadLetter.id.desc()).limit(limit)
    if not include_resolved:
        query = query.where(DeadLetter.resolved_at.is_(None))
    return [DeadLetterView.model_validate(row, from_attributes=True) for row in deps.session.scalars(query)]


def replay(deps: Deps, letter_id: int) -> EventResult:
    """Ingest a dead letter again, as the principal that first sent it (its scopes still apply).

    On success the letter is marked resolved; a new rejection updates its reason.

    Raises:
        Forbidden: not ops or system.
        NotFound: no such dead letter.
    """
    _ensure_ops(deps, "replaying dead letters")
    letter = deps.session.get(DeadLetter, letter_id)
    if letter is None:
        raise NotFound(f"dead letter {letter_id} not found", field="id")
    sender = letter.sender.split(":", 1)[1] if ":" in letter.sender else ""
    principal = principal_for(sender[len(SOURCE_PREFIX):]) if sender.startswith(SOURCE_PREFIX) else SYSTEM
    audit.record(deps, "event.replayed", "dead_letter", str(letter.id),
                 {"source": letter.source, "event_id": letter.event_id, "as": principal.label()})
    as_sender = Deps(session=deps.session, principal=principal, now=deps.now, settings=deps.settings)
    return ingest(as_sender, dict(letter.envelope))


def replay_all(deps: Deps, *, limit: int = 500) -> list[EventResult]:
    """Replay every unresolved dead letter, oldest first."""
    _ensure_ops(deps, "replaying dead letters")
    check_limit(limit)
    ids = deps.session.scalars(select(DeadLetter.id).where(DeadLetter.resolved_at.is_(None))
                               .order_by(DeadLetter.first_seen_at, DeadLetter.id).limit(limit)).all()
    return [replay(deps, i) for i in ids]


def discard(deps: Deps, letter_id: int) -> DeadLetterView:
    """Close a dead letter without replaying it (ops judged it not worth applying); audited.

    Raises:
        Forbidden: not ops or system.
        NotFound: no such dead letter.
        Conflict: it is already resolved (replayed or discarded).
    """
    _ensure_ops(deps, "discarding dead letters")
    letter = deps.session.get(DeadLetter, letter_id, with_for_update=True)
    if letter is None:
        raise NotFound(f"dead letter {letter_id} not found", field="id")
    if letter.resolved_at is not None:
        raise Conflict(f"dead letter {letter_id} is already resolved", field="id")
    letter.resolved_at, letter.discarded_by = deps.now, deps.principal.label()
    audit.record(deps, "event.discarded", "dead_letter", str(letter.id),
                 {"source": letter.source, "event_id": letter.event_id, "reason": letter.reason})
    deps.session.flush()
    return DeadLetterView.model_validate(letter, from_attributes=True)
