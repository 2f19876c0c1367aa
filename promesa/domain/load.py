"""Committed load against daily capacity, per node and day, with backlog carried forward.

The committed load of a node on a day is every open order line allocated to it whose ``ship_by``
is that day. When a day's load exceeds its capacity the rest is carried to the next day, first
in first out by ``ship_by``; anything carried past its own ship-by day is late. The load per
node and ship-by is read from ``node_load``, which database triggers keep equal to grouping the
open lines (:mod:`promesa.store.maintained`), and feeds the queue: both simulations here (the
node-day plan and the backlog ship day) run the same day step,
:func:`promesa.domain.queue.ship_one_day`, over the capacity calendar
(:mod:`promesa.domain.capacity_calendar`); the statements are in
:mod:`promesa.domain.store_queries`.

These functions take a ``Session`` (not ``Deps``): they answer no principal-specific question
and are shared by order status, the risk scan and reroute proposals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pydantic import Field, TypeAdapter
from sqlalchemy.orm import Session

from promesa.domain.capacity_calendar import CapacityCalendar, capacity_calendars
from promesa.domain.queue import Bucket, Capacity, Shipped, ship_one_day, utilisation
from promesa.domain.records import Record
from promesa.domain.reference import reference
from promesa.domain.store_queries import core_execute, open_load, open_load_query
from promesa.errors import Conflict, NotFound

#: Names other modules import from here (their homes are the modules above).
__all__ = [
    "MAX_QUEUE_DAYS", "OVERDUE_LOOKBACK_DAYS", "Bucket", "Capacity", "CapacityCalendar", "NodeDay",
    "NodePlan", "Shipped", "capacity_calendars", "core_execute", "load_buckets", "node_days",
    "open_load_query", "plan_nodes", "queue_ship_day", "ship_day_with_backlog", "simulate",
]

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


@dataclass
class NodePlan:
    """One node's simulated queue: its days, the parts it ships, and the work it started with."""

    days: list[NodeDay]
    shipped: list[Shipped] = field(default_factory=list)
    #: The node's open work as loaded (untouched by the simulation): ship-by → orders, units.
    buckets: list[Bucket] = field(default_factory=list)


def load_buckets(
    session: Session, node_ids: list[str], first: date, last: date
) -> dict[str, list[Bucket]]:
    """Open work per node as ship-by buckets between ``first`` and ``last``: one query."""
    buckets: dict[str, list[Bucket]] = {n: [] for n in node_ids}
    if not node_ids:
        return buckets
    for node_id, ship_by, orders, units in open_load(session, node_ids, first, last):
        buckets[node_id].append(Bucket(ship_by, int(orders), int(units or 0)))
    return buckets


def simulate(node_id: str, buckets: list[Bucket], capacity: dict[date, Capacity], start: date,
             days: int) -> NodePlan:
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
    queue: tuple[Bucket, ...] = ()
    plan = NodePlan(days=[], buckets=pending)
    rows: list[dict[str, Any]] = []
    index, count = 0, len(pending)
    start = horizon[0]
    # running totals of the queue, so no day re-sums it
    queued_orders = queued_units = 0
    for day, cap in zip(horizon, capacity, strict=True):
        carried_orders, carried_units = queued_orders, queued_units
        due_orders = due_units = overdue = 0
        first_due = index
        while index < count and pending[index].ship_by <= day:
            bucket = pending[index]
            due_orders += bucket.orders
            due_units += bucket.units
            if bucket.ship_by < start:
                overdue += bucket.orders
            index += 1
        if index > first_due:
            queue += tuple(pending[first_due:index])
        queued_orders += due_orders
        queued_units += due_units
        step = ship_one_day(queue, day, cap)
        queue = step.waiting
        plan.shipped.extend(step.shipped)
        queued_orders -= step.orders
        queued_units -= step.units
        rows.append({
            "node_id": node_id, "day": day, "ships": cap.ships,
            "capacity_orders": cap.orders, "capacity_units": cap.units,
            "capacity_source": cap.source,
            "due_orders": due_orders, "due_units": due_units, "overdue_orders": overdue,
            "carried_in_orders": carried_orders, "carried_in_units": carried_units,
            "planned_orders": step.orders, "planned_units": step.units,
            "backlog_orders": queued_orders, "backlog_units": queued_units,
            "utilisation": utilisation(due_orders + carried_orders, due_units + carried_units, cap),
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
        for node_id, ship_by, orders, units in open_load(session, ids, first, last):
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

    The same day step as :func:`simulate`, without building records (the reroute engine runs it
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
    queue: tuple[Bucket, ...] = ()
    index = 0
    day = earliest
    queued_orders = queued_units = 0  # running totals of the queue
    for _ in range(MAX_QUEUE_DAYS + (target - earliest).days):
        while index < len(pending) and pending[index][0] <= day:
            key, (orders, units) = pending[index]
            queue += (Bucket(key, orders, units),)
            queued_orders += orders
            queued_units += units
            index += 1
        cap = calendar.on(day)
        step = ship_one_day(queue, day, cap)
        if step.cleared(target):
            return day, utilisation(queued_orders, queued_units, cap)
        queue = step.waiting
        queued_orders -= step.orders
        queued_units -= step.units
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
