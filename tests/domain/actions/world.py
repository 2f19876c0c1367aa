"""A hand-built world for the self-service tests; every number is chosen to be worked by hand.

Clock: Friday 2026-11-20 10:00 Mexico City. Customer C-1 (Ana) and C-2 (Beto) live in CDMX.
DC-CDMX-01 holds SKU-1 (home, 500.00): on hand 10, reserved 3 (the allocated lines below).

* PO-1 (C-1, allocated): line 1 SKU-1 ×2 allocated, line 2 SKU-1 ×1 allocated; total 1500.00.
* PO-2 (C-1, picking): line 1 SKU-1 ×1 picked, line 2 SKU-1 ×1 allocated; total 1000.00.
* PO-3 (C-1, in transit): line 1 SKU-1 ×1 shipped.
* PO-4 (C-1, delivered 6 days ago, Sat 14 Nov): line 1 SKU-1 ×2 (home), line 2 SKU-TV ×1
  (electronics, 8000.00), line 3 SKU-UW ×1 (underwear, 300.00), line 4 SKU-MK ×1 (marketplace
  seller "TechMart", 1200.00).
* PO-5 (C-1, delivered 40 days ago, Fri 10 Oct): line 1 SKU-1 ×1.
* PO-9 (C-2, allocated): line 1 SKU-1 ×1 — someone else's order.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from promesa.domain.deps import Deps
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.enums import LineStatus, OrderStatus, TrackingEventType
from tests.domain.builders import (
    CDMX,
    Line,
    add_address,
    add_carrier,
    add_customer,
    add_event,
    add_node,
    add_order,
    add_product,
    add_service,
    add_shipment,
    add_stock,
)

NOW = datetime.fromisoformat("2026-11-20T10:00:00-06:00")
TODAY = date(2026, 11, 20)
DELIVERED_4 = datetime.fromisoformat("2026-11-14T12:00:00-06:00")
DELIVERED_5 = datetime.fromisoformat("2026-10-10T12:00:00-06:00")
ANA = Principal(role=Role.customer, subject="C-1")
BETO = Principal(role=Role.customer, subject="C-2")
SUPPORT = Principal(role=Role.support, subject="agent-ana")
VISITOR = Principal(role=Role.anonymous, order_scope="PO-1")


def deps(session: Session, principal: Principal = ANA, now: datetime = NOW) -> Deps:
    return Deps(session=session, principal=principal, now=now,
                settings=Settings(_env_file=None))  # type: ignore[call-arg]


def build(session: Session) -> None:
    dc = "DC-CDMX-01"
    add_node(session, dc, "Ciudad de México", *CDMX)
    add_node(session, "CDMX-STORE-01", "Ciudad de México", 19.42, -99.16, state="Ciudad de México")
    add_carrier(session, "DHL", reliability=0.97)
    add_service(session, "DHL-STD", "DHL")
    add_product(session, "SKU-1", name="Cafetera")
    add_product(session, "SKU-TV", name="Televisor", category="electronics", price="8000.00")
    add_product(session, "SKU-UW", name="Boxer", category="underwear", price="300.00")
    add_product(session, "SKU-MK", name="Audífonos", category="audio", price="1200.00",
                marketplace_seller="TechMart")
    add_stock(session, dc, "SKU-1", 10, reserved=3)
    for cid, name in (("C-1", "Ana Torres"), ("C-2", "Beto Ruiz")):
        add_customer(session, cid, name)
        add_address(session, f"A-{cid}", cid, "Ciudad de México", 19.40, -99.15,
                    postal_code="06700", state="Ciudad de México")
    common = dict(ship_to_id="A-C-1", service_id="DHL-STD", promised_date=date(2026, 11, 24))
    add_order(session, "PO-1", "C-1", lines=[Line("SKU-1", 2, dc, ship_by=TODAY),
                                              Line("SKU-1", 1, dc, ship_by=TODAY)], **common)
    add_order(session, "PO-2", "C-1", status=OrderStatus.picking,
              lines=[Line("SKU-1", 1, dc, LineStatus.picked, TODAY),
                     Line("SKU-1", 1, dc, LineStatus.allocated, TODAY)], **common)
    add_order(session, "PO-3", "C-1", status=OrderStatus.in_transit,
              lines=[Line("SKU-1", 1, dc, LineStatus.shipped)], **common)
    add_order(session, "PO-4", "C-1", status=OrderStatus.delivered,
              lines=[Line("SKU-1", 2, dc), Line("SKU-TV", 1, dc, unit_price=Decimal("8000.00")),
                     Line("SKU-UW", 1, dc, unit_price=Decimal("300.00")),
                     Line("SKU-MK", 1, dc, unit_price=Decimal("1200.00"))], **common)
    add_shipment(session, "SH-4", "PO-4", dc, "DHL-STD", shipped_at=DELIVERED_4 - timedelta(days=2),
                 delivered_at=DELIVERED_4)
    add_event(session, "PO-4", TrackingEventType.delivered, DELIVERED_4, shipment_id="SH-4")
    add_order(session, "PO-5", "C-1", status=OrderStatus.delivered, lines=[Line("SKU-1", 1, dc)],
              **common)
    add_shipment(session, "SH-5", "PO-5", dc, "DHL-STD", shipped_at=DELIVERED_5 - timedelta(days=2),
                 delivered_at=DELIVERED_5)
    add_order(session, "PO-9", "C-2", lines=[Line("SKU-1", 1, dc, ship_by=TODAY)],
              **{**common, "ship_to_id": "A-C-2"})
    session.flush()
