"""Carrier tracking events: scans and exceptions, as the tracking events Promesa knows.

Every scan is kept in the order's timeline (its place there is its time, so a late one lands
where it belongs); the order's status moves only when the scan is newer than the last event
that set it, so a late "in transit" never undoes "delivered". A delay exception's revised ETA
reaches ``orders.carrier_eta`` by trigger (``promesa.store.maintained``).
"""

from __future__ import annotations

from sqlalchemy import select

from promesa.domain.events.context import ApplyContext, Change, Effect
from promesa.domain.events.orders import _finish, set_status
from promesa.domain.events.payloads import (
    CARRIER_STATUS,
    TrackingException,
    TrackingScan,
)
from promesa.errors import InvalidInput, NotFound
from promesa.store.enums import OrderStatus, TrackingEventType
from promesa.store.models import Order, Shipment, TrackingEvent

#: The order status each scan moves an order to (None: the timeline only).
ORDER_STATUS = {
    TrackingEventType.label_created: None,
    TrackingEventType.picked_up: OrderStatus.in_transit,
    TrackingEventType.in_transit: OrderStatus.in_transit,
    TrackingEventType.out_for_delivery: OrderStatus.out_for_delivery,
    TrackingEventType.failed_attempt: OrderStatus.exception,
    TrackingEventType.ready_for_pickup: OrderStatus.ready_for_pickup,
}


def _shipment(ctx: ApplyContext, tracking_number: str) -> tuple[Shipment, Order]:
    session = ctx.deps.session
    shipment = session.scalar(select(Shipment).where(Shipment.tracking_number == tracking_number))
    if shipment is None:
        raise NotFound(f"no shipment with tracking number {tracking_number}", field="data.tracking_number")
    order = session.get(Order, shipment.order_id, with_for_update=True, populate_existing=True)
    assert order is not None  # a shipment's order exists (foreign key)
    return shipment, order


def scan(ctx: ApplyContext, data: TrackingScan) -> Effect:
    """A carrier scan: a tracking event on the shipment, and the order's status when it moves it."""
    kind = CARRIER_STATUS.get(data.status.strip().lower().replace("-", "_").replace(" ", "_"))
    if kind is None:
        raise InvalidInput(f"unknown carrier status {data.status!r}", field="data.status")
    shipment, order = _shipment(ctx, data.tracking_number)
    if kind is TrackingEventType.delivered:
        return _finish(ctx, order, OrderStatus.delivered, kind, data.location)
    ctx.deps.session.add(TrackingEvent(order_id=order.id, shipment_id=shipment.id, type=kind,
                                       occurred_at=ctx.at, location=data.location))
    target = ORDER_STATUS[kind]
    moved = target is not None and set_status(ctx, order, target)
    ctx.deps.session.flush()
    change = Change("order", order.id, {"customer_id": order.customer_id, "status": order.status.value,
                                        "tracking": kind.value})
    return Effect("order", order.id, moved, [change])


def exception(ctx: ApplyContext, data: TrackingException) -> Effect:
    """A carrier delay or exception, with its reason and revised ETA, on the shipment."""
    shipment, order = _shipment(ctx, data.tracking_number)
    ctx.deps.session.add(TrackingEvent(
        order_id=order.id, shipment_id=shipment.id, type=TrackingEventType.delay_exception,
        occurred_at=ctx.at, location=data.location, reason=data.reason, revised_eta=data.revised_eta))
    ctx.deps.session.flush()
    change = Change("order", order.id, {"customer_id": order.customer_id, "status": order.status.value,
                                        "tracking": TrackingEventType.delay_exception.value})
    return Effect("order", order.id, True, [change], note=data.reason)
