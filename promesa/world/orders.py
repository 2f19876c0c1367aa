"""Generated demo orders: customer, channel, node, service, lines, promise and outcome.

Each order gets a ship day from its node's calendar, a promise from its service's transit days,
and an outcome (on time, late with a carrier reason, failed attempt, exception, cancelled); its
status and events are what has happened by ``now``. Open lines get ``ship_by`` from
:func:`promesa.world.allocation.compute_ship_by`. A pickup's timeline is written here; an order
that has left its node gets its shipment and tracking events from
:func:`promesa.world.shipments.track`.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from promesa.domain.calendar import distance_band, distance_km
from promesa.store.enums import RESERVING_LINE_STATES, FulfillmentType, NodeType
from promesa.world.allocation import compute_ship_by, transit_days
from promesa.world.bulk import Row
from promesa.world.geography import CITIES, SAME_DAY_CITIES
from promesa.world.people import FIRST_CUSTOMER, People
from promesa.world.schema import CarrierIn, NodeIn, ProductIn, service_id
from promesa.world.shipments import CarrierService, Parcel, track
from promesa.world.timeline import DAY, HOUR_CUM, Timeline, cumulative, day_weights, pick

FIRST_ORDER = 1_000_000
CHUNK = 25_000

SHIP_SERVICES = (("ESTAFETA-STANDARD", 33), ("DHL-STANDARD", 14), ("FEDEX-STANDARD", 14),
                 ("PAQUETEXPRESS-STANDARD", 16), ("ESTAFETA-EXPRESS", 9), ("DHL-EXPRESS", 8),
                 ("FEDEX-NEXT-DAY", 6))
SAME_DAY_SERVICE = "99MIN-SAME-DAY"


@dataclass
class _Node:
    index: int
    spec: NodeIn
    weekdays: frozenset[int]
    cutoff: int
    processing: int
    carried: frozenset[int] | None  # None = every SKU


class OrderGenerator:
    """Generates ``count`` orders in chunks of rows per table."""

    def __init__(self, seed: int, timeline: Timeline, nodes: list[NodeIn],
                 carried: dict[int, list[int]], carriers: list[CarrierIn],
                 products: list[ProductIn], people: People, first_sku: int) -> None:
        self.seed, self.tl, self.people = seed, timeline, people
        self.rng = random.Random(f"{seed}:orders")
        self.first_sku = first_sku
        self.prices = [float(p.price) for p in products]
        self.skus = [p.sku for p in products]
        self.nodes = [
            _Node(i, n, frozenset(int(c) for c in n.ship_weekdays),
                  n.cutoff_time.hour * 3600 + n.cutoff_time.minute * 60, n.processing_hours * 3600,
                  frozenset(carried[i]) if i in carried else None)
            for i, n in enumerate(nodes)
        ]
        self.carried_list = carried
        self.services = {
            service_id(c.id, s): CarrierService(s, service_id(c.id, s), c.id,
                                                frozenset(int(x) for x in c.delivery_weekdays),
                                                c.delivery_weekdays)
            for c in carriers for s in c.services
        }
        self.ship_cum = cumulative([w for _, w in SHIP_SERVICES])
        city_index = {c.code: i for i, c in enumerate(CITIES)}
        self.dcs_by_city: dict[int, list[_Node]] = {}
        self.stores_by_city: dict[int, list[_Node]] = {}
        self.same_day_by_city: dict[int, list[_Node]] = {}
        dcs = [n for n in self.nodes if n.spec.type is NodeType.distribution_center]
        for ci, city in enumerate(CITIES):
            self.dcs_by_city[ci] = sorted(
                dcs, key=lambda n: distance_km(city.lat, city.lon, n.spec.lat, n.spec.lon))[:2]
        for n in self.nodes:
            node_city = next((i for i, c in enumerate(CITIES) if c.name == n.spec.city), None)
            if node_city is None:
                continue
            if n.spec.type is NodeType.store:
                self.stores_by_city.setdefault(node_city, []).append(n)
            if CITIES[node_city].code in SAME_DAY_CITIES and n.spec.type is not NodeType.distribution_center:
                self.same_day_by_city.setdefault(node_city, []).append(n)
        self.same_day_cities = {city_index[c] for c in SAME_DAY_CITIES}
        self.reserved: Counter[tuple[int, int]] = Counter()
        self.days = day_weights(timeline)

    # -- sampling -------------------------------------------------------------------------
    def plan(self, count: int) -> None:
        """How many orders each day gets (largest remainders), as first order index per day."""
        total = sum(self.days)
        raw = [count * w / total for w in self.days]
        counts = [int(x) for x in raw]
        by_remainder = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
        for i in by_remainder[: count - sum(counts)]:
            counts[i] += 1
        self.day_counts = counts
        self.day_starts = [sum(counts[:i]) for i in range(len(counts))]
        now_sec = self.tl.now - self.tl.today * DAY
        hour = now_sec // 3600
        self.today_quantile = (HOUR_CUM[hour - 1] if hour else 0.0) + (
            (now_sec % 3600) / 3600 * (HOUR_CUM[hour] - (HOUR_CUM[hour - 1] if hour else 0.0)))

    def _moment(self, k: int) -> int:
        """Creation moment of order ``k``: stratified over its day, so ids follow time."""
        day = bisect_right(self.day_starts, k) - 1
        q = (k - self.day_starts[day] + self.rng.random()) / self.day_counts[day]
        if day == self.tl.today:
            q *= self.today_quantile
        hour = pick(HOUR_CUM, q)
        low = HOUR_CUM[hour - 1] if hour else 0.0
        second = hour * 3600 + int((q - low) / (HOUR_CUM[hour] - low) * 3600)
        return min(day * DAY + min(second, DAY - 1), self.tl.now - 1)

    def _lines_skus(self, pool: list[int] | None) -> list[int]:
        rand = self.rng.random
        n = 1 if rand() < 0.6 else (2 if rand() < 0.7 else 3)
        if pool:  # a store's list starts with the story SKUs, which stories keep to themselves
            first, span = self.first_sku, len(pool) - self.first_sku
            return [pool[first + int(rand() * span)] for _ in range(n)]
        span = len(self.skus) - self.first_sku
        return [self.first_sku + int(rand() * span) for _ in range(n)]

    def chunk(self, number: int, count: int) -> tuple[dict[str, list[Row]], Counter[tuple[int, int]]]:
        """Rows of chunk ``number`` of ``count`` orders and the stock they reserve.

        Call :meth:`plan` with the same ``count`` first.

        Each chunk has its own random stream, so chunks can be generated in any process, in
        any order, and the world is the same.
        """
        self.rng = random.Random(f"{self.seed}:orders:{number}")
        self.reserved = Counter()
        rows: dict[str, list[Row]] = {
            "orders": [], "shipments": [], "order_lines": [], "tracking_events": [],
            "interactions": []}
        for k in range(number * CHUNK, min(count, (number + 1) * CHUNK)):
            self._order(k, self._moment(k), rows)
        return rows, self.reserved

    # -- one order ------------------------------------------------------------------------
    def _order(self, k: int, created: int, rows: dict[str, list[Row]]) -> None:
        rng, rand, tl, people = self.rng, self.rng.random, self.tl, self.people
        n_people = len(people.city)
        person = int(n_people * rand() ** 1.3)  # some customers buy much more often
        ci = people.city[person]
        oid, cid = f"PO-{FIRST_ORDER + k}", f"C-{FIRST_CUSTOMER + person}"
        r = rand()
        channel = "web" if r < 0.45 else "app" if r < 0.75 else "marketplace" if r < 0.9 else "store"
        r = rand()
        kind = FulfillmentType.ship
        node: _Node
        if ci in self.same_day_cities and r < 0.08:
            kind = FulfillmentType.same_day
            node = rng.choice(self.same_day_by_city[ci])
        elif r < 0.2 and ci in self.stores_by_city:
            kind = FulfillmentType.pickup
            node = rng.choice(self.stores_by_city[ci])
        elif r < 0.3 and ci in self.stores_by_city:
            node = rng.choice(self.stores_by_city[ci])  # ship from store
        else:
            dcs = self.dcs_by_city[ci]
            node = dcs[0] if rand() < 0.85 or len(dcs) == 1 else dcs[1]
        skus = self._lines_skus(self.carried_list.get(node.index))
        lat, lon = people.lat[person], people.lon[person]

        service: CarrierService | None = None
        if kind is FulfillmentType.ship:
            service = self.services[SHIP_SERVICES[pick(self.ship_cum, rand())][0]]
        elif kind is FulfillmentType.same_day:
            service = self.services[SAME_DAY_SERVICE]
        ship_day = tl.first_ship_day(created, node.processing, node.cutoff, node.weekdays)
        if kind is FulfillmentType.pickup:
            transit = 0
            promised = ship_day
        else:
            assert service is not None
            band = distance_band(distance_km(node.spec.lat, node.spec.lon, lat, lon))
            transit = transit_days(service.spec, band)
            if kind is FulfillmentType.same_day and ship_day != created // DAY:
                kind = FulfillmentType.ship  # too late for today: next-day courier delivery
                service = self.services["99MIN-NEXT-DAY"]
                transit = transit_days(service.spec, band)
            promised = tl.delivery_day(ship_day, transit, service.weekdays)
            if rand() < 0.2:  # a day of slack in some promises
                promised = tl.next_working(promised, service.weekdays, include=False)

        r = rand()
        outcome = ("cancelled" if r < 0.02 else "exception" if r < 0.025 else
                   "late" if r < 0.1 else "failed" if r < 0.12 else "ok")
        qtys = [1 if rand() < 0.8 else (2 if rand() < 0.75 else 3) for _ in skus]
        total = sum(self.prices[s] * q for s, q in zip(skus, qtys, strict=True))
        ship_moment = ship_day * DAY + node.cutoff - 3600
        events: list[Row] = []
        shipment_id: str | None = None
        window: tuple[str | None, str | None] = (None, None)
        hold = None
        if kind is FulfillmentType.same_day:
            window = (tl.stamp(promised * DAY + 16 * 3600), tl.stamp(promised * DAY + 21 * 3600))

        if outcome == "cancelled":
            status, line_status = "cancelled", "cancelled"
        elif kind is FulfillmentType.pickup:
            ready = max(promised * DAY + 11 * 3600, created + node.processing)
            hold = tl.iso_date(promised + 7)
            collected = ready + int(rand() * 4 * DAY) + 6 * 3600
            if ready > tl.now:
                status, line_status = ("picking", "picked") if ship_day == tl.today else (
                    "allocated", "allocated")
            else:
                events.append((oid, None, "ready_for_pickup", tl.stamp(ready), node.spec.name,
                               None, None))
                if collected <= tl.now:
                    events.append((oid, None, "picked_up_by_customer", tl.stamp(collected),
                                   node.spec.name, None, None))
                    status, line_status = "picked_up", "delivered"
                else:
                    status, line_status = "ready_for_pickup", "picked"
        elif ship_moment > tl.now:
            status, line_status = ("picking", "picked") if (
                ship_day == tl.today and rand() < 0.3) else ("allocated", "allocated")
        else:
            assert service is not None
            parcel = Parcel(FIRST_ORDER + k, oid, cid, node.spec, service, kind, ship_day,
                            ship_moment, transit, promised, outcome)
            status, line_status, shipment_id = track(parcel, rand, tl, events, rows)

        ship_by = None
        if line_status in RESERVING_LINE_STATES and status != "ready_for_pickup":  # ready: nothing left to ship
            ship_by = compute_ship_by(
                promised=tl.date(promised), node=node.spec, fulfillment_type=kind,
                destination=(lat, lon), pickup_node_id=node.spec.id,
                service=service.spec if service else None,
                delivery_weekdays=service.delivery_weekdays if service else None,
            ).isoformat()
        if line_status in RESERVING_LINE_STATES:  # held for the customer until shipped or collected
            for s, q in zip(skus, qtys, strict=True):
                self.reserved[(node.index, s)] += q
        pickup = kind is FulfillmentType.pickup
        rows["orders"].append((
            oid, cid, channel, tl.stamp(created), status, kind.value, tl.iso_date(promised),
            window[0], window[1], None if pickup else f"A-{FIRST_CUSTOMER + person}",
            node.spec.id if pickup else None, service.id if service else None, round(total, 2),
            "MXN", None, hold,
        ))
        lines = rows["order_lines"]
        for no, (s, q) in enumerate(zip(skus, qtys, strict=True), 1):
            lines.append((oid, no, self.skus[s], q, self.prices[s], line_status, node.spec.id,
                          ship_by, shipment_id))
        rows["tracking_events"].extend(events)


__all__ = ["FIRST_ORDER", "OrderGenerator"]
