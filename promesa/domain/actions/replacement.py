"""Replacement orders: what an exchange or a reship claim sends, already paid (total 0).

Both pick the node that delivers the items first (then the nearest, by the reroute code's
shipments), reserve the units there under a row lock — so two replacements never take the same
last unit — and add an order ``<order>-X<n>`` with the same address and service, in the
caller's transaction (the caller's ``run_once`` makes it happen once per idempotency key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update

from promesa.domain.actions import common
from promesa.domain.deps import Deps
from promesa.domain.fulfillment import options as opt
from promesa.domain.fulfillment.options import Context, Line
from promesa.domain.inventory import stock_and_on_hand
from promesa.domain.reference import reference
from promesa.domain.ship_by import compute_ship_by
from promesa.errors import PolicyViolation
from promesa.store.db import rows_matched
from promesa.store.enums import FulfillmentType, LineStatus, OrderStatus
from promesa.store.models import Address, CarrierService, InventoryPosition, Order, OrderLine


@dataclass(frozen=True)
class Item:
    sku: str
    quantity: int


@dataclass(frozen=True)
class Source:
    """The node a replacement ships from and when it arrives."""

    node_id: str
    eta: date


def best_source(deps: Deps, order: Order, items: list[Item]) -> Source | None:
    """The node that delivers every item to the order's address first, if one has them all."""
    address = deps.session.get(Address, order.ship_to_id) if order.ship_to_id else None
    if address is None or not items:
        return None
    ref = reference(deps.session)
    skus = {i.sku for i in items}
    lines = [Line(n, i.sku, i.quantity, float(common.product(deps, i.sku).weight_kg), None, None,
                  LineStatus.allocated.value) for n, i in enumerate(items, start=1)]
    stock, on_hand = stock_and_on_hand(deps.session, skus, set())
    ctx = Context(session=deps.session, ref=ref, now=deps.now, today=common.today(deps), order_id=order.id,
                  promised=common.today(deps), fulfillment=FulfillmentType.ship,
                  destination=(address.lat, address.lon), service=ref.services.get(order.service_id or ""),
                  lines=lines, stock=stock, on_hand=on_hand, card=deps.settings.rate_card)
    found = opt.candidates(ctx, current=None, order_total=0.0, pickup_radius_km=0.0,
                           max_candidates=deps.settings.reroute_candidate_nodes, min_split_value=float("inf"),
                           split_candidates=0)
    ctx.prepare_nodes(found.whole)
    shipments = [s for s in (opt.ship(ctx, n, lines, ctx.service) for n in found.whole) if s is not None]
    if not shipments:
        return None
    best = min(shipments, key=lambda s: (s.eta, s.distance_km, s.node_id))
    return Source(best.node_id, best.eta)


def create(deps: Deps, order: Order, items: list[Item], source: Source, *, note: str) -> str:
    """Reserve the items at ``source`` and add the paid replacement order; returns its id.

    Raises:
        PolicyViolation: the node no longer has the units (someone took them since the proposal).
    """
    pos = InventoryPosition
    for item in items:
        deps.session.execute(select(pos.node_id).where(pos.node_id == source.node_id, pos.sku == item.sku)
                             .with_for_update())
        taken = rows_matched(deps.session, (
            update(pos).where(pos.node_id == source.node_id, pos.sku == item.sku,
                              pos.on_hand - pos.reserved - pos.safety_stock >= item.quantity)
            .values(reserved=pos.reserved + item.quantity).execution_options(synchronize_session=False)))
        if taken != 1:
            raise PolicyViolation(f"{source.node_id} no longer has {item.quantity} of {item.sku}", order_id=order.id)
    count = deps.session.scalar(select(func.count()).select_from(Order).where(Order.id.like(f"{order.id}-X%"))) or 0
    new_id = f"{order.id}-X{count + 1}"
    deps.session.add(Order(
        id=new_id, customer_id=order.customer_id, channel=order.channel, created_at=deps.now,
        status=OrderStatus.allocated, fulfillment_type=FulfillmentType.ship, promised_date=source.eta,
        ship_to_id=order.ship_to_id, service_id=order.service_id, total=Decimal("0"), currency=order.currency,
        note=note))
    deps.session.flush()
    ref = reference(deps.session)
    address = deps.session.get(Address, order.ship_to_id)
    assert address is not None  # a source was found for this address (best_source)
    service = deps.session.get(CarrierService, order.service_id) if order.service_id else None
    carrier = ref.carriers[service.carrier_id] if service else None
    ship_by = compute_ship_by(promised=source.eta, node=ref.nodes[source.node_id], fulfillment_type=FulfillmentType.ship,
                              destination=(address.lat, address.lon), service=service,
                              delivery_weekdays=carrier.delivery_weekdays if carrier else None)
    for n, item in enumerate(items, start=1):
        deps.session.add(OrderLine(order_id=new_id, line_no=n, sku=item.sku, quantity=item.quantity,
                                   unit_price=Decimal("0"), status=LineStatus.allocated,
                                   allocated_node_id=source.node_id, ship_by=max(ship_by, common.today(deps))))
    deps.session.flush()
    return new_id
