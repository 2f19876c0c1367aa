"""Hand-built small worlds for the operations tests (load, inventory, reroutes, risk, analytics).

Thin wrappers over :mod:`tests.domain.builders` with the operations tests' own defaults
(Monterrey stores of 100 orders / 300 units a day, 2 h processing; every line of an order at one
node); tests flush and reason about exact numbers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
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
from promesa.store.models import Node, Order
from tests.domain import builders
from tests.domain.builders import Line

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
    return builders.add_node(
        session, node_id, city, *at, name=node_id.title(), type=type, state=state,
        postal_code="64000", pickup=pickup, processing_hours=processing_hours, cutoff_time=cutoff,
        ship_weekdays=weekdays, capacity_orders=capacity_orders, capacity_units=capacity_units,
    )


def add_override(session: Session, node_id: str, day: date, orders: int, units: int) -> None:
    builders.add_capacity(session, node_id, day, orders, units, reason="test")


def add_carriers(session: Session) -> None:
    """ESTAFETA standard (1/2/3/5 transit days) and DHL express (1/1/2/3), Mon–Sat delivery."""
    builders.add_carrier(session, "ESTAFETA", name="Estafeta", reliability=0.93)
    builders.add_carrier(session, "DHL", reliability=0.97)
    builders.add_service(session, "ESTAFETA-STD", "ESTAFETA", level=ServiceLevel.standard,
                         name="Estafeta Terrestre", transit=(1, 2, 3, 5))
    builders.add_service(session, "DHL-EXP", "DHL", level=ServiceLevel.express,
                         name="DHL Express", transit=(1, 1, 2, 3))


def add_product(
    session: Session, sku: str, *, price: str = "500.00", weight: float = 1.0,
    category: str = "hogar", online: int = 0,
) -> None:
    builders.add_product(session, sku, price=price, weight_kg=weight, category=category,
                         online_available=online)


def add_stock(
    session: Session, node_id: str, sku: str, on_hand: int, reserved: int = 0, safety: int = 0
) -> None:
    builders.add_stock(session, node_id, sku, on_hand, reserved=reserved, safety_stock=safety)


def add_customer(session: Session, customer_id: str, at: tuple[float, float] = MTY,
                 city: str = "Monterrey", state: str = "Nuevo León") -> str:
    builders.add_customer(session, customer_id, f"Customer {customer_id}",
                          created_at=datetime(2025, 1, 1, tzinfo=UTC))
    address_id = f"A-{customer_id}"
    builders.add_address(session, address_id, customer_id, city, *at, line1="Calle 1",
                         state=state, postal_code="64000")
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
    return builders.add_order(
        session, order_id, customer_id,
        lines=[Line(sku, quantity, node_id, line_status, ship_by, price) for sku, quantity in lines],
        status=status, fulfillment_type=fulfillment, channel=channel,
        created_at=created_at or (NOW - timedelta(days=1)), promised_date=promised,
        ship_to_id=f"A-{customer_id}" if fulfillment is not FulfillmentType.pickup else None,
        pickup_node_id=pickup_node_id, service_id=service_id,
    )


def done(session: Session) -> None:
    """Flush and forget cached reference data (the engine may be reused between tests)."""
    session.flush()
    invalidate()


def last_units_world(session: Session, *, orders: int, units: int) -> None:
    """The race world: ``orders`` one-unit orders reserved at a store with nothing on hand
    ("CUR"), and ``units`` units left at another node ("LAST") for all of them to fight over."""
    add_node(session, "CUR", SAN_PEDRO)
    add_node(session, "LAST", MTY)
    add_carriers(session)
    add_product(session, "SKU-1")
    add_stock(session, "CUR", "SKU-1", on_hand=0, reserved=orders)
    add_stock(session, "LAST", "SKU-1", on_hand=units)
    add_customer(session, "C-1")
    for i in range(orders):
        add_order(session, f"PO-{i}", "C-1", [("SKU-1", 1)], node_id="CUR", ship_by=TODAY,
                  promised=TODAY.replace(day=TODAY.day + 3))
    done(session)
    session.commit()
