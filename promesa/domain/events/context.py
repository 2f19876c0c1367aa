"""What an event handler works with: the event's identity and order, and its effect.

Order safety lives here. State an event *sets* (an order's status, a node's opening, a capacity
override) is guarded by a watermark per piece of state: an event ordered at or before the
newest one applied is stale and changes nothing. Order is ``(time, source, sequence)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from promesa.domain.deps import Deps
from promesa.domain.events.payloads import Envelope
from promesa.store.models import EventWatermark


@dataclass
class Change:
    """What an applied event changed, for the surfaces that show it (pushed as SSE)."""

    kind: str  # inventory | order | node | capacity | customer
    id: str
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, **self.detail}


@dataclass
class Effect:
    """A handler's outcome: applied or stale, the audited entity, and the changes."""

    entity_type: str
    entity_id: str
    applied: bool = True
    changes: list[Change] = field(default_factory=list)
    note: str | None = None


@dataclass
class ApplyContext:
    deps: Deps
    envelope: Envelope

    @property
    def at(self) -> datetime:
        return self.envelope.time

    @property
    def order_key(self) -> tuple[datetime, str, int]:
        return (self.envelope.time, self.envelope.source, self.envelope.sequence or 0)

    def _insert(self) -> Any:
        dialect = self.deps.session.get_bind().dialect.name
        if dialect == "postgresql":
            return pg_insert(EventWatermark)
        if dialect == "sqlite":
            return sqlite_insert(EventWatermark)
        return insert(EventWatermark)

    def advance(self, key: str) -> bool:
        """Move ``key``'s watermark to this event; False (and nothing moved) when it is stale.

        The row is locked, so two events racing on the same state are ordered by the database.
        """
        session = self.deps.session
        env = self.envelope
        values = {"key": key, "occurred_at": env.time, "source": env.source,
                  "sequence": env.sequence or 0, "event_id": env.id}
        inserted = session.execute(self._insert().values(**values).on_conflict_do_nothing()
                                   .returning(EventWatermark.key)).first()
        if inserted is not None:
            return True
        mark = session.execute(
            select(EventWatermark.occurred_at, EventWatermark.source, EventWatermark.sequence)
            .where(EventWatermark.key == key).with_for_update()
        ).one()
        if (mark.occurred_at, mark.source, mark.sequence) >= self.order_key:
            return False
        session.execute(update(EventWatermark).where(EventWatermark.key == key).values(**values)
                        .execution_options(synchronize_session=False))
        return True
