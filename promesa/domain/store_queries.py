"""Store-level queries of the domain's hot paths: statements built once, run on Core.

The committed load per node and ship-by (``node_load``, kept by triggers), capacity overrides,
and the risk finders' statements (:mod:`promesa.domain.risk_sources`). Each is built once with
bound parameters: the hot paths run them many times, and building a statement (a 500-node IN
list) cost more than running it. :func:`core_execute` runs them on the session's connection.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, func, select
from sqlalchemy.orm import Session

from promesa.domain.order_states import WITH_CARRIER
from promesa.store.enums import OPEN_LINE_STATES, LineStatus, TrackingEventType
from promesa.store.models import (
    InventoryPosition,
    NodeCapacity,
    NodeLoad,
    Order,
    OrderLine,
    TrackingEvent,
)

#: Orders with the carrier (a delay exception of theirs can break the promise), in a fixed order.
IN_CARRIER = tuple(sorted(WITH_CARRIER))
#: An order worth this much (MXN) or more is one severity level up.
HIGH_VALUE_MXN = Decimal("5000")


def core_execute(session: Session, statement: Any, params: dict[str, Any]) -> Any:
    """Run a Core statement on the session's connection, in its transaction.

    Skips the ORM's result wrapping (a large share of a scan's time on big worlds) but keeps
    its read-your-writes behaviour: pending ORM changes are flushed first, as autoflush would.
    """
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    return session.connection().execute(statement, params)


def _open_load_select() -> Select[str | None, date | None, int, int]:
    """Orders and units of open lines grouped by (node, ship_by); callers add the range."""
    return (
        select(
            OrderLine.allocated_node_id,
            OrderLine.ship_by,
            func.count(func.distinct(OrderLine.order_id)),
            func.sum(OrderLine.quantity),
        )
        .where(OrderLine.status.in_(OPEN_LINE_STATES))
        .group_by(OrderLine.allocated_node_id, OrderLine.ship_by)
    )


def open_load_query(
    node_ids: list[str] | None, first: date, last: date
) -> Select[str | None, date | None, int, int]:
    """The load per (node, ship_by) aggregated from the open lines: one GROUP BY.

    What ``node_load`` holds, computed the slow way: the benchmarks' reference and the
    tests' check that the triggers keep the table right.
    """
    query = _open_load_select().where(
        OrderLine.allocated_node_id.is_not(None), OrderLine.ship_by.between(first, last)
    )
    if node_ids is not None:
        query = query.where(OrderLine.allocated_node_id.in_(node_ids))
    return query


#: The load per (node, ship_by) as the triggers keep it (promesa.store.maintained), built once
#: with bound parameters (``node_ids``, ``first``, ``last``): the hot paths run it many times
#: and building the statement costs more than running it.
_LOAD_ALL = select(
    NodeLoad.node_id, NodeLoad.ship_by, NodeLoad.order_count, NodeLoad.unit_count
).where(
    NodeLoad.ship_by.between(bindparam("first"), bindparam("last")),
    NodeLoad.order_count > 0,
)
_LOAD_STMT = _LOAD_ALL.where(NodeLoad.node_id.in_(bindparam("node_ids", expanding=True)))


_OVERRIDES_IN_RANGE = select(
    NodeCapacity.node_id, NodeCapacity.day, NodeCapacity.orders, NodeCapacity.units,
    NodeCapacity.reason,
).where(NodeCapacity.day.between(bindparam("first"), bindparam("last")))
_OVERRIDES_STMT = _OVERRIDES_IN_RANGE.where(NodeCapacity.node_id.in_(bindparam("node_ids", expanding=True)))
#: Above this many nodes the overrides of the range are read whole and filtered here: overrides
#: are few (peaks and closures), and rendering a long IN list cost more than the rows.
OVERRIDES_IN_LIST_MAX = 50


def open_load(session: Session, node_ids: list[str] | None, first: date, last: date) -> Any:
    """(node, ship_by, orders, units) of the given nodes (None: every node) in the range."""
    window = {"first": first, "last": last}
    if node_ids is None:  # no IN list of every node to render on each call
        return core_execute(session, _LOAD_ALL, window)
    return core_execute(session, _LOAD_STMT, {**window, "node_ids": list(node_ids)})


def capacity_overrides(session: Session, node_ids: list[str], first: date, last: date) -> Any:
    """Plain rows (node_id, day, orders, units, reason) of the overrides in ``[first, last]``.

    With many nodes the whole range is read and the caller keeps its nodes' rows.
    """
    params: dict[str, Any] = {"first": first, "last": last}
    if len(node_ids) > OVERRIDES_IN_LIST_MAX:
        return core_execute(session, _OVERRIDES_IN_RANGE, params)
    return core_execute(session, _OVERRIDES_STMT, {**params, "node_ids": list(node_ids)})


#: Allocated (unpicked) lines whose node no longer holds the quantity. Only positions whose
#: on-hand no longer covers what they have reserved can have such a line (reservations include
#: every open line's quantity), and a partial index holds exactly those: the query reads the
#: few short positions instead of every open line.
SHORT_STOCK_ALL = (
    select(Order.id, Order.promised_date, Order.total, OrderLine.allocated_node_id,
           OrderLine.ship_by, OrderLine.sku, OrderLine.quantity, InventoryPosition.on_hand)
    .select_from(InventoryPosition)
    .join(OrderLine, and_(OrderLine.allocated_node_id == InventoryPosition.node_id,
                          OrderLine.sku == InventoryPosition.sku))
    .join(Order, Order.id == OrderLine.order_id)
    .where(InventoryPosition.on_hand < InventoryPosition.reserved,
           OrderLine.ship_by.between(bindparam("first"), bindparam("last")),
           OrderLine.status == LineStatus.allocated,
           InventoryPosition.on_hand < OrderLine.quantity)
)
#: The same at the given nodes (every node needs no IN list to render on each call).
SHORT_STOCK_AT = SHORT_STOCK_ALL.where(
    InventoryPosition.node_id.in_(bindparam("node_ids", expanding=True)))
#: Orders with the carrier, promised in the window, whose latest delay exception moves them past
#: the promise. ``carrier_eta`` and ``carrier_days_late`` are kept by triggers
#: (promesa.store.maintained) and a partial index covers the orders that have them, so these
#: read the delayed orders only, without date arithmetic per row; they can be
#: thousands on a big world, so the database counts and ranks them and only a page comes back.
_DELAY_DAYS = Order.carrier_days_late
_DELAY_LEVEL = (case((_DELAY_DAYS >= 3, 3), else_=_DELAY_DAYS)
                + case((Order.total >= HIGH_VALUE_MXN, 1), else_=0))
#: :func:`promesa.domain.risk_sources.severity` in SQL: days late capped at 3, one level up for a high-value order
_DELAY_RANK = case((_DELAY_LEVEL > 3, 3), else_=_DELAY_LEVEL)
_DELAYED_WHERE = (Order.status.in_(IN_CARRIER),
                  Order.promised_date.between(bindparam("first"), bindparam("last")),
                  Order.carrier_days_late > 0)
DELAYED_TOTALS = select(func.count(), func.sum(Order.total)).where(*_DELAYED_WHERE)
DELAYED_RANKED = (
    select(Order.id, Order.promised_date, Order.total, Order.carrier_eta)
    .where(*_DELAYED_WHERE)
    .order_by(_DELAY_RANK.desc(), _DELAY_DAYS.desc(), Order.total.desc(), Order.id)
)
DELAYED_WORST = DELAYED_RANKED.limit(bindparam("limit"))
DELAYED_AMONG = select(Order.id).where(
    *_DELAYED_WHERE, Order.id.in_(bindparam("order_ids", expanding=True)))
#: The delay reasons of the given orders, oldest first (the page's detail text).
DELAY_REASONS = (
    select(TrackingEvent.order_id, TrackingEvent.reason)
    .where(TrackingEvent.order_id.in_(bindparam("order_ids", expanding=True)),
           TrackingEvent.type == TrackingEventType.delay_exception)
    .order_by(TrackingEvent.order_id, TrackingEvent.occurred_at, TrackingEvent.id)
)
#: Allocated lines of the given orders (the unique (order_id, line_no) index serves it).
ALLOCATED_LINES = select(OrderLine.order_id, OrderLine.sku, OrderLine.quantity).where(
    OrderLine.order_id.in_(bindparam("order_ids", expanding=True)),
    OrderLine.status == LineStatus.allocated,
)

#: Open orders of the given nodes and ship-by days, oldest first. Two IN lists (a superset of
#: the wanted (node, ship-by) pairs, filtered in Python) are index seeks on both backends and
#: a statement built once; one OR term per pair cost more to build than to run.
BUCKET_ORDERS = (
    select(OrderLine.allocated_node_id, OrderLine.ship_by, Order.id, Order.promised_date, Order.total)
    .join(Order, Order.id == OrderLine.order_id)
    .where(OrderLine.allocated_node_id.in_(bindparam("node_ids", expanding=True)),
           OrderLine.ship_by.in_(bindparam("days", expanding=True)),
           OrderLine.status.in_(OPEN_LINE_STATES))
    .group_by(OrderLine.allocated_node_id, OrderLine.ship_by, Order.id, Order.promised_date,
              Order.total, Order.created_at)
    .order_by(OrderLine.allocated_node_id, OrderLine.ship_by, Order.created_at, Order.id)
)
