"""The ways an order misses its promise, each found with its own query.

- the node's queue (:mod:`promesa.domain.load`): its backlog pushes the order past its ship-by
  (``over_capacity``), or the ship-by has passed / today's cut-off is gone (``cutoff_missed``);
- stock: the allocated node's on-hand no longer covers the line (``out_of_stock``);
- the carrier: its latest delay exception moves the order past the promise (``carrier_delay``).

Each finder returns plain dicts (the kwargs of ``AtRiskOrder`` plus its ``value``): on a big
world they are thousands, and :func:`promesa.domain.capacity.scan_risk` turns only one page
of them into records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from promesa.domain import store_queries as q
from promesa.domain.calendar import ShipCalendar
from promesa.domain.deps import Deps
from promesa.domain.inventory import atp_by_node
from promesa.domain.load import NodePlan
from promesa.domain.reference import reference
from promesa.domain.store_queries import HIGH_VALUE_MXN, core_execute

SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
#: One at-risk order before it becomes a record: AtRiskOrder's fields plus ``value`` (Decimal).
Risk = dict[str, Any]


def severity(days_late: int, value: Decimal) -> str:
    """Low | medium | high | critical by days late (0, 1, 2, 3+), one level up from 5,000 MXN."""
    levels = ["low", "medium", "high", "critical"]
    level = min(3, max(0, days_late))
    if value >= HIGH_VALUE_MXN:
        level = min(3, level + 1)
    return levels[level]


@dataclass
class QueueLate:
    """The orders the queues make late, and how many late slots the buckets hold in all."""

    risks: dict[str, Risk] = field(default_factory=dict)
    late_orders: int = 0


def queue_late(deps: Deps, plans: Mapping[str, NodePlan], *, today: date, sim_start: date,
               earliest_due: date, last: date) -> QueueLate:
    """The orders each node's simulated queue ships after their ship-by (or not by ``last``).

    Args:
        deps: Session and clock.
        plans: The simulation of each node, from ``sim_start``.
        today: The business day of ``deps.now``.
        sim_start: First simulated day (today, or the window start if earlier).
        earliest_due: Buckets due before this are another window's risk.
        last: Last day of the window.
    """
    session = deps.session
    result = QueueLate()
    # the last orders (by creation) of each late bucket are the late ones
    late_by_bucket: dict[tuple[str, date], list[tuple[date | None, str]]] = defaultdict(list)
    ref_nodes = reference(session).nodes

    @cache
    def ship_calendar_first_day(timezone: str, hours: int, cutoff: time, weekdays: str) -> date:
        return ShipCalendar(timezone, hours, cutoff, weekdays).first_ship_day(deps.now)

    def first_day(node_id: str) -> date:
        """The node's first possible ship day given today's cut-off (nodes share calendars)."""
        node = ref_nodes[node_id]
        return ship_calendar_first_day(node.timezone, node.processing_hours, node.cutoff_time,
                                       node.ship_weekdays)

    for node_id, plan in plans.items():
        for ship_by, day, orders, _units in plan.shipped:
            # on time and not due today: the common case, decided without a calendar
            if day <= ship_by and ship_by > today or ship_by < earliest_due:
                continue
            cutoff = ship_by < sim_start or (ship_by == today and first_day(node_id) > today)
            if day > ship_by or cutoff:
                reason = "cutoff_missed" if cutoff else "over_capacity"
                late_by_bucket[(node_id, ship_by)].extend(
                    [(max(day, first_day(node_id)), reason)] * orders)
        # work still queued after the horizon (bucket sizes are the simulation's own input)
        if plan.days and plan.days[-1].backlog_orders:
            shipped_by_bucket: dict[date, int] = defaultdict(int)
            for part in plan.shipped:
                shipped_by_bucket[part.ship_by] += part.orders
            for bucket in plan.buckets:
                if bucket.ship_by > last or bucket.ship_by < earliest_due:
                    continue
                left = bucket.orders - shipped_by_bucket.get(bucket.ship_by, 0)
                if left > 0:
                    late_by_bucket[(node_id, bucket.ship_by)].extend([(None, "over_capacity")] * left)
    bucket_orders = _bucket_orders(deps, list(late_by_bucket))
    for (node_id, ship_by), slots in late_by_bucket.items():
        oldest_first = bucket_orders.get((node_id, ship_by), [])
        # the last len(slots) orders of the bucket are the late ones (FIFO by creation)
        for (order_id, promised, total), (ship_day, reason) in zip(oldest_first[-len(slots):], slots,
                                                                   strict=False):
            late = (ship_day - ship_by).days if ship_day else (last + timedelta(days=1) - ship_by).days
            if reason == "cutoff_missed":
                detail = (f"ship-by {ship_by} at {node_id} has passed or today's cut-off is gone; "
                          f"earliest ship day {ship_day}")
            elif ship_day is None:
                detail = f"{node_id}'s backlog does not clear its ship-by {ship_by} bucket by {last}"
            else:
                detail = f"{node_id}'s backlog pushes shipping from ship-by {ship_by} to {ship_day}"
            result.risks[order_id] = dict(
                order_id=order_id, node_id=node_id, reason=reason, detail=detail, ship_by=ship_by,
                expected_ship_day=ship_day, promised_date=promised, days_late=max(1, late),
                value=total, severity=severity(max(1, late), total),
            )
    result.late_orders = sum(len(v) for v in late_by_bucket.values())
    return result


def short_stock(deps: Deps, node_ids: list[str] | None, window: dict[str, Any]) -> list[Risk]:
    """Allocated (unpicked) lines in the window whose node no longer holds their quantity."""
    short = (core_execute(deps.session, q.SHORT_STOCK_ALL, window) if node_ids is None else
             core_execute(deps.session, q.SHORT_STOCK_AT, {**window, "node_ids": node_ids})).all()
    risks: dict[str, Risk] = {}
    for order_id, promised, total, node_id, ship_by, sku, qty, on_hand in short:
        risks.setdefault(order_id, dict(
            order_id=order_id, node_id=node_id, reason="out_of_stock",
            detail=f"{node_id} holds {on_hand or 0} of {sku}, the order needs {qty}",
            ship_by=ship_by, expected_ship_day=None, promised_date=promised, days_late=0,
            value=total, severity=severity(2, total),
        ))
    return list(risks.values())


@dataclass
class CarrierDelays:
    """All delayed orders counted and valued; the worst ``wanted`` of them as risks."""

    count: int = 0
    value: Decimal = Decimal(0)
    worst: list[Risk] = field(default_factory=list)
    #: Orders of the other reasons that are with the carrier (the delay is what decides)
    superseded: set[str] = field(default_factory=set)


def carrier_delays(deps: Deps, window: dict[str, Any], *, among: list[str],
                   wanted: int | None) -> CarrierDelays:
    """Orders with the carrier, promised in the window, whose latest delay breaks the promise.

    Args:
        deps: Session.
        window: ``first`` and ``last`` promised day.
        among: Orders at risk for another reason: those found delayed too are ``superseded``.
        wanted: How many of the worst to return (None: all), ranked as the scan ranks.
    """
    session = deps.session
    count, total = core_execute(session, q.DELAYED_TOTALS, window).one()
    found = CarrierDelays(count=int(count), value=Decimal(str(total or 0)))
    if among:
        found.superseded = {order_id for (order_id,) in core_execute(
            session, q.DELAYED_AMONG, {**window, "order_ids": among})}
    statement, params = ((q.DELAYED_RANKED, window) if wanted is None
                         else (q.DELAYED_WORST, {**window, "limit": wanted}))
    found.worst = [_delay_risk(*row) for row in core_execute(session, statement, params)]
    return found


def _delay_risk(order_id: str, promised: date, total: Decimal, revised: date) -> Risk:
    late = (revised - promised).days
    return dict(order_id=order_id, node_id=None, reason="carrier_delay", detail="",
                ship_by=None, expected_ship_day=None, promised_date=promised, days_late=late,
                value=total, severity=severity(late, total), revised=revised)


def explain_delays(deps: Deps, risks: list[Risk]) -> None:
    """Fill in the detail of carrier-delay risks with the carrier's latest reason."""
    if not risks:
        return
    why: dict[str, str | None] = {}
    for order_id, reason in core_execute(deps.session, q.DELAY_REASONS,
                                         {"order_ids": [r["order_id"] for r in risks]}):
        why[order_id] = reason or why.get(order_id)
    for risk in risks:
        risk["detail"] = (f"carrier delay ({why.get(risk['order_id']) or 'no reason given'}): "
                          f"revised ETA {risk.pop('revised')}, promised {risk['promised_date']}")


def _bucket_orders(
    deps: Deps, buckets: list[tuple[str, date]]
) -> dict[tuple[str, date], list[tuple[str, date, Decimal]]]:
    """Open orders of each (node, ship-by) bucket, oldest first: one query for all buckets."""
    if not buckets:
        return {}
    wanted = set(buckets)
    rows = core_execute(deps.session, q.BUCKET_ORDERS, {
        "node_ids": sorted({n for n, _ in wanted}), "days": sorted({d for _, d in wanted}),
    })
    result: dict[tuple[str, date], list[tuple[str, date, Decimal]]] = defaultdict(list)
    for node_id, ship_by, order_id, promised, total in rows:
        if (node_id, ship_by) in wanted:
            result[(node_id, ship_by)].append((order_id, promised, total))
    return result


def reroutable(deps: Deps, risks: list[Risk]) -> set[str]:
    """Orders whose open lines another node could supply (one ATP query for all)."""
    movable = {r["order_id"]: r["node_id"] for r in risks if r["reason"] != "carrier_delay"}
    if not movable:
        return set()
    lines = core_execute(deps.session, q.ALLOCATED_LINES, {"order_ids": list(movable)}).all()
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
