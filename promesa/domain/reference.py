"""A per-engine cache of reference data: nodes, carriers and carrier services.

These rows change rarely (a new store, a carrier's reliability score) and every order-status
call needs them, so they are read once per engine and kept in memory. The cache is dropped
when an ORM flush touches one of these tables (any session, see ``_after_flush``), when a
Core statement writes or truncates them (``_after_cursor_execute``), and by
``invalidate(engine)``, which code writing through the raw DBAPI connection (the bulk world
loader's COPY/executemany) must call. Other processes' writes are not seen until they
invalidate: reference data is configuration, not live state.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import time
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from promesa.store.enums import DistanceBand, NodeType, ServiceLevel
from promesa.store.models import Carrier, CarrierService, Node


@dataclass(frozen=True)
class NodeRef:
    id: str
    name: str
    type: NodeType
    city: str
    postal_code: str
    lat: float
    lon: float
    timezone: str
    ships: bool
    pickup: bool
    processing_hours: int
    cutoff_time: time
    ship_weekdays: str
    capacity_units: int
    capacity_orders: int
    active: bool


@dataclass(frozen=True)
class CarrierRef:
    id: str
    name: str
    on_time_reliability: float
    delivery_weekdays: str


@dataclass(frozen=True)
class ServiceRef:
    id: str
    carrier_id: str
    level: ServiceLevel
    name: str
    transit: dict[DistanceBand, int]
    cutoff_time: time | None


@dataclass(frozen=True)
class Reference:
    nodes: dict[str, NodeRef]
    carriers: dict[str, CarrierRef]
    services: dict[str, ServiceRef]


_cache: weakref.WeakKeyDictionary[Engine, Reference] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_REFERENCE_TYPES = (Node, Carrier, CarrierService)


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _load(session: Session) -> Reference:
    # plain rows, not ORM objects: the session's identity map may hold stale copies
    nodes = {
        n.id: NodeRef(
            id=n.id, name=n.name, type=n.type, city=n.city, postal_code=n.postal_code,
            lat=n.lat, lon=n.lon, timezone=n.timezone, ships=n.ships, pickup=n.pickup,
            processing_hours=n.processing_hours, cutoff_time=n.cutoff_time,
            ship_weekdays=n.ship_weekdays, capacity_units=n.capacity_units,
            capacity_orders=n.capacity_orders, active=n.active,
        )
        for n in session.execute(select(Node.__table__))
    }
    carriers = {
        c.id: CarrierRef(c.id, c.name, c.on_time_reliability, c.delivery_weekdays)
        for c in session.execute(select(Carrier.__table__))
    }
    services = {
        s.id: ServiceRef(
            id=s.id, carrier_id=s.carrier_id, level=s.level, name=s.name,
            transit={
                DistanceBand.local: s.transit_local,
                DistanceBand.regional: s.transit_regional,
                DistanceBand.national: s.transit_national,
                DistanceBand.remote: s.transit_remote,
            },
            cutoff_time=s.cutoff_time,
        )
        for s in session.execute(select(CarrierService.__table__))
    }
    return Reference(nodes=nodes, carriers=carriers, services=services)


def reference(session: Session) -> Reference:
    """The cached reference data of the session's engine (loaded through this session)."""
    engine = _engine_of(session)
    ref = _cache.get(engine)
    if ref is None:
        ref = _load(session)
        with _lock:
            _cache[engine] = ref
    return ref


def invalidate(engine: Engine | None = None) -> None:
    """Drop the cache of one engine (or of every engine)."""
    with _lock:
        if engine is None:
            _cache.clear()
        else:
            _cache.pop(engine, None)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    # new/dirty/deleted still show the pre-flush state here
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, _REFERENCE_TYPES) for obj in changed):
        session.info["promesa_reference_dirty"] = True
        invalidate(_engine_of(session))


_WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE")
# the declared table names (``__table__`` is typed as any FromClause, which has no name)
_TABLES: tuple[str, ...] = tuple(t.__tablename__ for t in _REFERENCE_TYPES)


@event.listens_for(Engine, "after_cursor_execute")
def _after_cursor_execute(
    conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    # cheap enough for every statement: a prefix test, then a substring test on writes only
    head = statement.lstrip()[:8].upper()
    if head.startswith(_WRITES) and any(name in statement for name in _TABLES):
        invalidate(conn.engine)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    # a cache filled from rows this transaction flushed must not outlive their rollback
    if session.info.pop("promesa_reference_dirty", False):
        invalidate(_engine_of(session))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop("promesa_reference_dirty", None)
