"""Small hand-built worlds for domain tests: ORM rows with sensible defaults.

Each ``add_*`` adds and flushes one row (or a few) and returns it; nothing is committed.
Ids and numbers are explicit so tests can compute their expected answers by hand.
``basic_world`` adds two DCs, two carriers, two products and a customer with two addresses,
which most ETA tests start from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy.orm import Session

from promesa.domain.identity import normalise
from promesa.store.enums import (
    Channel,
    FulfillmentType,
    IdentityKind,
    InteractionChannel,
    LineStatus,
    NodeType,
    OrderStatus,
    ServiceLevel,
    TrackingEventType,
)
from promesa.store.models import (
    Address,
    Carrier,
    CarrierService,
    Customer,
    Identity,
    Interaction,
    InventoryPosition,
    Node,
    NodeCapacity,
    Order,
    OrderLine,
    Product,
    Shipment,
    TrackingEvent,
)


def _put(session: Session, row: object) -> None:
    # flush row by row: the mappers have no relationships that would order the inserts by FK
    session.add(row)
    session.flush()


T0 = datetime.fromisoformat("2026-11-19T10:00:00-06:00")
"""Default creation time: the day before the tests' usual ``now`` (Fri 20 Nov 2026 10:00)."""

# coordinates used across tests
CDMX = (19.4326, -99.1332)
MTY = (25.6866, -100.3161)
GDL = (20.6597, -103.3496)
PUE = (19.0414, -98.2063)


def add_customer(
    session: Session,
    id: str,
    name: str = "Ana Torres",
    *,
    locale: str = "es-MX",
    created_at: datetime = T0,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    socials: Iterable[str] = (),
) -> Customer:
    """A customer, with identities given in any format (stored normalised)."""
    customer = Customer(id=id, name=name, locale=locale, created_at=created_at)
    _put(session, customer)
    for kind, values in ((IdentityKind.email, emails), (IdentityKind.phone, phones),
                         (IdentityKind.social, socials)):
        for value in values:
            add_identity(session, id, kind, value)
    return customer


def add_identity(
    session: Session, customer_id: str, kind: IdentityKind, raw: str, *,
    source: str = "web", verified: bool = True,
) -> Identity:
    identity = Identity(customer_id=customer_id, kind=kind, value=normalise(kind, raw),
                        source=source, verified=verified)
    _put(session, identity)
    return identity


def add_address(
    session: Session, id: str, customer_id: str | None, city: str, lat: float, lon: float,
    **overrides: object,
) -> Address:
    values: dict[str, object] = dict(line1="Calle 1 #100", state=city, postal_code="01000",
                                     country="MX")
    values.update(overrides)
    address = Address(id=id, customer_id=customer_id, city=city, lat=lat, lon=lon, **values)
    _put(session, address)
    return address


def add_node(
    session: Session, id: str, city: str, lat: float, lon: float, **overrides: object
) -> Node:
    """A node; ids containing 'STORE' default to pickup stores, others to DCs.

    Defaults: 4 h processing, 14:00 cut-off, ships Mon–Sat, Mexico City time, 400 orders /
    1000 units a day.
    """
    is_store = "STORE" in id
    values: dict[str, object] = dict(
        name=id, type=NodeType.store if is_store else NodeType.distribution_center,
        state=city, postal_code="01000", timezone="America/Mexico_City", ships=True,
        pickup=is_store, processing_hours=4, cutoff_time=time(14, 0), ship_weekdays="012345",
        capacity_units=1000, capacity_orders=400, active=True,
    )
    values.update(overrides)
    node = Node(id=id, city=city, lat=lat, lon=lon, **values)
    _put(session, node)
    return node


def add_capacity(
    session: Session, node_id: str, day: date, orders: int, units: int, reason: str | None = None
) -> NodeCapacity:
    row = NodeCapacity(node_id=node_id, day=day, orders=orders, units=units, reason=reason)
    _put(session, row)
    return row


def add_carrier(
    session: Session, id: str, *, reliability: float = 0.95, delivery_weekdays: str = "012345",
    name: str | None = None,
) -> Carrier:
    carrier = Carrier(id=id, name=name or id, on_time_reliability=reliability,
                      delivery_weekdays=delivery_weekdays)
    _put(session, carrier)
    return carrier


def add_service(
    session: Session, id: str, carrier_id: str, *, level: ServiceLevel = ServiceLevel.standard,
    transit: tuple[int, int, int, int] = (1, 2, 3, 5), cutoff: time | None = None,
    name: str | None = None,
) -> CarrierService:
    """A service; ``transit`` = days for (local, regional, national, remote)."""
    service = CarrierService(
        id=id, carrier_id=carrier_id, level=level, name=name or f"{carrier_id} {level.value}",
        transit_local=transit[0], transit_regional=transit[1], transit_national=transit[2],
        transit_remote=transit[3], cutoff_time=cutoff,
    )
    _put(session, service)
    return service


def add_product(
    session: Session, sku: str, *, name: str | None = None, category: str = "home",
    price: Decimal | str = "500.00", weight_kg: float = 1.0, online_available: int = 0,
    marketplace_seller: str | None = None,
) -> Product:
    product = Product(sku=sku, name=name or f"Product {sku}", category=category,
                      price=Decimal(price), weight_kg=weight_kg,
                      online_available=online_available, marketplace_seller=marketplace_seller)
    _put(session, product)
    return product


def add_stock(
    session: Session, node_id: str, sku: str, on_hand: int, *, reserved: int = 0,
    safety_stock: int = 0,
) -> InventoryPosition:
    row = InventoryPosition(node_id=node_id, sku=sku, on_hand=on_hand, reserved=reserved,
                            safety_stock=safety_stock)
    _put(session, row)
    return row


@dataclass(frozen=True)
class Line:
    """One order line for ``add_order``; ``status`` defaults from the order's status."""

    sku: str
    quantity: int = 1
    node_id: str | None = None
    status: LineStatus | None = None
    ship_by: date | None = None
    unit_price: Decimal = Decimal("500.00")


_LINE_STATUS = {
    OrderStatus.created: LineStatus.allocated,
    OrderStatus.allocated: LineStatus.allocated,
    OrderStatus.picking: LineStatus.picked,
    OrderStatus.packed: LineStatus.packed,
    OrderStatus.delivered: LineStatus.delivered,
    OrderStatus.picked_up: LineStatus.delivered,
    OrderStatus.cancelled: LineStatus.cancelled,
}


def add_order(
    session: Session,
    id: str,
    customer_id: str,
    *,
    lines: Iterable[Line | tuple[str, int, str | None]] = (),
    status: OrderStatus = OrderStatus.allocated,
    fulfillment_type: FulfillmentType = FulfillmentType.ship,
    channel: Channel = Channel.web,
    created_at: datetime = T0,
    promised_date: date = date(2026, 11, 24),
    ship_to_id: str | None = None,
    pickup_node_id: str | None = None,
    service_id: str | None = None,
    total: Decimal | str | None = None,
    note: str | None = None,
    pickup_hold_until: date | None = None,
) -> Order:
    """An order with lines given as ``Line`` or ``(sku, quantity, node_id)`` tuples."""
    built = [ln if isinstance(ln, Line) else Line(ln[0], ln[1], ln[2]) for ln in lines]
    amount = Decimal(total) if total is not None else sum(
        (ln.unit_price * ln.quantity for ln in built), Decimal("0")
    )
    order = Order(
        id=id, customer_id=customer_id, channel=channel, created_at=created_at, status=status,
        fulfillment_type=fulfillment_type, promised_date=promised_date, ship_to_id=ship_to_id,
        pickup_node_id=pickup_node_id, service_id=service_id, total=amount, note=note,
        pickup_hold_until=pickup_hold_until,
    )
    _put(session, order)
    default_status = _LINE_STATUS.get(status, LineStatus.shipped)
    for no, ln in enumerate(built, start=1):
        _put(session, OrderLine(
            order_id=id, line_no=no, sku=ln.sku, quantity=ln.quantity, unit_price=ln.unit_price,
            status=ln.status or default_status, allocated_node_id=ln.node_id, ship_by=ln.ship_by,
        ))
    return order


def add_shipment(
    session: Session, id: str, order_id: str, node_id: str, service_id: str, *,
    shipped_at: datetime | None = T0, delivered_at: datetime | None = None,
    tracking_number: str | None = None,
) -> Shipment:
    shipment = Shipment(id=id, order_id=order_id, node_id=node_id, service_id=service_id,
                        tracking_number=tracking_number or f"TRK-{id}", shipped_at=shipped_at,
                        delivered_at=delivered_at)
    _put(session, shipment)
    return shipment


def add_event(
    session: Session, order_id: str, type: TrackingEventType, occurred_at: datetime, *,
    shipment_id: str | None = None, location: str | None = None, reason: str | None = None,
    revised_eta: date | None = None,
) -> TrackingEvent:
    event = TrackingEvent(order_id=order_id, shipment_id=shipment_id, type=type,
                          occurred_at=occurred_at, location=location, reason=reason,
                          revised_eta=revised_eta)
    _put(session, event)
    return event


def add_interaction(
    session: Session, customer_id: str, summary: str, *, occurred_at: datetime = T0,
    channel: InteractionChannel = InteractionChannel.chat, order_id: str | None = None,
) -> Interaction:
    row = Interaction(customer_id=customer_id, channel=channel, occurred_at=occurred_at,
                      summary=summary, order_id=order_id)
    _put(session, row)
    return row


def basic_world(session: Session) -> None:
    """DC-CDMX-01 and DC-MTY-01; DHL (reliable, Mon–Sat) and ESTAFETA (0.85, Mon–Fri) standard
    services with transit (local 1, regional 2, national 3, remote 5); SKU-1 (home) and SKU-TV
    (electronics); customer C-1 with a CDMX address A-1 and a Monterrey address A-2."""
    add_node(session, "DC-CDMX-01", "Ciudad de México", *CDMX)
    add_node(session, "DC-MTY-01", "Monterrey", *MTY, timezone="America/Monterrey")
    add_carrier(session, "DHL", reliability=0.97)
    add_carrier(session, "ESTAFETA", reliability=0.85, delivery_weekdays="01234")
    add_service(session, "DHL-STD", "DHL")
    add_service(session, "ESTAFETA-STD", "ESTAFETA")
    add_product(session, "SKU-1", name="Cafetera")
    add_product(session, "SKU-TV", name="Televisor", category="electronics")
    add_customer(session, "C-1", "Ana Torres", emails=["ana@example.com"])
    add_address(session, "A-1", "C-1", "Ciudad de México", 19.40, -99.15, postal_code="03100")
    add_address(session, "A-2", "C-1", "Monterrey", 25.67, -100.30, postal_code="64000")
