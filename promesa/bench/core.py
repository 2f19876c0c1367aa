"""The core benchmarks: order status, risk scan, reroute proposal, analytics."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promesa.bench.registry import BenchContext, BenchResult, benchmark, result, timed
from promesa.domain.deps import Deps
from promesa.domain.load import OVERDUE_LOOKBACK_DAYS, open_load_query
from promesa.domain.reference import reference
from promesa.errors import DomainError
from promesa.principal import SYSTEM
from promesa.store.enums import LineStatus
from promesa.store.models import Order, OrderLine

T = TypeVar("T")


def _deps(ctx: BenchContext, session: Session) -> Deps:
    return Deps(session=session, principal=SYSTEM, now=ctx.now, settings=ctx.settings)


def _sample_orders(session: Session, ctx: BenchContext, n: int) -> list[str]:
    total = session.scalar(select(func.count()).select_from(Order)) or 0
    if total == 0:
        return []
    picks = sorted(ctx.rng.sample(range(total), min(n, total)))
    ids: list[str] = []
    for offset in picks:  # offsets on the primary key: no full sort of a million rows
        order_id = session.scalar(select(Order.id).order_by(Order.id).offset(offset).limit(1))
        if order_id is not None:  # every offset is below the count, so a row is always there
            ids.append(order_id)
    ctx.rng.shuffle(ids)
    return ids


def _paired(
    session: Session, items: Iterable[T], ours: Callable[[T], object], ref: Callable[[T], object]
) -> tuple[list[float], list[float]]:
    """Time ``ours(item)`` then its reference ``ref(item)`` for each item, ms each.

    The session is emptied after each pair, so no call is served by objects an earlier one loaded.
    Every item first runs once through both, untimed: otherwise whichever side runs first pays
    the disk read of the item's pages and the other finds them cached (a large world does not
    sit in the page cache until it has been read).
    """
    items = list(items)
    for item in items:
        ours(item)
        ref(item)
    session.expunge_all()
    mine: list[float] = []
    base: list[float] = []
    for item in items:
        mine.append(timed(partial(ours, item)))
        base.append(timed(partial(ref, item)))
        session.expunge_all()
    return mine, base


@benchmark("order_status")
def order_status(ctx: BenchContext) -> list[BenchResult]:
    """Time ``get_order_status`` of sampled orders beside an indexed lookup of each order's row."""
    from promesa.domain.orders import get_order_status

    with Session(ctx.engine) as session:
        ids = _sample_orders(session, ctx, ctx.n(300))
        deps = _deps(ctx, session)
        get_order_status(deps, ids[0])  # warm the reference cache
        table = Order.__table__
        ours, ref = _paired(
            session, ids,
            lambda order_id: get_order_status(deps, order_id),
            lambda order_id: session.execute(select(table).where(table.c.id == order_id)).first(),
        )
    return [result("order_status", ours, ctx, ref, "get_order_status vs indexed row lookup")]


@benchmark("risk_scan")
def risk_scan(ctx: BenchContext) -> list[BenchResult]:
    """Time the risk scan (every node, seven days) beside the one load GROUP BY it starts from."""
    from promesa.domain.capacity import scan_risk

    with Session(ctx.engine) as session:
        deps = _deps(ctx, session)
        today = ctx.now.astimezone(ctx.settings.tz).date()
        nodes = sorted(reference(session).nodes)
        query = open_load_query(nodes, today - timedelta(days=OVERDUE_LOOKBACK_DAYS), today + timedelta(days=6))
        scan_risk(deps)
        ours, ref = _paired(
            session, range(ctx.n(100)),
            lambda _: scan_risk(deps),
            lambda _: session.execute(query).all(),
        )
    return [result("risk_scan", ours, ctx, ref, "all nodes x 7 days vs one load GROUP BY")]


@benchmark("reroute_proposal")
def reroute_proposal(ctx: BenchContext) -> list[BenchResult]:
    """Time reroute proposals of random reroutable at-risk (or else open) orders."""
    from promesa.domain.capacity import scan_risk
    from promesa.domain.fulfillment.proposals import propose_reroute

    with Session(ctx.engine) as session:
        deps = _deps(ctx, session)
        at_risk = [r.order_id for r in scan_risk(deps, limit=None).at_risk
                   if r.reason != "carrier_delay"]
        if len(at_risk) < 20:  # top up with open orders
            at_risk += session.scalars(
                select(OrderLine.order_id).where(OrderLine.status == LineStatus.allocated).limit(100)
            ).all()
        movable = []
        for order_id in dict.fromkeys(at_risk):
            try:
                propose_reroute(deps, order_id)
                movable.append(order_id)
            except DomainError:  # picked lines and the like: not reroutable
                continue
            if len(movable) >= 50:
                break
        if not movable:
            return []
        picks = [ctx.rng.choice(movable) for _ in range(ctx.n(100))]
        samples = []
        for order_id in picks:
            samples.append(timed(partial(propose_reroute, deps, order_id)))
            session.expunge_all()
    return [result("reroute_proposal", samples, ctx, None, "random at-risk orders")]


ANALYTICS = [
    {"metric": "orders", "dimensions": ["channel"]},
    {"metric": "revenue", "dimensions": ["state"]},
    {"metric": "on_time_rate", "dimensions": ["carrier"]},
    {"metric": "late_orders", "dimensions": ["week"]},
    {"metric": "units", "dimensions": ["category"]},
    {"metric": "orders", "dimensions": ["day"]},
    {"metric": "cancellations", "dimensions": ["fulfillment_type"]},
    {"metric": "avg_delivery_days", "dimensions": ["carrier"]},
    {"metric": "utilisation", "dimensions": ["node"]},
    {"metric": "promise_hit_rate", "dimensions": ["channel"]},
]


@benchmark("analytics")
def analytics(ctx: BenchContext) -> list[BenchResult]:
    """Time each query of :data:`ANALYTICS` over the last 30 days."""
    from promesa.domain.analytics import run_analytics

    results = []
    with Session(ctx.engine) as session:
        deps = _deps(ctx, session)
        for spec in ANALYTICS:
            name = f"analytics:{spec['metric']}_by_{'_'.join(spec['dimensions']) or 'all'}"
            samples = [timed(partial(run_analytics, deps, spec)) for _ in range(ctx.n(3))]
            results.append(result(name, samples, ctx, None, "last 30 days"))
    return results
