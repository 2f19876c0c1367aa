"""Quotes: the delivery and pickup options of one SKU for a postal code, on finite capacity.

For each candidate node (the nearest with available-to-promise for the quantity) and each
carrier service: the node's first ship day for work starting now (processing time, the earlier
of the node and carrier cut-offs, shipping weekdays — :func:`promesa.domain.shipping.plan_ship`),
moved to the first node-day with a slot left (:mod:`slots`), plus the service's transit for the
distance band on the carrier's delivery weekdays. The best option per service level is kept;
same-day only where the zone has it and the node is local; pickup at the nearest stores holding
the stock, ready after their processing time on their first day with room.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from promesa.domain.calendar import delivery_date, distance_band, distance_km
from promesa.domain.deps import Deps
from promesa.domain.fulfillment.rates import shipping_cost
from promesa.domain.inventory import atp_by_node
from promesa.domain.promising import cache
from promesa.domain.promising.records import OptionKind, Policy, PromiseOption, PromiseQuote
from promesa.domain.promising.slots import Slots, naive_slots, remaining_slots
from promesa.domain.promising.zones import Zone, zone_of
from promesa.domain.reference import NodeRef, Reference, reference
from promesa.domain.shipping import plan_ship
from promesa.errors import InvalidInput, NotFound
from promesa.settings import Settings
from promesa.store.enums import DistanceBand, ServiceLevel
from promesa.store.models import Product

#: Stores offered for pickup at most.
PICKUP_OPTIONS = 3
#: A store that is ready on a later day has the parcel ready this long after it opens.
STORE_OPENS = time(10, 0)
MAX_QUANTITY = 10_000


@dataclass(frozen=True)
class Demand:
    """What is being promised: units per SKU and their total weight."""

    skus: dict[str, int]
    weight_kg: float

    @property
    def units(self) -> int:
        return sum(self.skus.values())


def local_today(deps_now: datetime, settings: Settings) -> date:
    """The business day of ``deps_now`` in the settings' timezone."""
    return deps_now.astimezone(settings.tz).date()


def nearest(ref: Reference, node_ids: set[str], at: tuple[float, float], limit: int,
            *, want: str = "ships") -> list[tuple[NodeRef, float]]:
    """The ``limit`` nearest active nodes of ``node_ids`` that ship (or offer pickup)."""
    ranked = []
    for node_id in node_ids:
        node = ref.nodes.get(node_id)
        if node is None or not node.active or not getattr(node, want):
            continue
        ranked.append((distance_km(node.lat, node.lon, at[0], at[1]), node_id, node))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [(node, km) for km, _, node in ranked[:limit]]


def ship_options(ref: Reference, node: NodeRef, km: float, zone: Zone, now: datetime, slots: Slots,
                 demand: Demand, settings: Settings) -> dict[ServiceLevel, PromiseOption]:
    """The best option per service level from one node (earliest delivery, then cheapest)."""
    band = distance_band(km)
    best: dict[ServiceLevel, PromiseOption] = {}
    for service in ref.services.values():
        if service.level is ServiceLevel.same_day and not (zone.same_day and band is DistanceBand.local):
            continue
        carrier = ref.carriers.get(service.carrier_id)
        if carrier is None:
            continue
        plan = plan_ship(node, service, now)
        transit = service.transit[band]
        if service.level is ServiceLevel.same_day and (transit > 0 or plan.first_day != plan.ready.date()):
            continue  # same-day means today: a later day is just a slower service
        ship_day = slots.first_day(node, plan.first_day, demand.units)
        if ship_day is None:
            continue
        if service.level is ServiceLevel.same_day and ship_day != plan.first_day:
            continue
        arrives = delivery_date(ship_day, transit, carrier.delivery_weekdays)
        option = PromiseOption(
            kind=OptionKind.same_day if service.level is ServiceLevel.same_day else OptionKind.ship,
            service_level=service.level, service_id=service.id, carrier=carrier.name,
            node_id=node.id, node_name=node.name, ship_date=ship_day, delivery_date=arrives,
            cost_mxn=shipping_cost(settings.rate_card, band, demand.weight_kg, service.level),
            reliability=carrier.on_time_reliability, distance_km=round(km, 1),
            capacity_moved=ship_day > plan.first_day)
        held = best.get(service.level)
        if held is None or _rank(option) < _rank(held):
            best[service.level] = option
    return best


def _rank(option: PromiseOption) -> tuple[date, float, float, str]:
    return (option.delivery_date, option.cost_mxn, -(option.reliability or 0), option.node_id)


def pickup_option(node: NodeRef, km: float, now: datetime, slots: Slots, demand: Demand) -> PromiseOption | None:
    """Collect at ``node``: ready after its processing time, on its first day with a slot."""
    ready = now.astimezone(ZoneInfo(node.timezone)) + timedelta(hours=node.processing_hours)
    day = slots.first_day(node, ready.date(), demand.units)
    if day is None:
        return None
    if day != ready.date():
        opens = datetime.combine(day, STORE_OPENS, tzinfo=ZoneInfo(node.timezone))
        ready = opens + timedelta(hours=node.processing_hours)
    return PromiseOption(kind=OptionKind.pickup, node_id=node.id, node_name=node.name, ship_date=day,
                         delivery_date=day, ready_at=ready, cost_mxn=0.0, distance_km=round(km, 1),
                         capacity_moved=day > ready.date())


def slots_for(session: Session, nodes: list[NodeRef], today: date, policy: Policy,
              now: datetime | None = None) -> Slots:
    """The node-day slots left at ``nodes`` from ``today`` as of ``now`` (unlimited under the
    naive policy)."""
    return naive_slots(today) if policy is Policy.naive else remaining_slots(session, nodes, today, now)


def check_quantity(quantity: int, field: str = "qty") -> None:
    """Refuse a quantity outside 1…``MAX_QUANTITY``.

    Raises:
        InvalidInput: naming ``field``."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"quantity must be between 1 and {MAX_QUANTITY}", field=field)


def compute_quote(deps: Deps, sku: str, quantity: int, zone: Zone, postal_code: str,
                  policy: Policy) -> PromiseQuote:
    """The quote, uncached (:func:`quote` caches it)."""
    session, settings = deps.session, deps.settings
    product = session.get(Product, sku)
    if product is None:
        raise NotFound(f"product {sku} not found", field="sku")
    ref = reference(session)
    stock = atp_by_node(session, [sku]).get(sku, {})
    able = {n for n, atp in stock.items() if atp >= quantity}
    demand = Demand({sku: quantity}, product.weight_kg * quantity)
    shippers = nearest(ref, able, zone.point, settings.promise_candidate_nodes)
    stores = [(n, km) for n, km in nearest(ref, able, zone.point, PICKUP_OPTIONS, want="pickup")
              if km <= settings.pickup_radius_km]
    nodes = {n.id: n for n, _ in shippers + stores}
    slots = slots_for(session, list(nodes.values()), local_today(deps.now, settings), policy, deps.now)
    best: dict[ServiceLevel, PromiseOption] = {}
    for node, km in shippers:
        for level, option in ship_options(ref, node, km, zone, deps.now, slots, demand, settings).items():
            if level not in best or _rank(option) < _rank(best[level]):
                best[level] = option
    options = list(best.values())
    options += [o for o in (pickup_option(n, km, deps.now, slots, demand) for n, km in stores) if o]
    options.sort(key=lambda o: (o.delivery_date, o.kind is OptionKind.pickup, o.cost_mxn, o.node_id))
    return PromiseQuote(sku=sku, quantity=quantity, postal_code=postal_code, zone=zone.code,
                        as_of=deps.now, policy=policy, options=options)


def quote(deps: Deps, sku: str, quantity: int, postal_code: str,
          policy: Policy = Policy.capacity_aware) -> PromiseQuote:
    """Delivery and pickup options of ``quantity`` × ``sku`` to ``postal_code`` (anyone may ask).

    Cached per (sku, quantity, zone, policy, minute) and the engine's promise-state generation,
    which every write to stock, order lines or capacity moves (:mod:`cache`).
    """
    check_quantity(quantity)
    zone = zone_of(postal_code)
    key: cache.QuoteKey = (sku, quantity, zone.code, policy, deps.now.replace(second=0, microsecond=0))
    hit = cache.get(deps.session, key, deps.settings.promise_cache_seconds)
    if hit is not None:
        return hit.model_copy(update={"postal_code": postal_code.strip()})
    generation = cache.generation(deps.session)
    result = compute_quote(deps, sku, quantity, zone, postal_code.strip(), policy)
    cache.put(deps.session, key, result, generation, deps.settings.promise_cache_seconds)
    return result
