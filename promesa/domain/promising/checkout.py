"""A cart's shipment plan: one node when one can ship every line, otherwise a split.

Single node first (one parcel, one slot): the nearest nodes whose ATP covers every line, each
planned at the requested service level on its own remaining capacity; the earliest delivery
wins, then the cheapest. When no node covers the cart, each line goes to its own best node
and lines landing on the same node travel together. A pickup plan collects everything at one
store. Dates and nodes come from the same code as a quote (:mod:`quote`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from promesa.domain.deps import Deps
from promesa.domain.inventory import atp_by_node
from promesa.domain.promising.quote import (
    Demand,
    check_quantity,
    local_today,
    nearest,
    pickup_option,
    ship_options,
    slots_for,
)
from promesa.domain.promising.records import (
    CartLine,
    CheckoutPlan,
    PlannedShipment,
    Policy,
    PromiseOption,
)
from promesa.domain.promising.slots import Slots
from promesa.domain.promising.zones import Zone, zone_of, zone_of_node
from promesa.domain.reference import NodeRef, Reference, reference
from promesa.errors import Conflict, InvalidInput, NotFound
from promesa.store.enums import ServiceLevel
from promesa.store.models import Product

MAX_LINES = 50


def merged(lines: Sequence[CartLine]) -> dict[str, int]:
    """Units per SKU (a SKU listed twice is one line of the sum), in the cart's order."""
    if not lines:
        raise InvalidInput("a cart needs at least one line", field="lines")
    if len(lines) > MAX_LINES:
        raise InvalidInput(f"a cart has at most {MAX_LINES} lines", field="lines")
    demand: dict[str, int] = {}
    for i, line in enumerate(lines):
        demand[line.sku] = demand.get(line.sku, 0) + line.quantity
        check_quantity(demand[line.sku], field=f"lines.{i}.quantity")
    return demand


def _weights(deps: Deps, demand: dict[str, int]) -> dict[str, float]:
    weights = {}
    for i, sku in enumerate(demand):
        product = deps.session.get(Product, sku)
        if product is None:
            raise NotFound(f"product {sku} not found", field=f"lines.{i}.sku")
        weights[sku] = product.weight_kg
    return weights


def _shipment(option: PromiseOption, skus: dict[str, int]) -> PlannedShipment:
    return PlannedShipment(
        node_id=option.node_id, node_name=option.node_name,
        lines=[CartLine(sku=s, quantity=q) for s, q in skus.items()],
        service_id=option.service_id, carrier=option.carrier, ship_date=option.ship_date,
        delivery_date=option.delivery_date, cost_mxn=option.cost_mxn,
        capacity_moved=option.capacity_moved)


def _rank(option: PromiseOption) -> tuple[date, float, float, str]:
    return (option.delivery_date, option.cost_mxn, option.distance_km, option.node_id)


def _best_at(ref: Reference, nodes: list[tuple[NodeRef, float]], zone: Zone, deps: Deps, slots: Slots,
             demand: Demand, level: ServiceLevel) -> PromiseOption | None:
    found = [o for node, km in nodes
             if (o := ship_options(ref, node, km, zone, deps.now, slots, demand, deps.settings).get(level))]
    return min(found, key=_rank, default=None)


def plan_checkout(deps: Deps, lines: Sequence[CartLine], postal_code: str | None, *,
                  service_level: ServiceLevel = ServiceLevel.standard,
                  pickup_node_id: str | None = None,
                  policy: Policy = Policy.capacity_aware,
                  destination: tuple[float, float] | None = None) -> CheckoutPlan:
    """The shipment plan of a cart to ``postal_code`` (or for pickup at ``pickup_node_id``).

    ``destination`` (the ship-to address's point, at placement) replaces the zone's centre for
    distances, so a promise never rests on a band the real address is not in.
    """
    demand = merged(lines)
    if pickup_node_id is None and postal_code is None:
        raise InvalidInput("a shipped cart needs a postal code", field="postal_code")
    weights = _weights(deps, demand)
    ref = reference(deps.session)
    stock = atp_by_node(deps.session, demand)
    limit = deps.settings.promise_candidate_nodes
    today = local_today(deps.now, deps.settings)

    def able(skus: dict[str, int]) -> set[str]:
        sets = [{n for n, atp in stock.get(s, {}).items() if atp >= q} for s, q in skus.items()]
        return set.intersection(*sets) if sets else set()

    def demand_of(skus: dict[str, int]) -> Demand:
        return Demand(skus, sum(weights[s] * q for s, q in skus.items()))

    if pickup_node_id is not None:
        store = ref.nodes.get(pickup_node_id)
        if store is None or not store.pickup or not store.active:
            raise NotFound(f"no pickup store {pickup_node_id}", field="pickup_node_id")
        if pickup_node_id not in able(demand):
            raise Conflict(f"{store.name} does not hold every line of the cart", field="pickup_node_id")
        slots = slots_for(deps.session, [store], today, policy, deps.now)
        option = pickup_option(store, 0.0, deps.now, slots, demand_of(demand))
        if option is None:
            raise Conflict(f"{store.name} has no pickup capacity in the next weeks", field="pickup_node_id")
        zone = zone_of_node(store.city, store.lat, store.lon)
        return _plan(deps, store.postal_code, zone, service_level, policy, [_shipment(option, demand)])

    assert postal_code is not None  # a shipped cart without one was refused above
    zone = zone_of(postal_code)
    if destination is not None:
        zone = Zone(zone.code, replace(zone.city, lat=destination[0], lon=destination[1]), zone.same_day)

    whole = nearest(ref, able(demand), zone.point, limit)
    per_line = {sku: nearest(ref, able({sku: q}), zone.point, limit) for sku, q in demand.items()}
    nodes = {n.id: n for n, _ in whole}
    nodes.update({n.id: n for cands in per_line.values() for n, _ in cands})
    slots = slots_for(deps.session, list(nodes.values()), today, policy, deps.now)
    single = _best_at(ref, whole, zone, deps, slots, demand_of(demand), service_level)
    if single is not None:
        return _plan(deps, postal_code, zone, service_level, policy, [_shipment(single, demand)])
    # a split: each line to its best node, then lines sharing a node planned together
    groups: dict[str, dict[str, int]] = {}
    for i, (sku, quantity) in enumerate(demand.items()):
        option = _best_at(ref, per_line[sku], zone, deps, slots, demand_of({sku: quantity}), service_level)
        if option is None:
            raise Conflict(f"no node can promise {quantity} × {sku} at {service_level.value}",
                           field=f"lines.{i}.sku")
        groups.setdefault(option.node_id, {})[sku] = quantity
    shipments = []
    for node_id, skus in groups.items():
        node = ref.nodes[node_id]
        km = next(km for cands in per_line.values() for n, km in cands if n.id == node_id)
        option = _best_at(ref, [(node, km)], zone, deps, slots, demand_of(skus), service_level)
        if option is None:
            raise Conflict(f"{node.name} cannot take these lines together", field="lines")
        shipments.append(_shipment(option, skus))
    return _plan(deps, postal_code, zone, service_level, policy, shipments)


def _plan(deps: Deps, postal_code: str, zone: Zone, level: ServiceLevel, policy: Policy,
          shipments: list[PlannedShipment]) -> CheckoutPlan:
    shipments.sort(key=lambda s: (s.delivery_date, s.node_id))
    return CheckoutPlan(
        postal_code=postal_code.strip(), zone=zone.code, service_level=level, as_of=deps.now,
        policy=policy, split=len(shipments) > 1, shipments=shipments,
        earliest_delivery=min(s.delivery_date for s in shipments),
        latest_delivery=max(s.delivery_date for s in shipments),
        total_shipping_mxn=round(sum(s.cost_mxn for s in shipments), 2))
