"""Order status and order lists: the queries behind "where is my order?".

``get_order_status`` runs two indexed queries (order with lines and shipments; tracking events),
plus for orders still at a node their stock and queue, builds :class:`promesa.domain.eta.EtaFacts`
and lets the pure :func:`promesa.domain.eta.estimate` decide. Reference rows (nodes, carriers,
services) come from the per-engine cache in :mod:`promesa.domain.reference`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, select

from promesa.domain import access, eta
from promesa.domain.deps import Deps
from promesa.domain.identity import normalise_order_id
from promesa.domain.load import ship_day_with_backlog
from promesa.domain.records import OrderLineView, OrderStatusView, OrderSummary, TrackingStep
from promesa.domain.reference import NodeRef, Reference, reference
from promesa.domain.visitor_view import visitor_view
from promesa.errors import InvalidInput
from promesa.principal import Role
from promesa.store.enums import FulfillmentType, LineStatus
from promesa.store.models import (
    Address,
    InventoryPosition,
    Order,
    OrderLine,
    Product,
    Shipment,
    TrackingEvent,
)

MAX_LIST_LIMIT = 200

# Core statements over the tables, built once with bound parameters and run on the session's
# connection: this skips the ORM's per-call statement building (most of the cost of a
# sub-millisecond lookup) while staying in the caller's transaction.
_O, _A, _L, _P = Order.__table__.c, Address.__table__.c, OrderLine.__table__.c, Product.__table__.c
_E, _S = TrackingEvent.__table__.c, Shipment.__table__.c
# One row per (line, shipment): orders have a handful of lines and almost always one shipment,
# so joining both costs less than a third round trip.
_ORDER_WITH_LINES = (
    select(
        _O.id, _O.customer_id, _O.channel, _O.created_at, _O.status.label("order_status"),
        _O.fulfillment_type, _O.promised_date, _O.pickup_node_id, _O.service_id,
        _O.pickup_hold_until, _A.city, _A.lat, _A.lon,
        _L.line_no, _L.sku, _L.quantity, _L.status.label("line_status"), _L.allocated_node_id,
        _L.ship_by, _P.name.label("product_name"), _P.category,
        _S.id.label("shipment_id"), _S.node_id.label("shipment_node_id"),
        _S.service_id.label("shipment_service_id"), _S.tracking_number, _S.shipped_at,
        _S.delivered_at,
    )
    .select_from(
        Order.__table__.outerjoin(Address.__table__, _A.id == _O.ship_to_id)
        .outerjoin(OrderLine.__table__, _L.order_id == _O.id)
        .outerjoin(Product.__table__, _P.sku == _L.sku)
        .outerjoin(Shipment.__table__, _S.order_id == _O.id)
    )
    .where(_O.id == bindparam("oid"))
    .order_by(_L.line_no)
)
_EVENTS = (
    select(_E.type, _E.occurred_at, _E.location, _E.reason, _E.revised_eta)
    .where(_E.order_id == bindparam("oid"))
    .order_by(_E.occurred_at, _E.id)
)

#: On-hand of the positions an unpicked order draws on: one statement built once.
_ON_HAND = select(InventoryPosition.node_id, InventoryPosition.sku, InventoryPosition.on_hand).where(
    InventoryPosition.node_id.in_(bindparam("node_ids", expanding=True)),
    InventoryPosition.sku.in_(bindparam("skus", expanding=True)),
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Shipment:
    node_id: str
    service_id: str
    tracking_number: str
    shipped_at: datetime | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class _Line:
    line_no: int
    sku: str
    name: str
    category: str
    quantity: int
    status: LineStatus
    node_id: str | None
    ship_by: date | None


def _shipped_key(shipment: _Shipment) -> datetime:
    return shipment.shipped_at or _EPOCH


def resolve_order_id(raw: str) -> str:
    """The canonical order id of what a person typed (``InvalidInput(field='order_id')``)."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("an order id is required", field="order_id")
    return normalise_order_id(raw)


def get_order_status(deps: Deps, order_id: str) -> OrderStatusView:
    """Where the order is, its ETA and whether its promise holds.

    Raises:
        InvalidInput: ``order_id`` is not an order id.
        NotFound: no such order, or one the principal may not see (same error either way).
    """
    oid = resolve_order_id(order_id)
    session = deps.session
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()  # the connection below does not autoflush pending ORM changes
    connection = session.connection()
    rows = connection.execute(_ORDER_WITH_LINES, {"oid": oid}).all()
    if not rows:
        raise access.order_not_found(oid)
    head = rows[0]
    access.ensure_order_visible(deps.principal, order_id=oid, customer_id=head.customer_id)
    lines: dict[int, _Line] = {}
    shipments: dict[str, _Shipment] = {}
    for r in rows:
        if r.line_no is not None and r.line_no not in lines:
            lines[r.line_no] = _Line(r.line_no, r.sku, r.product_name, r.category, r.quantity,
                                     r.line_status, r.allocated_node_id, r.ship_by)
        if r.shipment_id is not None and r.shipment_id not in shipments:
            shipments[r.shipment_id] = _Shipment(r.shipment_node_id, r.shipment_service_id,
                                                 r.tracking_number, r.shipped_at, r.delivered_at)
    # the latest shipment speaks for the order
    shipment = max(shipments.values(), key=_shipped_key) if shipments else None
    ref = reference(deps.session)
    events = tuple(
        TrackingStep(type=e.type, occurred_at=e.occurred_at, location=e.location,
                     reason=e.reason, revised_eta=e.revised_eta)
        for e in connection.execute(_EVENTS, {"oid": oid})
    )

    tz = deps.settings.timezone
    today = deps.now.astimezone(deps.settings.tz).date()
    # a pickup order that has not shipped travels with no carrier (its service is history)
    pickup_unshipped = head.fulfillment_type is FulfillmentType.pickup and shipment is None
    service = None if pickup_unshipped else ref.services.get(
        shipment.service_id if shipment else head.service_id or ""
    )
    node_id = shipment.node_id if shipment else next(
        (ln.node_id for ln in lines.values() if ln.node_id), None
    )
    pre_ship = head.order_status in eta.PRE_SHIP
    leg = None
    if shipment is not None and service is not None and head.lat is not None:
        leg = eta.make_leg(ref.nodes[shipment.node_id], service, ref.carriers[service.carrier_id],
                           head.lat, head.lon)
    pickup_node = ref.nodes.get(head.pickup_node_id or "")
    facts = eta.EtaFacts(
        status=head.order_status,
        fulfillment_type=head.fulfillment_type,
        promised=head.promised_date,
        today=today,
        tz=tz,
        events=events,
        leg=leg,
        shipped_day=(shipment.shipped_at.astimezone(deps.settings.tz).date()
                     if shipment is not None and shipment.shipped_at else None),
        delivered_day=(shipment.delivered_at.astimezone(deps.settings.tz).date()
                       if shipment is not None and shipment.delivered_at else None),
        nodes=_node_ships(deps, ref, head, list(lines.values()), pickup_node) if pre_ship else (),
        backordered_skus=tuple(
            ln.sku for ln in lines.values() if ln.status is LineStatus.backordered
        ),
        pickup_hold_until=head.pickup_hold_until,
        categories=frozenset(ln.category for ln in lines.values()),
    )
    result = eta.estimate(facts)
    carrier = ref.carriers.get(service.carrier_id) if service else None
    view = OrderStatusView(
        order_id=oid,
        customer_id=head.customer_id,
        status=head.order_status,
        channel=head.channel,
        fulfillment_type=head.fulfillment_type,
        created_at=head.created_at,
        promised_date=head.promised_date,
        eta=result.eta,
        late=result.late,
        at_risk=result.at_risk,
        reason=result.reason,
        reason_detail=result.reason_detail,
        carrier=carrier.name if carrier else None,
        service=service.name if service else None,
        tracking_number=shipment.tracking_number if shipment else None,
        node_id=node_id,
        pickup_node_id=head.pickup_node_id,
        pickup_store=f"{pickup_node.name}, {pickup_node.city}" if pickup_node else None,
        pickup_hold_until=result.pickup_hold_until,
        destination_city=head.city or (pickup_node.city if pickup_node else None),
        lines=[
            OrderLineView(line_no=ln.line_no, sku=ln.sku, name=ln.name, quantity=ln.quantity,
                          status=ln.status.value, allocated_node_id=ln.node_id)
            for ln in lines.values()
        ],
        timeline=list(events),
        eta_basis=result.basis,
        return_window_ends=result.return_window_ends,
    )
    return visitor_view(view, ref) if deps.principal.role is Role.anonymous else view


def _node_ships(
    deps: Deps, ref: Reference, head: Any, lines: list[_Line], pickup_node: NodeRef | None
) -> tuple[eta.NodeShip, ...]:
    """Plan, queue position, stock and leg of every node an open order is allocated to."""
    by_node: dict[str, list[_Line]] = defaultdict(list)  # the open lines, by allocated node
    for ln in lines:
        if ln.node_id and ln.status is not LineStatus.cancelled:
            by_node[ln.node_id].append(ln)
    if not by_node:
        return ()
    # stock is only at stake before picking: a picked line is already in hand
    wanted = {
        (node_id, ln.sku)
        for node_id, node_lines in by_node.items() for ln in node_lines if ln.status is LineStatus.allocated
    }
    on_hand: dict[tuple[str, str], int] = {}
    if wanted:
        # nodes × SKUs is a superset of the wanted pairs (an order has a few): filtered here
        params = {"node_ids": sorted({n for n, _ in wanted}), "skus": sorted({k for _, k in wanted})}
        on_hand = {
            (r.node_id, r.sku): r.on_hand
            for r in deps.session.connection().execute(_ON_HAND, params)
            if (r.node_id, r.sku) in wanted
        }
    service = ref.services.get(head.service_id or "")
    result = []
    for node_id, node_lines in sorted(by_node.items()):
        node = ref.nodes[node_id]
        plan = eta.plan_ship(node, service, deps.now)
        ship_bys = [ln.ship_by for ln in node_lines if ln.ship_by is not None]
        ship_by = min(ship_bys) if ship_bys else None
        ship_day = ship_day_with_backlog(
            deps.session, node_id=node_id, earliest=plan.first_day,
            ship_by=ship_by or plan.first_day,
        )
        ship_day = max(ship_day, plan.first_day)
        short = tuple(
            ln.sku for ln in node_lines
            if ln.status is LineStatus.allocated and on_hand.get((node_id, ln.sku), 0) < ln.quantity
        )
        leg = None
        same_node_pickup = (
            head.fulfillment_type is FulfillmentType.pickup and pickup_node is not None
            and pickup_node.id == node_id
        )
        if not same_node_pickup and service is not None:
            dest = (head.lat, head.lon) if head.lat is not None else (
                (pickup_node.lat, pickup_node.lon) if pickup_node else None
            )
            if dest is not None:
                leg = eta.make_leg(node, service, ref.carriers[service.carrier_id], *dest)
        result.append(eta.NodeShip(plan=plan, ship_day=ship_day, leg=leg, short_skus=short,
                                   ship_by=ship_by))
    return tuple(result)


def list_orders(
    deps: Deps, *, customer_id: str | None = None, limit: int = 20
) -> list[OrderSummary]:
    """Orders, most recent first: a customer's own, a visitor's one, or (staff) anyone's.

    Raises:
        InvalidInput: ``limit`` outside 1…200.
        Forbidden: a customer asking for another customer's orders; anonymous without scope.
    """
    if not 1 <= limit <= MAX_LIST_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIST_LIMIT}", field="limit")
    principal = deps.principal
    query = select(
        Order.id, Order.status, Order.created_at, Order.promised_date, Order.total,
        Order.fulfillment_type,
    ).order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)
    if principal.role is Role.anonymous:
        if principal.order_scope is None or customer_id is not None:
            access.ensure_customer_visible(principal, customer_id or "")
        query = query.where(Order.id == principal.order_scope)
    else:
        if principal.role is Role.customer and customer_id is None:
            customer_id = principal.subject
        if customer_id is not None:
            access.ensure_customer_visible(principal, customer_id)
            query = query.where(Order.customer_id == customer_id)
        elif not principal.is_staff:
            access.ensure_staff(principal, "listing every order")
    return [
        OrderSummary(order_id=r.id, status=r.status, created_at=r.created_at,
                     promised_date=r.promised_date, total=float(r.total),
                     fulfillment_type=r.fulfillment_type)
        for r in deps.session.execute(query)
    ]
