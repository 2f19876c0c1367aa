"""Outgoing "sellable online" events through a transactional outbox.

When ingestion changes a SKU's stock (:func:`changed`), :func:`note_sellable` — just before the
transaction commits — recomputes what each online channel may sell
(:func:`availability.online_sellable`) and compares its *level* (out of stock / low / in stock,
against ``sellable_low_threshold``) with the one last announced. Only a
crossing writes an event: a ``promesa.availability.sellable_changed.v1`` CloudEvent in
``outgoing_events``, in the same transaction as the stock change — so it exists if and only if
the change committed, once. The per-SKU state row is locked while comparing, so two
transactions changing one SKU announce in commit order with consecutive sequences.

:func:`due` / :func:`published` / :func:`failed` are what the relay
(:mod:`promesa.events.relay`) works with: unsent events in the order written, a failed one
retried with exponential backoff and holding back the later events of its key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from sqlalchemy import event, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from promesa.domain.availability import online_sellable
from promesa.domain.deps import Deps
from promesa.domain.events.payloads import OutgoingType, SellableChanged, SellableLevel
from promesa.domain.records import Record
from promesa.store.models import OutgoingEvent, SellableState

SOURCE = "/promesa/availability"
FORMAT = JSONFormat()


def level(sellable: int, low_threshold: int) -> SellableLevel:
    """The level (out of stock / low / in stock) a sellable quantity is at."""
    if sellable <= 0:
        return SellableLevel.out_of_stock
    return SellableLevel.low if sellable <= low_threshold else SellableLevel.in_stock


def _insert(deps: Deps) -> Any:
    dialect = deps.session.get_bind().dialect.name
    return {"postgresql": pg_insert, "sqlite": sqlite_insert}.get(dialect, insert)(SellableState)


_PENDING = "promesa_sellable_pending"


def changed(deps: Deps, skus: Iterable[str]) -> None:
    """Note that ``skus``' stock changed in this transaction; :func:`note_sellable` runs for them
    just before it commits. Deferred to the commit so the per-SKU state locks are always the
    last locks a transaction takes (after every position lock): a transaction that ingests
    several events (a dead-letter replay of many) cannot deadlock with another on them."""
    pending = deps.session.info.setdefault(_PENDING, {"skus": set(), "deps": deps})
    pending["skus"].update(skus)
    pending["deps"] = deps


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint's release: the transaction goes on
        return
    pending = session.info.pop(_PENDING, None)
    if pending and pending["skus"]:
        note_sellable(pending["deps"], pending["skus"])


@event.listens_for(Session, "after_transaction_end")
def _after_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # rolled back (a commit popped it already): nothing to announce
        session.info.pop(_PENDING, None)


def note_sellable(deps: Deps, skus: Iterable[str]) -> list[OutgoingEvent]:
    """Write an outgoing event for each online channel of ``skus`` whose level changed.

    A SKU never announced before gets its first state (and an event) when it is first seen.
    """
    session = deps.session
    threshold = deps.settings.sellable_low_threshold
    written = []
    for sku in sorted(set(skus)):  # one lock order for every writer
        quantities = online_sellable(session, sku)
        session.execute(_insert(deps).values([
            {"sku": sku, "channel": c.value, "sellable": -1, "level": "", "sequence": 0, "changed_at": deps.now}
            for c in quantities]).on_conflict_do_nothing())
        states = {s.channel: s for s in session.scalars(
            select(SellableState).where(SellableState.sku == sku).order_by(SellableState.channel)
            .with_for_update().execution_options(populate_existing=True))}
        for channel, quantity in quantities.items():
            now_level = level(quantity, threshold)
            state = states[channel.value]
            if state.level == now_level.value:  # no crossing: nothing written (not even the figure)
                continue
            previous = SellableLevel(state.level) if state.level else None
            data = SellableChanged(sku=sku, channel=channel, sellable=quantity, level=now_level,
                                   previous_level=previous,
                                   previous_sellable=state.sellable if previous else None,
                                   low_threshold=threshold)
            state.sequence += 1
            state.level, state.sellable, state.changed_at = now_level.value, quantity, deps.now
            event_id = f"sellable:{sku}:{channel.value}:{state.sequence}"
            attributes = {"id": event_id, "source": SOURCE, "type": OutgoingType.sellable_changed.value,
                          "time": deps.now, "subject": sku, "sequence": str(state.sequence),
                          "datacontenttype": "application/json", "specversion": "1.0"}
            envelope = json.loads(FORMAT.write(CloudEvent(attributes, data.model_dump(mode="json"))))
            row = OutgoingEvent(event_id=event_id, type=OutgoingType.sellable_changed.value,
                                key=f"{sku}/{channel.value}", envelope=envelope, created_at=deps.now,
                                attempts=0, next_attempt_at=deps.now)
            session.add(row)
            written.append(row)
    session.flush()
    return written


class OutgoingView(Record):
    id: int
    event_id: str
    type: str
    key: str
    created_at: datetime
    published_at: datetime | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    envelope: dict[str, Any]


def listing(deps: Deps, *, pending_only: bool = False, limit: int = 100) -> list[OutgoingView]:
    """The newest outgoing events (the CLI's ``promesa events outbox``)."""
    query = select(OutgoingEvent).order_by(OutgoingEvent.id.desc()).limit(limit)
    if pending_only:
        query = query.where(OutgoingEvent.published_at.is_(None))
    return [OutgoingView.model_validate(r, from_attributes=True) for r in deps.session.scalars(query)]


def due(deps: Deps, limit: int = 500) -> list[OutgoingEvent]:
    """The unsent events the relay may send now, in the order written. An event waiting out its
    backoff holds back every later event of its key (a later event never overtakes a failed
    one); the relay stops a key within a pass the same way."""
    rows = deps.session.scalars(select(OutgoingEvent).where(OutgoingEvent.published_at.is_(None))
                                .order_by(OutgoingEvent.id).limit(limit).with_for_update(skip_locked=True))
    blocked: set[str] = set()
    out = []
    for row in rows:
        if row.key in blocked:
            continue
        if row.next_attempt_at is not None and row.next_attempt_at > deps.now:
            blocked.add(row.key)
            continue
        out.append(row)
    return out


def published(deps: Deps, row: OutgoingEvent) -> None:
    """Mark an outgoing event sent (the relay's broker confirmed it)."""
    row.published_at = deps.now
    row.attempts += 1
    row.last_error = None


def failed(deps: Deps, row: OutgoingEvent, error: str) -> None:
    """Count the failed attempt and wait 2^attempts seconds (capped) before the next one."""
    row.attempts += 1
    row.last_error = error[:2000]
    wait = min(deps.settings.outbox_max_backoff_seconds, 2 ** min(row.attempts, 20))
    row.next_attempt_at = deps.now + timedelta(seconds=wait)
