"""Committed load against daily capacity, per node and day, with backlog carried forward.

The committed load of a node on a day is every open order line allocated to it whose ``ship_by``
is that day. When a day's load exceeds its capacity the rest is carried to the next day, first
in first out by ``ship_by``; anything carried past its own ship-by day is late. The load per
node and ship-by is read from ``node_load``, which database triggers keep equal to grouping the
open lines (:mod:`promesa.store.maintained`), and feeds a small Python simulation.

These functions take a ``Session`` (not ``Deps``): they answer no principal-specific question
and are shared by order status, the risk scan and reroute proposals.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from pydantic import Field, TypeAdapter
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from promesa.domain.calendar import is_working_day
from promesa.domain.records import Record
from promesa.domain.reference import NodeRef, reference
from promesa.errors import Conflict, NotFound
from promesa.store.enums import OPEN_LINE_STATES
from promesa.store.models import NodeCapacity, NodeLoad, OrderLine

#: How far back overdue open lines are looked for (older ones are data errors, not load).
OVERDUE_LOOKBACK_DAYS = 30
#: Longest horizon ``ship_day_with_backlog`` simulates before declaring the queue unbounded.
MAX_QUEUE_DAYS = 366


class NodeDay(Record):
    """One node on one day: capacity, committed load, carried backlog and utilisation."""

    node_id: str
    day: date
    ships: bool = Field(description="False on the node's non-shipping weekdays.")
    capacity_orders: int
    capacity_units: int
    capacity_source: str = Field(description="'default', 'override: <reason>' or 'closed'.")
    due_orders: int = Field(description="Open orders whose ship-by is this day (overdue on day 1).")
    due_units: int
    overdue_orders: int = Field(0, description="Of due_orders, those already past ship-by.")
    carried_in_orders: int = 0
    carried_in_units: int = 0
    planned_orders: int = Field(description="Orders the node can ship this day (FIFO).")
    planned_units: int
    backlog_orders: int = Field(description="Orders carried to the next day: all will be late.")
    backlog_units: int
    utilisation: float | None = Field(
        description="Demand (due + carried) over capacity, the larger of orders and units; "
        "None when capacity is zero."
    )
    at_risk_orders: int = Field(
        0, description="At-risk orders of this node due to ship this day (filled by the risk scan; "
        "the same orders its at-risk list gives for the node and ship-by day).")

    @property
    def over_capacity(self) -> bool:
        return self.backlog_orders > 0


_NODE_DAYS = TypeAdapter(list[NodeDay])


@dataclass(slots=True)
class Bucket:
    """Open work of one node with one ship-by date."""

    ship_by: date
    orders: int
    units: int


class Shipped(NamedTuple):
    """Part of a bucket leaving on ``day`` (``day > ship_by`` means late)."""

    ship_by: date
    day: date
    orders: int
    units: int


@dataclass
class NodePlan:
    days: list[NodeDay]
    shipped: list[Shipped] = field(default_factory=list)
    #: The node's open work as loaded (untouched by the simulation): ship-by → orders, units.
    buckets: list[Bucket] = field(default_factory=list)


@dataclass(frozen=True)
class Capacity:
    orders: int
    units: int
    ships: bool
    source: str


def _open_load_select():  # noqa: ANN202 - a SQLAlchemy Select
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


def open_load_query(node_ids: list[str] | None, first: date, last: date):  # noqa: ANN201
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
_OVERRIDES_IN_LIST_MAX = 50


def core_execute(session: Session, statement: Any, params: dict[str, Any]) -> Any:
    """Run a Core statement on the session's connection, in its transaction.

    Skips the ORM's result wrapping (a large share of a scan's time on big worlds) but keeps
    its read-your-writes behaviour: pending ORM changes are flushed first, as autoflush would.
    """
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    return session.connection().execute(statement, params)


def _open_load(session: Session, node_ids: list[str] | None, first: date, last: date):  # noqa: ANN202
    """(node, ship_by, orders, units) of the given nodes (None: every node) in the range."""
    window = {"first": first, "last": last}
    if node_ids is None:  # no IN list of every node to render on each call
        return core_execute(session, _LOAD_ALL, window)
    return core_execute(session, _LOAD_STMT, {**window, "node_ids": list(node_ids)})


@dataclass
class CapacityCalendar:
    """A node's daily capacity: its defaults, per-date overrides and non-shipping weekdays."""

    node: NodeRef
    overrides: dict[date, Any] = field(default_factory=dict)  # rows with orders, units, reason

    def on(self, day: date) -> Capacity:
        if not self.node.active or not is_working_day(day, self.node.ship_weekdays):
            return Capacity(0, 0, False, "closed")
        override = self.overrides.get(day)
        if override is not None:
            return Capacity(override.orders, override.units, True, f"override: {override.reason or '-'}")
        return Capacity(self.node.capacity_orders, self.node.capacity_units, True, "default")


def capacity_calendars(
    session: Session, nodes: Iterable[NodeRef], first: date, last: date
) -> dict[str, CapacityCalendar]:
    """Capacity calendars of ``nodes`` with the overrides between ``first`` and ``last``."""
    nodes = list(nodes)
    calendars = {n.id: CapacityCalendar(n, {}) for n in nodes}
    if not calendars:
        return calendars
    # plain rows (node_id, day, orders, units, reason), not ORM objects: nothing to track
    params: dict[str, Any] = {"first": first, "last": last}
    if len(calendars) > _OVERRIDES_IN_LIST_MAX:
        rows = core_execute(session, _OVERRIDES_IN_RANGE, params)
    else:
        rows = core_execute(session, _OVERRIDES_STMT, {**params, "node_ids": list(calendars)})
    for row in rows:
        if row.node_id in calendars:
            calendars[row.node_id].overrides[row.day] = row
    return calendars


def node_capacities(
    session: Session, nodes: Iterable[NodeRef], first: date, last: date
) -> dict[tuple[str, date], Capacity]:
    """Capacity of every node on every day of ``[first, last]``: overrides, else defaults."""
    result: dict[tuple[str, date], Capacity] = {}
    for node_id, calendar in capacity_calendars(session, nodes, first, last).items():
        day = first
        while day <= last:
            result[(node_id, day)] = calendar.on(day)
            day += timedelta(days=1)
    return result


def load_buckets(
    session: Session, node_ids: list[str], first: date, last: date
) -> dict[str, list[Bucket]]:
    """Open work per node as ship-by buckets between ``first`` and ``last``: one query."""
    buckets: dict[str, list[Bucket]] = {n: [] for n in node_ids}
    if not node_ids:
        return buckets
    for node_id, ship_by, orders, units in _open_load(session, node_ids, first, last):
        buckets[node_id].append(Bucket(ship_by, int(orders), int(units or 0)))
    return buckets


def _take(bucket: Bucket, rem_orders: int, rem_units: int) -> tuple[int, int]:
    """How many orders and units of ``bucket`` fit in what is left of the day.

    Orders are treated as interchangeable within a bucket (its average units per order), so
    whichever of the two limits binds first decides.
    """
    if 0 < bucket.orders <= rem_orders and bucket.units <= rem_units:
        return bucket.orders, bucket.units  # the whole bucket fits: the common case, no division
    if bucket.orders == 0:
        return 0, min(bucket.units, rem_units)
    by_units = bucket.orders if bucket.units == 0 else (rem_units * bucket.orders) // bucket.units
    n = max(0, min(bucket.orders, rem_orders, by_units))
    if n == bucket.orders:
        return n, bucket.units
    return n, (bucket.units * n) // bucket.orders


def _utilisation(demand_orders: int, demand_units: int, cap: Capacity) -> float | None:
    """Demand over capacity, the larger of orders and units (4 places); None at zero capacity."""
    if cap.orders == 0 or cap.units == 0:
        return None
    by_orders, by_units = demand_orders / cap.orders, demand_units / cap.units
    return round(by_orders if by_orders >= by_units else by_units, 4)


def simulate(
    node_id: str,
    buckets: list[Bucket],
    capacity: dict[date, Capacity],
    start: date,
    days: int,
) -> NodePlan:
    """Run the FIFO queue of one node over ``days`` days from ``start``.

    Buckets with ``ship_by`` before ``start`` are overdue and join the queue on the first day.
    """
    horizon = [start + timedelta(days=offset) for offset in range(days)]
    plan, rows = _simulate(node_id, buckets, [capacity[day] for day in horizon], horizon)
    plan.days = _NODE_DAYS.validate_python(rows)
    return plan


def _simulate(
    node_id: str, buckets: list[Bucket], capacity: list[Capacity], horizon: list[date]
) -> tuple[NodePlan, list[dict[str, Any]]]:
    """:func:`simulate` without building the records: the plan and one row dict per day."""
    pending = sorted(buckets, key=lambda b: b.ship_by)
    queue: deque[Bucket] = deque()
    plan = NodePlan(days=[], buckets=pending)
    rows: list[dict[str, Any]] = []
    index, count = 0, len(pending)
    start = horizon[0]
    # running totals of the queue, so no day re-sums it
    queued_orders = queued_units = 0
    for day, cap in zip(horizon, capacity):
        carried_orders, carried_units = queued_orders, queued_units
        due_orders = due_units = overdue = 0
        while index < count and pending[index].ship_by <= day:
            bucket = pending[index]
            queue.append(Bucket(bucket.ship_by, bucket.orders, bucket.units))
            due_orders += bucket.orders
            due_units += bucket.units
            if bucket.ship_by < start:
                overdue += bucket.orders
            index += 1
        queued_orders += due_orders
        queued_units += due_units
        rem_orders, rem_units = cap.orders, cap.units
        planned_orders = planned_units = 0
        while queue and (rem_orders > 0 or queue[0].orders == 0):
            head = queue[0]
            n, u = _take(head, rem_orders, rem_units)
            if n == 0 and not (head.orders == 0 and u == head.units):
                break
            plan.shipped.append(Shipped(head.ship_by, day, n, u))
            head.orders -= n
            head.units -= u
            rem_orders -= n
            rem_units -= u
            planned_orders += n
            planned_units += u
            if head.orders == 0:
                queue.popleft()
            else:
                break
        queued_orders -= planned_orders
        queued_units -= planned_units
        demand_orders = due_orders + carried_orders
        demand_units = due_units + carried_units
        rows.append({
            "node_id": node_id, "day": day, "ships": cap.ships,
            "capacity_orders": cap.orders, "capacity_units": cap.units,
            "capacity_source": cap.source,
            "due_orders": due_orders, "due_units": due_units, "overdue_orders": overdue,
            "carried_in_orders": carried_orders, "carried_in_units": carried_units,
            "planned_orders": planned_orders, "planned_units": planned_units,
            "backlog_orders": queued_orders, "backlog_units": queued_units,
            "utilisation": _utilisation(demand_orders, demand_units, cap),
        })
    return plan, rows


def plan_nodes(
    session: Session, *, node_ids: list[str] | None, start: date, days: int
) -> dict[str, NodePlan]:
    """The queue simulation of every (or the given) active node over the horizon."""
    if days < 1:
        raise ValueError("days must be at least 1")
    last = start + timedelta(days=days - 1)
    known = reference(session).nodes
    wanted = sorted(known) if node_ids is None else sorted(set(node_ids))
    nodes = [known[n] for n in wanted if n in known]
    if node_ids is not None:
        missing = sorted(set(node_ids) - {n.id for n in nodes})
        if missing:
            raise NotFound(f"unknown node(s): {', '.join(missing)}", node_ids=missing)
    calendars = capacity_calendars(session, nodes, start, last)
    horizon = [start + timedelta(days=offset) for offset in range(days)]
    buckets: dict[str, list[Bucket]] = defaultdict(list)
    first = start - timedelta(days=OVERDUE_LOOKBACK_DAYS)
    if nodes:
        ids = None if node_ids is None else [n.id for n in nodes]
        for node_id, ship_by, orders, units in _open_load(session, ids, first, last):
            buckets[node_id].append(Bucket(ship_by, int(orders), int(units or 0)))
    plans: dict[str, NodePlan] = {}
    rows: list[dict[str, Any]] = []
    # nodes sharing a default calendar share its days: computed once per kind, not per node
    shared: dict[tuple[Any, ...], list[Capacity]] = {}
    for node in nodes:
        calendar = calendars[node.id]
        key = (node.active, node.ship_weekdays, node.capacity_orders, node.capacity_units)
        if key not in shared:
            shared[key] = [CapacityCalendar(node).on(day) for day in horizon]
        capacity = shared[key]
        if calendar.overrides:
            capacity = [calendar.on(day) for day in horizon]
        plans[node.id], node_rows = _simulate(node.id, buckets.get(node.id, []), capacity, horizon)
        rows.extend(node_rows)
    # one validation call for every node-day: pydantic-core loops in Rust
    records = _NODE_DAYS.validate_python(rows)
    for offset, plan in enumerate(plans.values()):
        plan.days = records[offset * days:(offset + 1) * days]
    return plans


def node_days(
    session: Session, *, node_ids: list[str] | None, start: date, days: int
) -> list[NodeDay]:
    """Capacity, committed load, backlog and utilisation per node and day, node-major order."""
    plans = plan_nodes(session, node_ids=node_ids, start=start, days=days)
    return [row for plan in plans.values() for row in plan.days]


def queue_ship_day(
    buckets: list[Bucket],
    calendar: CapacityCalendar,
    *,
    earliest: date,
    target: date,
    extra_orders: int = 0,
    extra_units: int = 0,
) -> tuple[date, float | None] | None:
    """When the last order due ``target`` leaves, and that day's utilisation (demand/capacity).

    Same FIFO model as :func:`simulate`, without building records (the reroute engine runs it
    for many node × service pairs). Buckets due after ``target`` are ignored; overdue ones join
    on ``earliest``. ``None`` when the queue does not clear within ``MAX_QUEUE_DAYS``.
    """
    target = max(target, earliest)
    merged: dict[date, list[int]] = {}
    for bucket in buckets:
        if bucket.ship_by <= target:
            entry = merged.setdefault(max(bucket.ship_by, earliest), [0, 0])
            entry[0] += bucket.orders
            entry[1] += bucket.units
    mine = merged.setdefault(target, [0, 0])
    mine[0] = max(1, mine[0] + extra_orders)
    mine[1] += extra_units
    pending = sorted(merged.items())
    queue: deque[Bucket] = deque()
    index = 0
    day = earliest
    queued_orders = queued_units = 0  # running totals of the queue
    for _ in range(MAX_QUEUE_DAYS + (target - earliest).days):
        while index < len(pending) and pending[index][0] <= day:
            key, (orders, units) = pending[index]
            queue.append(Bucket(key, orders, units))
            queued_orders += orders
            queued_units += units
            index += 1
        cap = calendar.on(day)
        demand_orders, demand_units = queued_orders, queued_units
        rem_orders, rem_units = cap.orders, cap.units
        while queue and rem_orders > 0:
            head = queue[0]
            n, u = _take(head, rem_orders, rem_units)
            if n == 0:
                break
            head.orders -= n
            head.units -= u
            queued_orders -= n
            queued_units -= u
            rem_orders -= n
            rem_units -= u
            if head.orders:
                break
            queue.popleft()
            if head.ship_by == target:
                return day, _utilisation(demand_orders, demand_units, cap)
        day += timedelta(days=1)
    return None


def ship_day_with_backlog(
    session: Session,
    *,
    node_id: str,
    earliest: date,
    ship_by: date,
    extra_orders: int = 0,
    extra_units: int = 0,
) -> date:
    """The day an order due ``ship_by`` at ``node_id`` actually leaves, given the queue.

    The node's queue is simulated as in :func:`node_days` from ``earliest`` on: orders with an
    earlier or equal ship-by go first, and the order is taken as the last of its ship-by day (a
    conservative reading). ``extra_orders``/``extra_units`` add work not yet in the table (a
    reroute being considered) to that day's bucket.

    Raises:
        NotFound: the node does not exist.
        Conflict: the node cannot clear the queue within a year.
    """
    node = reference(session).nodes.get(node_id)
    if node is None:
        raise NotFound(f"node {node_id} does not exist", node_id=node_id)
    first = earliest - timedelta(days=OVERDUE_LOOKBACK_DAYS)
    buckets = load_buckets(session, [node_id], first, ship_by)[node_id]
    horizon = max(ship_by, earliest) + timedelta(days=MAX_QUEUE_DAYS)
    calendar = capacity_calendars(session, [node], earliest, horizon)[node_id]
    found = queue_ship_day(
        buckets, calendar, earliest=earliest, target=ship_by,
        extra_orders=extra_orders, extra_units=extra_units,
    )
    if found is None:
        raise Conflict(
            f"node {node_id} cannot ship its queue up to {ship_by} within {MAX_QUEUE_DAYS} days",
            node_id=node_id,
        )
    return found[0]
