"""Ingestion: one event in, its typed result out — applied once, in order, audited.

:func:`ingest` is the domain API every entry point calls (``POST /v1/events``, ``promesa events
import``, the AMQP consumer, a dead-letter replay, and other services such as checkout). It
works inside the caller's transaction and puts the event's work in a SAVEPOINT, so a rejected
event leaves nothing half-written while its dead letter is kept:

1. the envelope and payload are parsed into types (``InvalidInput`` names the field);
2. the domain checks the sender may send this type from this source (``Forbidden``);
3. an event id seen before answers ``duplicate`` with the original result and changes nothing;
4. the handler applies it (or finds it stale), and the event, its result and an audit entry
   (who sent what) are written with its effect — one commit for all of it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from promesa.domain import audit
from promesa.domain.deps import Deps
from promesa.domain.events import bulk, capacity, inventory, orders, outgoing, tracking
from promesa.domain.events.context import ApplyContext, Effect
from promesa.domain.events.envelope import parse
from promesa.domain.events.payloads import EventType, Payload
from promesa.domain.events.sources import ensure_may_send
from promesa.errors import DomainError, InvalidInput
from promesa.store.models import DeadLetter, IngestedEvent

Handler = Callable[[ApplyContext, Any], Effect]

HANDLERS: dict[EventType, Handler] = {
    EventType.order_created: orders.created,
    EventType.order_updated: orders.updated,
    EventType.order_cancelled: orders.cancelled,
    EventType.order_line_picked: orders.line_picked,
    EventType.order_line_packed: orders.line_packed,
    EventType.order_line_shipped: orders.line_shipped,
    EventType.order_delivered: orders.delivered,
    EventType.order_picked_up: orders.picked_up,
    EventType.pos_sale: inventory.pos_sale,
    EventType.receipt: inventory.receipt,
    EventType.transfer: inventory.transfer,
    EventType.cycle_count: inventory.cycle_count,
    EventType.shrink: inventory.shrink,
    EventType.reservation: inventory.reservation,
    EventType.release: inventory.release,
    EventType.tracking_scan: tracking.scan,
    EventType.tracking_exception: tracking.exception,
    EventType.capacity_override: capacity.override,
    EventType.node_closed: capacity.closed,
    EventType.node_opened: capacity.opened,
    EventType.identifier_added: capacity.identifier_added,
}


class Status(StrEnum):
    accepted = "accepted"
    duplicate = "duplicate"
    rejected = "rejected"


class EventError(BaseModel):
    code: str
    field: str | None = None
    reason: str


class EventResult(BaseModel):
    """What became of one event. ``applied`` is False for a stale event (accepted, no effect)."""

    id: str | None
    source: str | None
    type: str | None
    status: Status
    applied: bool | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    note: str | None = None
    changes: list[dict[str, Any]] = Field(default_factory=list)
    error: EventError | None = None


def _identity(raw: Any) -> tuple[str, str, str | None]:
    """Source, id and type of a raw event, however malformed (a digest stands in for an id)."""
    if isinstance(raw, dict):
        source, event_id, kind = raw.get("source"), raw.get("id"), raw.get("type")
    else:
        source = event_id = kind = None
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return (str(source)[:200] if source else "unknown", str(event_id)[:200] if event_id else f"sha256:{digest}",
            str(kind)[:100] if kind else None)


def _dead_letter(deps: Deps, raw: Any, error: DomainError) -> EventResult:
    source, event_id, kind = _identity(raw)
    named = getattr(error, "field", None) or error.details.get("field")
    field = str(named) if named else None
    session = deps.session
    letter = session.query(DeadLetter).filter_by(source=source, event_id=event_id).one_or_none()
    envelope = raw if isinstance(raw, dict) else {"raw": raw}
    if letter is None:
        session.add(DeadLetter(source=source, event_id=event_id, type=kind, sender=deps.principal.label(),
                               envelope=envelope, code=error.code, field=field, reason=error.message,
                               first_seen_at=deps.now, last_seen_at=deps.now, attempts=1))
    else:
        letter.attempts += 1
        letter.last_seen_at = deps.now
        letter.code, letter.field, letter.reason, letter.envelope = error.code, field, error.message, envelope
        letter.resolved_at = None
    session.flush()
    return EventResult(id=event_id, source=source, type=kind, status=Status.rejected,
                       error=EventError(code=error.code, field=field, reason=error.message))


def reject(deps: Deps, raw: Any, error: DomainError) -> EventResult:
    """Keep ``raw`` as a dead letter for ``error`` (a transport found it unreadable)."""
    return _dead_letter(deps, raw, error)


def _resolve_letter(deps: Deps, source: str, event_id: str) -> None:
    letter = deps.session.query(DeadLetter).filter_by(source=source, event_id=event_id).one_or_none()
    if letter is not None and letter.resolved_at is None:
        letter.resolved_at = deps.now


def _duplicate(seen: IngestedEvent) -> EventResult:
    return EventResult.model_validate({**seen.result, "status": Status.duplicate})


def _apply(deps: Deps, raw: Any) -> EventResult:
    envelope, payload = parse(raw)
    ensure_may_send(deps.principal, deps.settings.event_sources, envelope.type.value, envelope.source)
    session = deps.session
    seen = session.get(IngestedEvent, (envelope.source, envelope.id))
    if seen is not None:
        return _duplicate(seen)
    effect = HANDLERS[envelope.type](ApplyContext(deps, envelope), payload)
    result = EventResult(
        id=envelope.id, source=envelope.source, type=envelope.type.value, status=Status.accepted,
        applied=effect.applied, entity_type=effect.entity_type, entity_id=effect.entity_id,
        note=effect.note, changes=[c.as_dict() for c in effect.changes])
    session.add(IngestedEvent(
        source=envelope.source, event_id=envelope.id, type=envelope.type.value,
        occurred_at=envelope.time, sequence=envelope.sequence, received_at=deps.now,
        sender=deps.principal.label(), applied=effect.applied,
        result=result.model_dump(mode="json", exclude={"status"})))
    audit.record(deps, f"event.{envelope.type.value.removeprefix('promesa.')}", effect.entity_type,
                 effect.entity_id[:64], {"source": envelope.source, "event_id": envelope.id,
                                         "applied": effect.applied, "sender": deps.principal.label(),
                                         "data": _jsonable(payload)})
    session.flush()
    return result


def _jsonable(payload: Payload) -> dict[str, Any]:
    return payload.model_dump(mode="json", exclude_none=True)


def ingest(deps: Deps, raw: Any) -> EventResult:
    """Apply one raw CloudEvent (a parsed JSON object) in the caller's transaction.

    Never raises for a bad event: a rejection is a result (and a dead letter). The caller
    commits; the event's effect, its ingestion record, its audit entry and any dead letter
    commit together.
    """
    return ingest_many(deps, [raw])[0]


def ingest_many(deps: Deps, raws: list[Any]) -> list[EventResult]:
    """Apply ``raws`` in order in the caller's transaction, each with its own result.

    Consecutive on-hand moves (POS sales, receipts, shrink) are applied set-based
    (:mod:`promesa.domain.events.bulk`); every other event in its own SAVEPOINT. Same
    guarantees either way: exactly once, order-safe, each event all-or-nothing.
    """
    session = deps.session
    if session.get_bind().dialect.name == "sqlite" and not session.in_nested_transaction():
        # take SQLite's write lock before the first read: a second writer then waits on the
        # busy timeout, instead of failing when its read snapshot goes stale under it
        session.execute(text("UPDATE event_watermarks SET sequence = sequence WHERE 0"))
    results: list[EventResult] = []
    run: list[Any] = []
    end = object()  # flushes the last run (a raw event may itself be JSON null)
    for raw in [*raws, end]:
        if raw is not end and bulk.is_move(raw):
            run.append(raw)
            continue
        if run:
            results.extend(bulk.ingest_moves(deps, run, _ingest_one, _dead_letter, _duplicate))
            run = []
        if raw is not end:
            results.append(_ingest_one(deps, raw))
    changed = {c["sku"] for r in results if r.status is Status.accepted and r.applied
               for c in r.changes if c.get("kind") == "inventory" and c.get("sku")}
    if changed:  # written at this transaction's commit: announced if and only if it commits
        outgoing.changed(deps, changed)
    return results


def _ingest_one(deps: Deps, raw: Any) -> EventResult:
    """One event through its handler, in its own SAVEPOINT."""
    session = deps.session
    try:
        with session.begin_nested():
            result = _apply(deps, raw)
    except DomainError as error:
        return _dead_letter(deps, raw, error)
    except IntegrityError:
        # the same event committed meanwhile by another worker: answer with its outcome
        session.expire_all()
        source, event_id, _ = _identity(raw)
        seen = session.get(IngestedEvent, (source, event_id))
        if seen is None:
            return _dead_letter(deps, raw, InvalidInput("the event breaks a database rule", field="data"))
        return _duplicate(seen)
    if result.status is Status.accepted:
        _resolve_letter(deps, result.source or "", result.id or "")
    return result


#: SQLSTATEs of a transaction PostgreSQL aborted for a race, not for its content.
_RACES = {"40P01", "40001"}  # deadlock detected, serialization failure


def _lost_a_race(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in _RACES


def ingest_each(sessions: Callable[[], Any], principal: Any, now: Any, settings: Any,
                raws: list[Any], on_commit: Callable[[EventResult], None] | None = None) -> list[EventResult]:
    """Ingest ``raws`` one transaction per event (``sessions`` is a sessionmaker).

    ``on_commit`` runs after each commit (the change feed). Events of one request are
    independent: a rejected one never undoes the accepted ones before or after it.
    """
    results = []
    for raw in raws:
        with sessions() as session, session.begin():
            result = ingest(Deps(session=session, principal=principal, now=now, settings=settings), raw)
        if on_commit is not None:
            on_commit(result)
        results.append(result)
    return results


def ingest_batch(sessions: Callable[[], Any], principal: Any, now: Any, settings: Any,
                 raws: list[Any], on_commit: Callable[[EventResult], None] | None = None) -> list[EventResult]:
    """Ingest ``raws`` in one transaction with :func:`ingest_many` (one commit).

    Each event stays all-or-nothing and independent of the others (a rejected one leaves no
    effect, and is dead-lettered); the batch pays one commit instead of one per event.
    ``on_commit`` runs for every result once the batch has committed. A batch PostgreSQL aborts
    for a deadlock or a serialization failure is applied again with :func:`ingest_each`.
    """
    try:
        with sessions() as session, session.begin():
            results = ingest_many(Deps(session=session, principal=principal, now=now, settings=settings), raws)
    except DBAPIError as error:
        if not _lost_a_race(error):
            raise
        # the database broke a lock cycle with another batch (a batch holds its events' locks
        # to its commit, in arrival order): nothing of this one committed, so it goes again one
        # transaction per event, which holds one event's locks at a time
        return ingest_each(sessions, principal, now, settings, raws, on_commit)
    if on_commit is not None:
        for result in results:
            on_commit(result)
    return results
