"""Building reroute options: where the lines could leave from, when they'd arrive, at what cost.

A :class:`Context` holds everything one proposal needs, fetched up front in a few queries (the
order's lines, ATP of its SKUs, the candidate nodes' queues and capacity calendars), so that
evaluating dozens of node × service pairs is pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import combinations

from sqlalchemy.orm import Session

from promesa.domain import eta as eta_mod
from promesa.domain.calendar import delivery_date, distance_band, distance_km
from promesa.domain.fulfillment.config import RateCard
from promesa.domain.fulfillment.rates import shipping_cost
from promesa.domain.fulfillment.records import OptionShipment
from promesa.domain.load import (
    OVERDUE_LOOKBACK_DAYS,
    Bucket,
    CapacityCalendar,
    capacity_calendars,
    load_buckets,
    queue_ship_day,
)
from promesa.domain.reference import NodeRef, Reference, ServiceRef
from promesa.domain.ship_by import DEFAULT_TRANSIT
from promesa.store.enums import FulfillmentType, ServiceLevel

LEVEL_RANK = {ServiceLevel.standard: 0, ServiceLevel.express: 1, ServiceLevel.next_day: 2,
              ServiceLevel.same_day: 3}
#: Days of capacity calendars fetched for candidate nodes (and the furthest queue looked at).
HORIZON_DAYS = 60
#: Days of queue fetched up front: an option's queue only matters up to its first ship day; a
#: later target (a far ship-by of the current allocation) refetches that node.
QUEUE_DAYS = 14


@dataclass(frozen=True)
class Line:
    line_no: int
    sku: str
    quantity: int
    weight_kg: float
    node_id: str | None
    ship_by: date | None
    status: str


@dataclass
class Context:
    """One order's reroute question, with the data to answer it."""

    session: Session
    ref: Reference
    now: datetime
    today: date
    order_id: str
    promised: date
    fulfillment: FulfillmentType
    destination: tuple[float, float]
    service: ServiceRef | None
    lines: list[Line]
    stock: dict[str, dict[str, int]]  # sku -> node -> ATP
    card: RateCard
    buckets: dict[str, list[Bucket]] = field(default_factory=dict)
    calendars: dict[str, CapacityCalendar] = field(default_factory=dict)
    #: (node, sku) -> on hand, for every position of the lines' SKUs (same query as ``stock``)
    on_hand: dict[tuple[str, str], int] = field(default_factory=dict)
    bucket_last: dict[str, date] = field(default_factory=dict)  # node -> last ship-by fetched
    _km: dict[str, float] = field(default_factory=dict)

    def prepare_nodes(self, node_ids: list[str]) -> None:
        """Fetch queues and capacity calendars of nodes not fetched yet (two queries)."""
        wanted = [n for n in node_ids if n not in self.buckets]
        if not wanted:
            return
        first = self.today - timedelta(days=OVERDUE_LOOKBACK_DAYS)
        last = self.today + timedelta(days=HORIZON_DAYS)
        queue_last = self.today + timedelta(days=QUEUE_DAYS)
        self.buckets.update(load_buckets(self.session, wanted, first, queue_last))
        self.bucket_last.update(dict.fromkeys(wanted, queue_last))
        self.calendars.update(
            capacity_calendars(self.session, [self.ref.nodes[n] for n in wanted], self.today, last)
        )

    def queue(self, node_id: str, target: date) -> list[Bucket]:
        """The node's open work due by ``target``: all :func:`queue_ship_day` reads for it."""
        self.prepare_nodes([node_id])
        until = min(target, self.today + timedelta(days=HORIZON_DAYS))
        if until > self.bucket_last[node_id]:
            first = self.today - timedelta(days=OVERDUE_LOOKBACK_DAYS)
            self.buckets[node_id] = load_buckets(self.session, [node_id], first, until)[node_id]
            self.bucket_last[node_id] = until
        return self.buckets[node_id]

    def demand(self, lines: list[Line]) -> dict[str, int]:
        need: dict[str, int] = {}
        for ln in lines:
            need[ln.sku] = need.get(ln.sku, 0) + ln.quantity
        return need

    def covers(self, node_id: str, lines: list[Line]) -> bool:
        return all(self.stock.get(s, {}).get(node_id, 0) >= q for s, q in self.demand(lines).items())

    def km(self, node: NodeRef) -> float:
        # asked many times per node (sorting, bands, scores): compute each distance once
        km = self._km.get(node.id)
        if km is None:
            km = self._km[node.id] = distance_km(node.lat, node.lon, *self.destination)
        return km


@dataclass
class Candidates:
    """The nodes a proposal considers, nearest first."""

    whole: list[str]  # shipping nodes whose ATP covers every line (at most ``max_candidates``)
    pickups: list[str]  # pickup stores within the radius that cover every line (the nearest)
    partial: list[str]  # split candidates (only when no node covers everything)

    def all(self) -> list[str]:
        return list(dict.fromkeys([*self.whole, *self.pickups, *self.partial]))


def candidates(ctx: Context, *, current: str | None, order_total: float, pickup_radius_km: float,
               max_candidates: int, min_split_value: float, split_candidates: int) -> Candidates:
    """Which nodes could take the lines: pure Python over the context's stock and reference.

    Every candidate holds enough of at least one line, so only nodes in the ATP map are ranked
    (a big network has hundreds of nodes; few hold a given SKU).
    """
    def able(sku: str, quantity: int) -> set[str]:
        return {n for n, atp in ctx.stock.get(sku, {}).items() if atp >= quantity}

    need = ctx.demand(ctx.lines)
    covering = set.intersection(*[able(s, q) for s, q in need.items()]) if need else set()
    some_line = set().union(*[able(ln.sku, ln.quantity) for ln in ctx.lines])
    nodes = ctx.ref.nodes
    pool = sorted(
        (nodes[n] for n in some_line if n in nodes and nodes[n].active and n != current),
        key=lambda n: (ctx.km(n), n.id),
    )
    whole = [n.id for n in pool if n.ships and n.id in covering][:max_candidates]
    pickups = []
    if ctx.fulfillment is not FulfillmentType.pickup:
        # the nearest few: a city centre can hold dozens of stores within the radius
        pickups = [n.id for n in pool
                   if n.pickup and ctx.km(n) <= pickup_radius_km and n.id in covering][:max_candidates]
    partial: list[str] = []
    if not whole and len(ctx.lines) >= 2 and order_total >= min_split_value:
        partial = [n.id for n in pool if n.ships][:split_candidates]
    return Candidates(whole=whole, pickups=pickups, partial=partial)


def baseline_cost(ctx: Context) -> float:
    """What the current allocation's shipping costs (0 when nothing is allocated or shipped)."""
    nodes = {ln.node_id for ln in ctx.lines if ln.node_id}
    if ctx.fulfillment is FulfillmentType.pickup or not nodes:
        return 0.0
    level = ctx.service.level if ctx.service else ServiceLevel.standard
    total = 0.0
    for node_id in sorted(nodes):
        node = ctx.ref.nodes[node_id]
        weight = sum(ln.weight_kg * ln.quantity for ln in ctx.lines if ln.node_id == node_id)
        total += shipping_cost(ctx.card, distance_band(ctx.km(node)), weight, level)
    return round(total, 2)


def ship(ctx: Context, node_id: str, lines: list[Line], service: ServiceRef | None) -> OptionShipment | None:
    """Send ``lines`` from ``node_id`` with ``service``: ship day after the node's queue, ETA, cost.

    ``None`` when the node's queue does not clear within the horizon.
    """
    node = ctx.ref.nodes[node_id]
    found = _first_slot(ctx, node_id, service, lines)
    if found is None:
        return None
    ship_day, util = found
    km = ctx.km(node)
    band = distance_band(km)
    carrier = ctx.ref.carriers[service.carrier_id] if service else None
    transit = service.transit[band] if service else DEFAULT_TRANSIT[band]
    arrives = delivery_date(ship_day, transit, carrier.delivery_weekdays if carrier else "012345")
    level = service.level if service else ServiceLevel.standard
    weight = sum(ln.weight_kg * ln.quantity for ln in lines)
    return OptionShipment(
        node_id=node_id, line_nos=[ln.line_no for ln in lines],
        service_id=service.id if service else None, ship_day=ship_day, eta=arrives,
        distance_km=round(km, 1), band=band.value,
        cost_mxn=shipping_cost(ctx.card, band, weight, level), utilisation=util,
    )


def _first_slot(
    ctx: Context, node_id: str, service: ServiceRef | None, lines: list[Line]
) -> tuple[date, float | None] | None:
    """The day ``node_id`` can release ``lines`` (and its utilisation), or None if never.

    Released now, the order queues behind work due by the node's first ship day (not later work).
    """
    ctx.prepare_nodes([node_id])
    plan = eta_mod.plan_ship(ctx.ref.nodes[node_id], service, ctx.now)
    return queue_ship_day(
        ctx.queue(node_id, plan.first_day), ctx.calendars[node_id], earliest=plan.first_day,
        target=plan.first_day, extra_orders=1, extra_units=sum(ln.quantity for ln in lines),
    )


def pickup(ctx: Context, node_id: str, lines: list[Line]) -> OptionShipment | None:
    """Prepare ``lines`` for pickup at ``node_id``: ready day after its queue; no shipping cost."""
    node = ctx.ref.nodes[node_id]
    found = _first_slot(ctx, node_id, None, lines)
    if found is None:
        return None
    ready, util = found
    return OptionShipment(
        node_id=node_id, line_nos=[ln.line_no for ln in lines], service_id=None, ship_day=ready,
        eta=ready, distance_km=round(ctx.km(node), 1), band=distance_band(ctx.km(node)).value,
        cost_mxn=0.0, utilisation=util,
    )


def split_pairs(ctx: Context, candidates: list[str]) -> list[list[tuple[str, list[Line]]]]:
    """Two-node splits that cover every line (each line whole), nearer node first."""
    result = []
    for a, b in combinations(candidates, 2):
        first = [ln for ln in ctx.lines if ctx.covers(a, [ln])]
        # lines of one SKU must fit together at the node that takes them
        if first and not ctx.covers(a, first):
            first = [ln for ln in first if ctx.covers(a, [x for x in first if x.sku == ln.sku])]
        rest = [ln for ln in ctx.lines if ln not in first]
        if first and rest and ctx.covers(b, rest):
            result.append([(a, first), (b, rest)])
    return result


def faster_services(ctx: Context) -> list[ServiceRef]:
    """Services faster than the order's, cheapest level first."""
    current = LEVEL_RANK[ctx.service.level] if ctx.service else 0
    return sorted(
        (s for s in ctx.ref.services.values() if LEVEL_RANK[s.level] > current),
        key=lambda s: (LEVEL_RANK[s.level], s.id),
    )
