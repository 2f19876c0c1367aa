"""Promise-vs-capacity risk: which orders will miss their promise in the next days, and why.

Reasons: a node's backlog pushes an order past its ship-by (``over_capacity``), the ship-by
has passed or today's cut-off is gone (``cutoff_missed``), the allocated node no longer has
the stock (``out_of_stock``), or the carrier reported a delay beyond the promise
(``carrier_delay``). Every number comes from the node-day table of :mod:`promesa.domain.load`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import Field, TypeAdapter
from sqlalchemy import and_, bindparam, func, select

from promesa.domain import access, eta as eta_mod
from promesa.domain.deps import Deps
from promesa.domain.inventory import ATP_EXPR, atp_by_node
from promesa.domain.load import (
    OPEN_LINE_STATES,
    OVERDUE_LOOKBACK_DAYS,
    NodeDay,
    NodePlan,
    core_execute,
    plan_nodes,
)
from promesa.domain.records import LateReason, Record
from promesa.domain.reference import reference
from promesa.errors import InvalidInput
from promesa.store.enums import LineStatus, OrderStatus, TrackingEventType
from promesa.store.models import InventoryPosition, Order, OrderLine, Product, TrackingEvent

IN_CARRIER = (OrderStatus.shipped, OrderStatus.in_transit, OrderStatus.out_for_delivery,
              OrderStatus.exception)
HIGH_VALUE_MXN = Decimal("5000")


class AtRiskOrder(Record):
    order_id: str
    node_id: str | None
    reason: LateReason
    detail: str
    ship_by: date | None
    expected_ship_day: date | None = Field(None, description="Day it leaves given the queue.")
    promised_date: date
    days_late: int
    value_mxn: float
    severity: str = Field(description="low | medium | high | critical (days late, bumped by value).")
    reroute_possible: bool = Field(description="Another node has ATP for all its open lines.")


class RiskTotals(Record):
    """Sums over the node-day table, plus the at-risk orders by reason."""

    capacity_orders: int
    capacity_units: int
    due_orders: int
    due_units: int
    planned_orders: int
    planned_units: int
    over_capacity_node_days: int
    backlog_orders_at_end: int
    capacity_late_orders: int = Field(description="Orders the queues push past their ship-by.")
    at_risk_orders: int
    by_reason: dict[str, int]
    value_at_risk_mxn: float


class RiskReport(Record):
    start: date
    days: int
    node_days: list[NodeDay]
    at_risk: list[AtRiskOrder]
    totals: RiskTotals


class OversellRisk(Record):
    sku: str
    online_available: int
    total_atp: int
    excess: int


SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
_AT_RISK_LIST = TypeAdapter(list[AtRiskOrder])

# Statements built once with bound parameters: building a 500-node IN list per call cost more
# than running the query.
#: Allocated (unpicked) lines whose node no longer holds the quantity.
_SHORT_STOCK = (
    select(Order.id, Order.promised_date, Order.total, OrderLine.allocated_node_id,
           OrderLine.ship_by, OrderLine.sku, OrderLine.quantity, InventoryPosition.on_hand)
    .join(Order, Order.id == OrderLine.order_id)
    .outerjoin(InventoryPosition, and_(InventoryPosition.node_id == OrderLine.allocated_node_id,
                                       InventoryPosition.sku == OrderLine.sku))
    .where(OrderLine.allocated_node_id.in_(bindparam("node_ids", expanding=True)),
           OrderLine.ship_by.between(bindparam("first"), bindparam("last")),
           OrderLine.status == LineStatus.allocated,
           func.coalesce(InventoryPosition.on_hand, 0) < OrderLine.quantity)
)
#: Orders with the carrier, promised in the window, whose delay exception moves them past it.
_DELAYED = (
    select(Order.id, Order.promised_date, Order.total, TrackingEvent.revised_eta,
           TrackingEvent.reason)
    .join(TrackingEvent, TrackingEvent.order_id == Order.id)
    .where(Order.status.in_(IN_CARRIER),
           Order.promised_date.between(bindparam("first"), bindparam("last")),
           TrackingEvent.type == TrackingEventType.delay_exception,
           # implied by the two conditions around it, and a range the index can seek
           TrackingEvent.revised_eta > bindparam("first"),
           TrackingEvent.revised_eta > Order.promised_date)
    .order_by(Order.id, TrackingEvent.occurred_at)
)
#: Allocated lines of the given orders (the unique (order_id, line_no) index serves it).
_ALLOCATED_LINES = select(OrderLine.order_id, OrderLine.sku, OrderLine.quantity).where(
    OrderLine.order_id.in_(bindparam("order_ids", expanding=True)),
    OrderLine.status == LineStatus.allocated,
)


def severity(days_late: int, value: Decimal) -> str:
    levels = ["low", "medium", "high", "critical"]
    level = min(3, max(0, days_late))
    if value >= HIGH_VALUE_MXN:
        level = min(3, level + 1)
    return levels[level]


def scan_risk(deps: Deps, *, start: date | None = None, days: int = 7,
              node_ids: list[str] | None = None) -> RiskReport:
    """Node-day table and the orders that will miss their promise, with reasons and severity."""
    access.ensure_staff(deps.principal, "scanning promise risk")
    if not 1 <= days <= 31:
        raise InvalidInput("days must be between 1 and 31", field="days")
    today = deps.now.astimezone(deps.settings.tz).date()
    start = start or today
    session = deps.session
    # Queues always run from today: a window that starts later ("tomorrow") inherits what
    # today ships and what today leaves behind, instead of treating today's work as overdue.
    sim_start = min(start, today)
    plans = plan_nodes(session, node_ids=node_ids, start=sim_start,
                       days=days + (start - sim_start).days)
    rows = [row for plan in plans.values() for row in plan.days if row.day >= start]
    last = start + timedelta(days=days - 1)
    # Orders due before a future window are not that window's risk (a scan of today shows them).
    earliest_due = start if start > today else date.min
    # kwargs of AtRiskOrder per order (built once the reroute check is known)
    found: dict[str, dict[str, Any]] = {}

    # 1) queues: the last orders (by creation) of each late bucket are the late ones
    late_by_bucket: dict[tuple[str, date], list[tuple[date | None, str]]] = defaultdict(list)
    ref_nodes = reference(session).nodes
    first_day = {n: eta_mod.plan_ship(ref_nodes[n], None, deps.now).first_day for n in plans}
    for node_id, plan in plans.items():
        shipped_by_bucket: dict[date, int] = defaultdict(int)
        for part in plan.shipped:
            shipped_by_bucket[part.ship_by] += part.orders
            if part.ship_by < earliest_due:
                continue
            cutoff = part.ship_by < sim_start or (part.ship_by == today and first_day[node_id] > today)
            if part.day > part.ship_by or cutoff:
                reason = "cutoff_missed" if cutoff else "over_capacity"
                late_by_bucket[(node_id, part.ship_by)].extend(
                    [(max(part.day, first_day[node_id]), reason)] * part.orders)
        # work still queued after the horizon (bucket sizes are the simulation's own input)
        if plan.days and plan.days[-1].backlog_orders:
            for bucket in plan.buckets:
                if bucket.ship_by > last or bucket.ship_by < earliest_due:
                    continue
                left = bucket.orders - shipped_by_bucket.get(bucket.ship_by, 0)
                if left > 0:
                    late_by_bucket[(node_id, bucket.ship_by)].extend([(None, "over_capacity")] * left)
    bucket_orders = _bucket_orders(deps, list(late_by_bucket))
    for (node_id, ship_by), slots in late_by_bucket.items():
        orders = bucket_orders.get((node_id, ship_by), [])
        # the last len(slots) orders of the bucket are the late ones (FIFO by creation)
        for (order_id, promised, total), (ship_day, reason) in zip(orders[-len(slots):], slots):
            late = (ship_day - ship_by).days if ship_day else (last + timedelta(days=1) - ship_by).days
            if reason == "cutoff_missed":
                detail = (f"ship-by {ship_by} at {node_id} has passed or today's cut-off is gone; "
                          f"earliest ship day {ship_day}")
            elif ship_day is None:
                detail = f"{node_id}'s backlog does not clear its ship-by {ship_by} bucket by {last}"
            else:
                detail = f"{node_id}'s backlog pushes shipping from ship-by {ship_by} to {ship_day}"
            found[order_id] = dict(
                order_id=order_id, node_id=node_id, reason=reason, detail=detail, ship_by=ship_by,
                expected_ship_day=ship_day, promised_date=promised, days_late=max(1, late),
                value_mxn=float(total), severity=severity(max(1, late), total),
            )

    # 2) stock: allocated (unpicked) lines whose node no longer holds the quantity
    first = earliest_due if start > today else start - timedelta(days=OVERDUE_LOOKBACK_DAYS)
    short = core_execute(
        session, _SHORT_STOCK, {"node_ids": list(plans), "first": first, "last": last}).all()
    for order_id, promised, total, node_id, ship_by, sku, qty, on_hand in short:
        if order_id in found and found[order_id]["reason"] == "out_of_stock":
            continue
        found[order_id] = dict(
            order_id=order_id, node_id=node_id, reason="out_of_stock",
            detail=f"{node_id} holds {on_hand or 0} of {sku}, the order needs {qty}",
            ship_by=ship_by, expected_ship_day=None, promised_date=promised, days_late=0,
            value_mxn=float(total), severity=severity(2, total),
        )

    # 3) carriers: shipped orders with a delay exception beyond the promise
    if node_ids is None:
        delayed = core_execute(session, _DELAYED, {"first": first, "last": last}).all()
        for order_id, promised, total, revised, why in delayed:
            late = (revised - promised).days
            found[order_id] = dict(
                order_id=order_id, node_id=None, reason="carrier_delay",
                detail=f"carrier delay ({why or 'no reason given'}): revised ETA {revised}, promised {promised}",
                ship_by=None, expected_ship_day=None, promised_date=promised, days_late=late,
                value_mxn=float(total), severity=severity(late, total),
            )
    movable = _reroutable(deps, list(found.values()))
    for risk in found.values():
        risk["reroute_possible"] = risk["order_id"] in movable
    ordered = sorted(found.values(), key=lambda r: (-SEVERITY_RANK[r["severity"]], -r["days_late"],
                                                    -r["value_mxn"], r["order_id"]))
    # one validation call for the whole list (thousands of rows on a big world): pydantic-core
    # loops in Rust, faster than building each record (or model_construct) from Python
    at_risk = _AT_RISK_LIST.validate_python(ordered)
    by_reason: dict[str, int] = defaultdict(int)
    for risk in at_risk:
        by_reason[risk.reason] += 1
    totals = RiskTotals(
        capacity_orders=sum(r.capacity_orders for r in rows),
        capacity_units=sum(r.capacity_units for r in rows),
        due_orders=sum(r.due_orders for r in rows), due_units=sum(r.due_units for r in rows),
        planned_orders=sum(r.planned_orders for r in rows),
        planned_units=sum(r.planned_units for r in rows),
        over_capacity_node_days=sum(1 for r in rows if r.backlog_orders > 0),
        backlog_orders_at_end=sum(p.days[-1].backlog_orders for p in plans.values() if p.days),
        capacity_late_orders=sum(len(v) for v in late_by_bucket.values()),
        at_risk_orders=len(at_risk), by_reason=dict(by_reason),
        value_at_risk_mxn=round(sum(r.value_mxn for r in at_risk), 2),
    )
    return RiskReport(start=start, days=days, node_days=rows, at_risk=at_risk, totals=totals)


#: Open orders of the given nodes and ship-by days, oldest first. Two IN lists (a superset of
#: the wanted (node, ship-by) pairs, filtered in Python) are index seeks on both backends and
#: a statement built once; one OR term per pair cost more to build than to run.
_BUCKET_ORDERS = (
    select(OrderLine.allocated_node_id, OrderLine.ship_by, Order.id, Order.promised_date, Order.total)
    .join(Order, Order.id == OrderLine.order_id)
    .where(OrderLine.allocated_node_id.in_(bindparam("node_ids", expanding=True)),
           OrderLine.ship_by.in_(bindparam("days", expanding=True)),
           OrderLine.status.in_(OPEN_LINE_STATES))
    .group_by(OrderLine.allocated_node_id, OrderLine.ship_by, Order.id, Order.promised_date,
              Order.total, Order.created_at)
    .order_by(OrderLine.allocated_node_id, OrderLine.ship_by, Order.created_at, Order.id)
)


def _bucket_orders(
    deps: Deps, buckets: list[tuple[str, date]]
) -> dict[tuple[str, date], list[tuple[str, date, Decimal]]]:
    """Open orders of each (node, ship-by) bucket, oldest first: one query for all buckets."""
    if not buckets:
        return {}
    wanted = set(buckets)
    rows = core_execute(deps.session, _BUCKET_ORDERS, {
        "node_ids": sorted({n for n, _ in wanted}), "days": sorted({d for _, d in wanted}),
    })
    result: dict[tuple[str, date], list[tuple[str, date, Decimal]]] = defaultdict(list)
    for node_id, ship_by, order_id, promised, total in rows:
        if (node_id, ship_by) in wanted:
            result[(node_id, ship_by)].append((order_id, promised, total))
    return result


def _reroutable(deps: Deps, risks: list[dict[str, Any]]) -> set[str]:
    """Orders whose open lines another node could supply (one ATP query for all)."""
    movable = {r["order_id"]: r["node_id"] for r in risks if r["reason"] != "carrier_delay"}
    if not movable:
        return set()
    lines = core_execute(deps.session, _ALLOCATED_LINES, {"order_ids": list(movable)}).all()
    stock = atp_by_node(deps.session, {ln.sku for ln in lines})
    need: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for order_id, sku, qty in lines:
        need[order_id].append((sku, qty))
    possible = set()
    for order_id, wanted in need.items():
        nodes = set.intersection(*[
            {n for n, atp in stock.get(sku, {}).items() if atp >= qty} for sku, qty in wanted
        ])
        if nodes - {movable[order_id]}:
            possible.add(order_id)
    return possible


def oversell_risk(deps: Deps) -> list[OversellRisk]:
    """SKUs the storefront offers (``online_available``) beyond what every node can promise."""
    access.ensure_staff(deps.principal, "checking oversell risk")
    atp = (
        select(InventoryPosition.sku, func.sum(ATP_EXPR).label("atp"))
        .group_by(InventoryPosition.sku)
        .subquery()
    )
    total = func.coalesce(atp.c.atp, 0)
    rows = deps.session.execute(
        select(Product.sku, Product.online_available, total)
        .outerjoin(atp, atp.c.sku == Product.sku)
        .where(Product.online_available > total)
        .order_by((Product.online_available - total).desc(), Product.sku)
    ).all()
    return [OversellRisk(sku=s, online_available=o, total_atp=int(t), excess=o - int(t)) for s, o, t in rows]
