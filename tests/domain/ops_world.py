"""Hand-built small worlds for the operations tests (load, inventory, reroutes, risk, analytics).

Each helper adds ORM rows directly; tests flush and reason about exact numbers.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy.orm import Session

from promesa.domain.reference import invalidate
from promesa.store.enums import (
    Channel,
    FulfillmentType,
    LineStatus,
    NodeType,
    OrderStatus,
    ServiceLevel,
)
from promesa.store.models import (
    Address,
    Carrier,
    CarrierService,
    Customer,
    InventoryPosition,
    Node,
    NodeCapacity,
    Order,
    OrderLine,
    Product,
)

NOW = datetime.fromisoformat("2026-11-20T10:00:00-06:00")  # Friday
TODAY = date(2026, 11, 20)

#: Monterrey area and Mexico City coordinates used by the small worlds.
MTY = (25.6866, -100.3161)
SAN_PEDRO = (25.6573, -100.4020)
CUMBRES = (25.7290, -100.3990)
SALTILLO = (25.4383, -100.9737)
CDMX = (19.4326, -99.1332)
MERIDA = (20.9674, -89.5926)


def add_node(
    session: Session,
    node_id: str,
    at: tuple[float, float],
    *,
    type: NodeType = NodeType.store,
    capacity_orders: int = 100,
    capacity_units: int = 300,
    pickup: bool = True,
    city: str = "Monterrey",
    state: str = "Nuevo León",
    weekdays: str = "012345",
    cutoff: time = time(14, 0),
    processing_hours: int = 2,
) -> Node:
    node = Node(
        id=node_id, name=node_id.title(), type=type, city=city, state=state, postal_code="64000",
        lat=at[0], lon=at[1], timezone="America/Mexico_City", ships=True, pickup=pickup,
        processing_hours=processing_hours, cutoff_time=cutoff, ship_weekdays=weekdays,
        capacity_orders=capacity_orders, capacity_units=capacity_units, active=True,
    )
    session.add(node)
    session.flush()
    return node


def add_override(session: Session, node_id: str, day: date, orders: int, units: int) -> None:
    session.add(NodeCapacity(node_id=node_id, day=day, orders=orders, units=units, reason="test"))
    session.flush()


def add_carriers(session: Session) -> None:
    """ESTAFETA standard (1/2/3/5 transit days) and DHL express (1/1/2/3), Mon–Sat delivery."""
    session.add_all([
        Carrier(id="ESTAFETA", name="Estafeta", on_time_reliability=0.93, delivery_weekdays="012345"),
        Carrier(id="DHL", name="DHL", on_time_reliability=0.97, delivery_weekdays="012345"),
    ])
    session.flush()
    session.add_all([
        CarrierService(id="ESTAFETA-STD", carrier_id="ESTAFETA", level=ServiceLevel.standard,
                       name="Estafeta Terrestre", transit_local=1, transit_regional=2,
                       transit_national=3, transit_remote=5, cutoff_time=None),
        CarrierService(id="DHL-EXP", carrier_id="DHL", level=ServiceLevel.express,
                       name="DHL Express", transit_local=1, transit_regional=1,
                       transit_national=2, transit_remote=3, cutoff_time=None),
    ])


def add_product(
    session: Session, sku: str, *, price: str = "500.00", weight: float = 1.0,
    category: str = "hogar", online: int = 0,
) -> None:
    session.add(Product(sku=sku, name=f"Product {sku}", category=category, price=Decimal(price),
                        weight_kg=weight, online_available=online))
    session.flush()


def add_stock(
    session: Session, node_id: str, sku: str, on_hand: int, reserved: int = 0, safety: int = 0
) -> None:
    session.add(InventoryPosition(node_id=node_id, sku=sku, on_hand=on_hand, reserved=reserved,
                                  safety_stock=safety))


def add_customer(session: Session, customer_id: str, at: tuple[float, float] = MTY,
                 city: str = "Monterrey", state: str = "Nuevo León") -> str:
    session.add(Customer(id=customer_id, name=f"Customer {customer_id}", locale="es-MX",
                         created_at=datetime(2025, 1, 1, tzinfo=timezone.utc)))
    address_id = f"A-{customer_id}"
    session.add(Address(id=address_id, customer_id=customer_id, line1="Calle 1", city=city,
                        state=state, postal_code="64000", country="MX", lat=at[0], lon=at[1]))
    session.flush()
    return address_id


def add_order(
    session: Session,
    order_id: str,
    customer_id: str,
    lines: list[tuple[str, int]],
    *,
    node_id: str | None,
    ship_by: date | None,
    promised: date,
    status: OrderStatus = OrderStatus.allocated,
    line_status: LineStatus = LineStatus.allocated,
    fulfillment: FulfillmentType = FulfillmentType.ship,
    channel: Channel = Channel.web,
    service_id: str | None = "ESTAFETA-STD",
    unit_price: str = "500.00",
    created_at: datetime | None = None,
    pickup_node_id: str | None = None,
) -> Order:
    """An order whose lines (sku, qty) are all allocated to ``node_id`` with ``ship_by``."""
    price = Decimal(unit_price)
    order = Order(
        id=order_id, customer_id=customer_id, channel=channel,
        created_at=created_at or (NOW - timedelta(days=1)), status=status,
        fulfillment_type=fulfillment, promised_date=promised,
        ship_to_id=f"A-{customer_id}" if fulfillment is not FulfillmentType.pickup else None,
        pickup_node_id=pickup_node_id, service_id=service_id,
        total=sum((price * q for _s, q in lines), Decimal("0")), currency="MXN",
    )
    session.add(order)
    session.flush()
    for number, (sku, quantity) in enumerate(lines, start=1):
        session.add(OrderLine(order_id=order_id, line_no=number, sku=sku, quantity=quantity,
                              unit_price=price, status=line_status, allocated_node_id=node_id,
                              ship_by=ship_by))
    return order


def done(session: Session) -> None:
    """Flush and forget cached reference data (the engine may be reused between tests)."""
    session.flush()
    invalidate()
