"""Order events: created (with allocation), updated, cancelled, line picked/packed/shipped,
delivered, picked up.

Stock moves with the order in the same transaction: an allocated line reserves its units at
once (a ``Conflict`` when the node cannot cover them, so nothing oversells), a shipped line
takes its units off on-hand and its reservation, a cancelled order releases what it held. Line
states only move forward (picked < packed < shipped < delivered), so a late "picked" after
"shipped" changes nothing; the order's status is guarded by its watermark. The node-load and
carrier-ETA aggregates follow by trigger.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from promesa.domain.events import inventory
from promesa.domain.events.context import ApplyContext, Change, Effect
from promesa.domain.events.payloads import (
    LineProgress,
    LineShipped,
    OrderCancelled,
    OrderCreated,
    OrderDelivered,
    OrderPickedUp,
    OrderUpdated,
)
from promesa.domain.order_states import CLOSED
from promesa.domain.reference import reference
from promesa.domain.ship_by import compute_ship_by
from promesa.errors import Conflict, InvalidInput, NotFound, PolicyViolation
from promesa.store.enums import (
    RESERVING_LINE_STATES,
    FulfillmentType,
    LineStatus,
    OrderStatus,
    TrackingEventType,
)
from promesa.store.models import (
    Address,
    CarrierService,
    Customer,
    Node,
    Order,
    OrderLine,
    Product,
    Shipment,
    TrackingEvent,
)

#: How far along a line is; an event never moves a line backwards.
LINE_RANK = {LineStatus.backordered: 0, LineStatus.allocated: 0, LineStatus.picked: 1,
             LineStatus.packed: 2, LineStatus.shipped: 3, LineStatus.delivered: 4,
             LineStatus.cancelled: 5}
#: Order states no event may leave.


def status_key(order_id: str) -> str:
    """The ordering key an order's status events advance (stale ones never regress it)."""
    return f"order:{order_id}:status"


def set_status(ctx: ApplyContext, order: Order, status: OrderStatus) -> bool:
    """Move the order to ``status`` unless a newer event already moved it, or it is final."""
    if order.status in CLOSED and status is not order.status:
        return False
    if not ctx.advance(status_key(order.id)):
        return False
    order.status = status
    return True


def _order(ctx: ApplyContext, order_id: str, lock: bool = True) -> Order:
    order = ctx.deps.session.get(Order, order_id, with_for_update=lock, populate_existing=True)
    if order is None:
        raise NotFound(f"order {order_id} not found", field="data.order_id")
    return order


def _lines(ctx: ApplyContext, order_id: str) -> list[OrderLine]:
    return list(ctx.deps.session.scalars(
        select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)
        .with_for_update().execution_options(populate_existing=True)))


def _order_change(order: Order) -> Change:
    return Change("order", order.id, {"customer_id": order.customer_id, "status": order.status.value})


def _destination(ctx: ApplyContext, ship_to_id: str | None) -> tuple[float, float] | None:
    if not ship_to_id:
        return None
    address = ctx.deps.session.get(Address, ship_to_id)
    return (address.lat, address.lon) if address else None


def _ship_by(ctx: ApplyContext, order: Order, node_id: str) -> date:
    ref = reference(ctx.deps.session)
    service = ctx.deps.session.get(CarrierService, order.service_id) if order.service_id else None
    carrier = ref.carriers.get(service.carrier_id) if service else None
    return compute_ship_by(
        promised=order.promised_date, node=ref.nodes[node_id], fulfillment_type=order.fulfillment_type,
        destination=_destination(ctx, order.ship_to_id), pickup_node_id=order.pickup_node_id,
        service=service, delivery_weekdays=carrier.delivery_weekdays if carrier else None)


def created(ctx: ApplyContext, data: OrderCreated) -> Effect:
    """A new order from the order system, with its lines, allocation and ship-by date."""
    session = ctx.deps.session
    if session.get(Order, data.order_id) is not None:
        raise Conflict(f"order {data.order_id} already exists", field="data.order_id")
    if session.get(Customer, data.customer_id) is None:
        raise NotFound(f"customer {data.customer_id} not found", field="data.customer_id")
    for ref_id, model, name in ((data.service_id, CarrierService, "service_id"),
                                (data.ship_to_id, Address, "ship_to_id"),
                                (data.pickup_node_id, Node, "pickup_node_id")):
        if ref_id is not None and session.get(model, ref_id) is None:
            raise NotFound(f"{name} {ref_id} not found", field=f"data.{name}")
    if data.fulfillment_type is FulfillmentType.pickup and not data.pickup_node_id:
        raise InvalidInput("a pickup order needs pickup_node_id", field="data.pickup_node_id")
    if data.fulfillment_type is not FulfillmentType.pickup and not data.ship_to_id:
        raise InvalidInput("a shipped order needs ship_to_id", field="data.ship_to_id")
    allocated = all(line.node_id for line in data.lines)
    order = Order(
        id=data.order_id, customer_id=data.customer_id, channel=data.channel, created_at=ctx.at,
        status=OrderStatus.allocated if allocated else OrderStatus.created,
        fulfillment_type=data.fulfillment_type, promised_date=data.promised_date,
        ship_to_id=data.ship_to_id, pickup_node_id=data.pickup_node_id, service_id=data.service_id,
        total=sum((ln.unit_price * ln.quantity for ln in data.lines), Decimal(0)),
        currency=data.currency, note=data.note)
    session.add(order)
    session.flush()
    ctx.advance(status_key(order.id))
    positions = []
    # reserve in one fixed order, so two orders racing for the same positions cannot deadlock
    for no, line in sorted(enumerate(data.lines, start=1), key=lambda p: (p[1].node_id or "", p[1].sku)):
        field = f"data.lines.{no - 1}"
        if session.get(Product, line.sku) is None:
            raise NotFound(f"product {line.sku} not found", field=f"{field}.sku")
        ship_by = None
        if line.node_id:
            if session.get(Node, line.node_id) is None:
                raise NotFound(f"node {line.node_id} not found", field=f"{field}.node_id")
            inventory.reserve(ctx, line.node_id, line.sku, line.quantity, field=f"{field}.node_id")
            if line.ship_by is not None and line.ship_by > data.promised_date:
                raise InvalidInput("a line cannot ship after the promised date", field=f"{field}.ship_by")
            ship_by = line.ship_by or _ship_by(ctx, order, line.node_id)
            positions.append((line.node_id, line.sku))
        session.add(OrderLine(
            order_id=order.id, line_no=no, sku=line.sku, quantity=line.quantity,
            unit_price=line.unit_price, allocated_node_id=line.node_id, ship_by=ship_by,
            status=LineStatus.allocated if line.node_id else LineStatus.backordered))
    session.flush()
    changes = [_order_change(order)] + [inventory.position_change(ctx, n, s) for n, s in positions]
    return Effect("order", order.id, True, changes)


def updated(ctx: ApplyContext, data: OrderUpdated) -> Effect:
    """Changed order details (promise, address, service), unless a newer update came first."""
    order = _order(ctx, data.order_id)
    if not ctx.advance(f"order:{order.id}:details"):
        return Effect("order", order.id, False)
    session = ctx.deps.session
    if data.service_id is not None:
        if session.get(CarrierService, data.service_id) is None:
            raise NotFound(f"service {data.service_id} not found", field="data.service_id")
        order.service_id = data.service_id
    if data.ship_to_id is not None:
        if session.get(Address, data.ship_to_id) is None:
            raise NotFound(f"address {data.ship_to_id} not found", field="data.ship_to_id")
        order.ship_to_id = data.ship_to_id
    if data.promised_date is not None:
        order.promised_date = data.promised_date
    if data.note is not None:
        order.note = data.note
    if data.promised_date is not None or data.service_id is not None or data.ship_to_id is not None:
        for line in _lines(ctx, order.id):  # the promise moved: so does each line's ship-by day
            if line.allocated_node_id and line.status in RESERVING_LINE_STATES:
                line.ship_by = _ship_by(ctx, order, line.allocated_node_id)
    session.flush()
    return Effect("order", order.id, True, [_order_change(order)])


def cancelled(ctx: ApplyContext, data: OrderCancelled) -> Effect:
    """Cancel an order not yet shipped, releasing what it reserved."""
    order = _order(ctx, data.order_id)
    if order.status is OrderStatus.cancelled:
        return Effect("order", order.id, False)
    lines = _lines(ctx, order.id)
    if any(LINE_RANK[ln.status] >= LINE_RANK[LineStatus.shipped] and ln.status is not LineStatus.cancelled
           for ln in lines):
        raise PolicyViolation(f"order {order.id} has shipped lines and cannot be cancelled",
                              field="data.order_id")
    changes = []
    for line in sorted(lines, key=lambda ln: (ln.allocated_node_id or "", ln.sku)):
        if line.allocated_node_id and line.status in RESERVING_LINE_STATES:
            inventory.unreserve(ctx, line.allocated_node_id, line.sku, line.quantity)
            changes.append(inventory.position_change(ctx, line.allocated_node_id, line.sku))
        line.status = LineStatus.cancelled
    ctx.advance(status_key(order.id))
    order.status = OrderStatus.cancelled
    ctx.deps.session.flush()
    return Effect("order", order.id, True, [_order_change(order), *changes], note=data.reason)


def _line(lines: list[OrderLine], line_no: int) -> OrderLine:
    line = next((ln for ln in lines if ln.line_no == line_no), None)
    if line is None:
        raise NotFound(f"line {line_no} not found", field="data.line_no")
    if line.status is LineStatus.cancelled:
        raise PolicyViolation(f"line {line_no} is cancelled", field="data.line_no")
    return line


def _derived(lines: list[OrderLine]) -> OrderStatus:
    live = [ln for ln in lines if ln.status is not LineStatus.cancelled]
    lowest = min(LINE_RANK[ln.status] for ln in live)
    return {0: OrderStatus.picking, 1: OrderStatus.picking, 2: OrderStatus.packed}.get(
        lowest, OrderStatus.shipped)


def _progress(ctx: ApplyContext, order_id: str, line_no: int, to: LineStatus) -> tuple[Order, list[OrderLine], OrderLine, bool]:
    order = _order(ctx, order_id)
    lines = _lines(ctx, order_id)
    line = _line(lines, line_no)
    if LINE_RANK[line.status] >= LINE_RANK[to]:
        return order, lines, line, False
    line.status = to
    return order, lines, line, True


def line_picked(ctx: ApplyContext, data: LineProgress) -> Effect:
    """A line was picked at its node; the order's status follows its lines."""
    return _line_step(ctx, data, LineStatus.picked)


def line_packed(ctx: ApplyContext, data: LineProgress) -> Effect:
    """A line was packed at its node; the order's status follows its lines."""
    return _line_step(ctx, data, LineStatus.packed)


def _line_step(ctx: ApplyContext, data: LineProgress, to: LineStatus) -> Effect:
    order, lines, _line_row, moved = _progress(ctx, data.order_id, data.line_no, to)
    if moved:
        set_status(ctx, order, _derived(lines))
        ctx.deps.session.flush()
    return Effect("order", order.id, moved, [_order_change(order)] if moved else [])


def line_shipped(ctx: ApplyContext, data: LineShipped) -> Effect:
    """A line left its node in a shipment; its units leave on-hand and reserved."""
    session = ctx.deps.session
    order = _order(ctx, data.order_id)
    lines = _lines(ctx, data.order_id)
    line = _line(lines, data.line_no)
    if LINE_RANK[line.status] >= LINE_RANK[LineStatus.shipped]:
        return Effect("order", order.id, False)
    if not line.allocated_node_id:
        raise PolicyViolation(f"line {line.line_no} has no allocated node to ship from", field="data.line_no")
    service_id = data.service_id or order.service_id
    if service_id is None or session.get(CarrierService, service_id) is None:
        raise NotFound("the shipment needs a known carrier service", field="data.service_id")
    shipment = session.get(Shipment, data.shipment_id)
    if shipment is None:
        if session.scalar(select(Shipment.id).where(Shipment.tracking_number == data.tracking_number)):
            raise Conflict(f"tracking number {data.tracking_number} belongs to another shipment",
                           field="data.tracking_number")
        shipment = Shipment(id=data.shipment_id, order_id=order.id, node_id=line.allocated_node_id,
                            service_id=service_id, tracking_number=data.tracking_number, shipped_at=ctx.at)
        session.add(shipment)
        session.flush()
    elif shipment.order_id != order.id:
        raise Conflict(f"shipment {shipment.id} belongs to another order", field="data.shipment_id")
    node_id, was_reserving = line.allocated_node_id, line.status in RESERVING_LINE_STATES
    # the units leave the building: off on-hand and off the reservation they held
    inventory.move(ctx, node_id, line.sku, -line.quantity, guard="on_hand")
    if was_reserving:
        inventory.unreserve(ctx, node_id, line.sku, line.quantity)
    line.status = LineStatus.shipped
    line.shipment_id = shipment.id
    set_status(ctx, order, _derived(lines))
    session.flush()
    return Effect("order", order.id, True, [_order_change(order), inventory.position_change(ctx, node_id, line.sku)])


def _finish(ctx: ApplyContext, order: Order, status: OrderStatus, event: TrackingEventType,
            location: str | None) -> Effect:
    session = ctx.deps.session
    if order.status is OrderStatus.cancelled:
        raise PolicyViolation(f"order {order.id} is cancelled", field="data.order_id")
    moved = set_status(ctx, order, status)
    if moved:
        changes = []
        for line in _lines(ctx, order.id):
            if line.status is LineStatus.shipped:
                line.status = LineStatus.delivered
            elif line.status in RESERVING_LINE_STATES and line.allocated_node_id:
                # collected over the counter: the held units leave with the customer
                inventory.move(ctx, line.allocated_node_id, line.sku, -line.quantity, guard="on_hand")
                inventory.unreserve(ctx, line.allocated_node_id, line.sku, line.quantity)
                line.status = LineStatus.delivered
                changes.append(inventory.position_change(ctx, line.allocated_node_id, line.sku))
        shipment = session.scalar(select(Shipment).where(Shipment.order_id == order.id).limit(1))
        if shipment is not None and shipment.delivered_at is None:
            shipment.delivered_at = ctx.at
        session.add(TrackingEvent(order_id=order.id, shipment_id=shipment.id if shipment else None,
                                  type=event, occurred_at=ctx.at, location=location))
        session.flush()
        return Effect("order", order.id, True, [_order_change(order), *changes])
    return Effect("order", order.id, False)


def delivered(ctx: ApplyContext, data: OrderDelivered) -> Effect:
    """The order reached the customer (a final state)."""
    return _finish(ctx, _order(ctx, data.order_id), OrderStatus.delivered, TrackingEventType.delivered,
                   data.location)


def picked_up(ctx: ApplyContext, data: OrderPickedUp) -> Effect:
    """The customer collected a pickup order at the store (a final state)."""
    order = _order(ctx, data.order_id)
    if order.fulfillment_type is not FulfillmentType.pickup:
        raise PolicyViolation(f"order {order.id} is not a pickup order", field="data.order_id")
    return _finish(ctx, order, OrderStatus.picked_up, TrackingEventType.picked_up_by_customer, None)
