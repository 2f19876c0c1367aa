"""Promise-vs-capacity risk: which orders will miss their promise in the next days, and why.

The node-day table (:mod:`promesa.domain.load`) and the reasons orders miss (a node's backlog,
a missed cut-off, a stock-out, a carrier delay — :mod:`promesa.domain.risk_sources`) become one
report: every node-day, totals over everything, and one page of the at-risk orders, worst first.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any

from pydantic import Field, TypeAdapter
from sqlalchemy import func, select

from promesa.domain import access
from promesa.domain.deps import Deps
from promesa.domain.inventory import ATP_EXPR
from promesa.domain.load import OVERDUE_LOOKBACK_DAYS, NodeDay, NodePlan, plan_nodes
from promesa.domain.records import LateReason, Record
from promesa.domain.risk_sources import (
    SEVERITY_RANK,
    carrier_delays,
    explain_delays,
    queue_late,
    reroutable,
    short_stock,
)
from promesa.errors import InvalidInput
from promesa.store.models import InventoryPosition, Product


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
    at_risk: list[AtRiskOrder] = Field(
        description="One page of the at-risk orders, worst first; the totals count them all."
    )
    totals: RiskTotals
    offset: int = Field(0, description="Position of the page's first order in the full ranking.")
    next_offset: int | None = Field(None, description="Offset of the next page; None on the last.")


class OversellRisk(Record):
    sku: str
    online_available: int
    total_atp: int
    excess: int


#: At-risk orders per page by default, and at most (``limit=None`` asks for all of them).
DEFAULT_PAGE = 100
MAX_PAGE = 1000
#: Deepest page of at-risk orders (a scan never ranks more than this many).
MAX_OFFSET = 100_000
_AT_RISK_LIST = TypeAdapter(list[AtRiskOrder])

def scan_risk(deps: Deps, *, start: date | None = None, days: int = 7,
              node_ids: list[str] | None = None, limit: int | None = DEFAULT_PAGE,
              offset: int = 0) -> RiskReport:
    """Node-day table and the orders that will miss their promise, with reasons and severity.

    Args:
        deps: Session, principal (staff only), clock and settings.
        start: First day of the window; default today.
        days: Length of the window (1–31).
        node_ids: Only these nodes (carrier delays, which belong to no node, are then left out).
        limit: At-risk orders per page, worst first (``None``: all of them). The node-day
            table and the totals always cover everything.
        offset: Skip this many at-risk orders of the ranking (the previous page's ``next_offset``).
    """
    access.ensure_staff(deps.principal, "scanning promise risk")
    if not 1 <= days <= 31:
        raise InvalidInput("days must be between 1 and 31", field="days")
    if limit is not None and not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"offset must be between 0 and {MAX_OFFSET}", field="offset")
    today = deps.now.astimezone(deps.settings.tz).date()
    start = start or today
    # the scan simulates every day from today to the window: its start stays near today
    horizon = deps.settings.risk_horizon_days
    if abs((start - today).days) > horizon:
        raise InvalidInput(f"start must lie within {horizon} days of today ({today})", field="start")
    # Queues always run from today: a window that starts later ("tomorrow") inherits what
    # today ships and what today leaves behind, instead of treating today's work as overdue.
    sim_start = min(start, today)
    plans = plan_nodes(deps.session, node_ids=node_ids, start=sim_start,
                       days=days + (start - sim_start).days)
    rows = [row for plan in plans.values() for row in plan.days if row.day >= start]
    last = start + timedelta(days=days - 1)
    # Orders due before a future window are not that window's risk (a scan of today shows them).
    earliest_due = start if start > today else date.min
    first = earliest_due if start > today else start - timedelta(days=OVERDUE_LOOKBACK_DAYS)
    window: dict[str, Any] = {"first": first, "last": last}

    queue = queue_late(deps, plans, today=today, sim_start=sim_start, earliest_due=earliest_due,
                       last=last)
    found = queue.risks
    # a stock-out is the cause when the queue would also be late
    stock_nodes = None if node_ids is None else list(plans)
    found.update((r["order_id"], r) for r in short_stock(deps, stock_nodes, window))
    wanted = None if limit is None else offset + limit
    delays = None
    if node_ids is None:  # carrier delays belong to no node
        delays = carrier_delays(deps, window, among=list(found), wanted=wanted)
        for order_id in delays.superseded:  # with the carrier, the delay is what decides
            found.pop(order_id)
    by_reason: dict[str, int] = defaultdict(int)
    for risk in found.values():
        by_reason[risk["reason"]] += 1
    value = sum((risk["value"] for risk in found.values()), Decimal(0))
    count = len(found)
    if delays is not None and delays.count:
        by_reason["carrier_delay"] = delays.count
        value += delays.value
        count += delays.count
    # worst first: severity, days late, value, then id (a total order, stable across calls);
    # the best ``offset + limit`` of each source hold the page of the merged ranking
    ranked = heapq.nsmallest(
        count if wanted is None else wanted, [*found.values(), *(delays.worst if delays else [])],
        key=lambda r: (-SEVERITY_RANK[r["severity"]], -r["days_late"], -r["value"], r["order_id"]))
    page = ranked[offset:]
    explain_delays(deps, [r for r in page if r["reason"] == "carrier_delay"])
    movable = reroutable(deps, page)
    for risk in page:
        risk["reroute_possible"] = risk["order_id"] in movable
        risk["value_mxn"] = float(risk.pop("value"))
    # one validation call for the page: pydantic-core loops in Rust
    at_risk = _AT_RISK_LIST.validate_python(page)
    rows = _with_cell_counts(rows, found.values())
    totals = _totals(rows, plans.values(), late_orders=queue.late_orders, at_risk=count,
                     by_reason=dict(by_reason), value=value)
    end = offset + len(at_risk)
    return RiskReport(start=start, days=days, node_days=rows, at_risk=at_risk, totals=totals,
                      offset=offset, next_offset=end if end < count else None)


def cell_day(risk: AtRiskOrder | dict[str, Any]) -> date | None:
    """The node-day an at-risk order is counted in: its ship-by day (the day it was due out).

    One rule for the heatmap cell, its drill-down and the totals, so the same orders are
    counted once everywhere (before, a spilled order showed in two cells)."""
    get = risk.get if isinstance(risk, dict) else lambda k: getattr(risk, k)
    return get("ship_by") or get("expected_ship_day")


def _with_cell_counts(rows: list[NodeDay], risks: Iterable[dict[str, Any]]) -> list[NodeDay]:
    """Each node-day with the number of at-risk orders counted in it (see :func:`cell_day`)."""
    counts: dict[tuple[str, date], int] = defaultdict(int)
    for risk in risks:
        day = cell_day(risk)
        if risk.get("node_id") and day is not None:
            counts[(risk["node_id"], day)] += 1
    if not counts:
        return rows
    # only the few cells with risk are copied (a big world has thousands of rows)
    return [row.model_copy(update={"at_risk_orders": n}) if (n := counts.get((row.node_id, row.day)))
            else row for row in rows]


def _totals(rows: list[NodeDay], plans: Iterable[NodePlan], *, late_orders: int, at_risk: int,
            by_reason: dict[str, int], value: Decimal) -> RiskTotals:
    """The node-day sums in one pass (thousands of rows on a big world) and the risk counts."""
    fields = ("capacity_orders", "capacity_units", "due_orders", "due_units", "planned_orders",
              "planned_units")
    # C-level sums over each column: a Python loop over every row cost several times more
    sums = {name: sum(map(attrgetter(name), rows)) for name in fields}
    return RiskTotals(
        **sums,
        over_capacity_node_days=sum(1 for backlog in map(attrgetter("backlog_orders"), rows) if backlog),
        backlog_orders_at_end=sum(p.days[-1].backlog_orders for p in plans if p.days),
        capacity_late_orders=late_orders,
        at_risk_orders=at_risk, by_reason=by_reason,
        value_at_risk_mxn=float(round(value, 2)),
    )


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
