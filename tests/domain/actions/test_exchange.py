"""Exchanges for another variant: group, price, ATP, best node, the RMA and the replacement order.

PO-E (Ana) was delivered Sat 14 Nov: one T-shirt size M (SKU-TM, 300.00). Variants of group TEE:
L 300.00 (5 at DC-CDMX-01), S 250.00 (cheaper: 50.00 back), XL 350.00 (dearer). DHL standard
from DC-CDMX-01 to Ana (local, 1 day): ships today Fri 20, arrives Sat 21.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from promesa.domain.actions.exchange import exchange_item, propose_exchange
from promesa.errors import InvalidInput, NotFound, PolicyViolation
from promesa.store.enums import LineStatus, OrderStatus
from promesa.store.models import InventoryPosition, Order, OrderLine, Product, Refund, ReturnAuthorization
from tests.domain.actions.world import BETO, DELIVERED_4, build, deps
from tests.domain.builders import Line, add_order, add_product, add_shipment, add_stock


@pytest.fixture
def world(session):
    build(session)
    for sku, price, variant in (("SKU-TM", "300.00", "M"), ("SKU-TL", "300.00", "L"), ("SKU-TS", "250.00", "S"),
                                ("SKU-TXL", "350.00", "XL")):
        add_product(session, sku, name="Playera", category="moda", price=price)
        product = session.get(Product, sku)
        product.product_group, product.variant = "TEE", variant
    add_stock(session, "DC-CDMX-01", "SKU-TL", 5)
    add_stock(session, "DC-CDMX-01", "SKU-TS", 5)
    add_order(session, "PO-E", "C-1", status=OrderStatus.delivered, ship_to_id="A-C-1", service_id="DHL-STD",
              promised_date=date(2026, 11, 14), lines=[Line("SKU-TM", 1, "DC-CDMX-01", unit_price=Decimal("300.00"))])
    add_shipment(session, "SH-E", "PO-E", "DC-CDMX-01", "DHL-STD", shipped_at=DELIVERED_4 - timedelta(days=1),
                 delivered_at=DELIVERED_4)
    session.flush()
    return session


def test_same_price_variant_ships_from_the_best_node(world):
    p = propose_exchange(deps(world), "PO-E", line_no=1, to_sku="SKU-TL")
    assert p.eligible and p.node_id == "DC-CDMX-01" and p.variant == "L"
    assert p.eta == date(2026, 11, 21) and p.price_difference == 0 and p.refund is None


def test_exchange_creates_rma_and_a_paid_replacement_order_once(world):
    r = exchange_item(deps(world), order_id="PO-E", line_no=1, to_sku="SKU-TL", idempotency_key="x-1")
    assert (r.rma_id, r.new_order_id) == ("RMA-PO-E-1", "PO-E-X1")
    new = world.get(Order, "PO-E-X1")
    assert new.total == 0 and new.status is OrderStatus.allocated and new.promised_date == date(2026, 11, 21)
    line = world.scalars(select(OrderLine).where(OrderLine.order_id == "PO-E-X1")).one()
    assert (line.sku, line.status, line.allocated_node_id) == ("SKU-TL", LineStatus.allocated, "DC-CDMX-01")
    assert world.get(InventoryPosition, ("DC-CDMX-01", "SKU-TL")).reserved == 1
    assert exchange_item(deps(world), order_id="PO-E", line_no=1, to_sku="SKU-TL", idempotency_key="x-1").replayed
    assert len(world.scalars(select(ReturnAuthorization)).all()) == 1
    # the returned unit is now on an RMA: a second exchange of it is refused
    assert propose_exchange(deps(world), "PO-E", line_no=1, to_sku="SKU-TL").refusals[0].code == "already_returned"


def test_cheaper_variant_refunds_the_difference(world):
    p = propose_exchange(deps(world), "PO-E", line_no=1, to_sku="SKU-TS")
    assert p.price_difference == Decimal("50.00") and p.refund.amount == Decimal("50.00")
    exchange_item(deps(world), order_id="PO-E", line_no=1, to_sku="SKU-TS", idempotency_key="x-2")
    assert world.scalars(select(Refund)).one().amount == Decimal("50.00")


@pytest.mark.parametrize("sku, code", [("SKU-TXL", "price_higher"), ("SKU-1", "not_a_variant"),
                                       ("SKU-TM", "not_a_variant")])
def test_refusals(world, sku, code):
    assert propose_exchange(deps(world), "PO-E", line_no=1, to_sku=sku).refusals[0].code == code


def test_no_stock_anywhere(world):
    world.get(InventoryPosition, ("DC-CDMX-01", "SKU-TL")).on_hand = 0
    world.flush()
    p = propose_exchange(deps(world), "PO-E", line_no=1, to_sku="SKU-TL")
    assert p.refusals[0].code == "out_of_stock"
    with pytest.raises(PolicyViolation):
        exchange_item(deps(world), order_id="PO-E", line_no=1, to_sku="SKU-TL", idempotency_key="x-3")
    assert world.get(Order, "PO-E-X1") is None


def test_not_delivered_other_customer_and_bad_input(world):
    assert propose_exchange(deps(world), "PO-1", line_no=1, to_sku="SKU-TL").refusals[0].code == "not_delivered"
    with pytest.raises(NotFound):
        propose_exchange(deps(world, BETO), "PO-E", line_no=1, to_sku="SKU-TL")
    with pytest.raises(InvalidInput) as bad:
        propose_exchange(deps(world), "PO-E", line_no=1, to_sku="SKU-NOPE")
    assert bad.value.field == "to_sku"


def test_exchange_takes_only_the_units_not_yet_returned(world):
    """Found by the property test: an exchange after a partial return must not return more units
    than the line holds."""
    from promesa.domain.actions.records import ReturnItem
    from promesa.domain.actions.returns import start_return
    from promesa.store.models import ReturnLine

    add_order(world, "PO-E2", "C-1", status=OrderStatus.delivered, ship_to_id="A-C-1", service_id="DHL-STD",
              promised_date=date(2026, 11, 14), lines=[Line("SKU-TM", 2, "DC-CDMX-01", unit_price=Decimal("300.00"))])
    add_shipment(world, "SH-E2", "PO-E2", "DC-CDMX-01", "DHL-STD", delivered_at=DELIVERED_4)
    start_return(deps(world), order_id="PO-E2", items=[ReturnItem(line_no=1, quantity=1)], idempotency_key="r-1")
    p = propose_exchange(deps(world), "PO-E2", line_no=1, to_sku="SKU-TL")
    assert p.eligible and p.quantity == 1
    exchange_item(deps(world), order_id="PO-E2", line_no=1, to_sku="SKU-TL", idempotency_key="x-9")
    returned = world.scalars(select(ReturnLine.quantity).join(OrderLine, OrderLine.id == ReturnLine.order_line_id)
                             .where(OrderLine.order_id == "PO-E2")).all()
    assert sorted(returned) == [1, 1]
    assert world.get(InventoryPosition, ("DC-CDMX-01", "SKU-TL")).reserved == 1
