"""Promising on finite capacity, worked by hand.

The clock is Friday 20 Nov 2026 10:00 (Mexico City). Every DC processes for 4 h and has a
14:00 cut-off, so work started now is ready at 14:00 and ships today. DHL standard takes one
working day locally (Mon–Sat), so a parcel shipped Friday arrives Saturday 21, one shipped
Saturday arrives Monday 23 (no Sunday deliveries).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from promesa.domain.deps import Deps
from promesa.domain.promising.checkout import plan_checkout
from promesa.domain.promising.placement import PlaceOrder, place_order
from promesa.domain.promising.quote import quote
from promesa.domain.promising.records import CartLine, OptionKind, PlacementStatus, Policy
from promesa.errors import Conflict, Forbidden, InvalidInput, NotFound
from promesa.principal import Principal, Role
from promesa.store.enums import ServiceLevel
from promesa.store.models import InventoryPosition, NodeLoad, Order, OrderLine
from tests.domain.builders import (
    CDMX,
    MTY,
    add_address,
    add_capacity,
    add_carrier,
    add_customer,
    add_node,
    add_product,
    add_service,
    add_stock,
)

FRI, SAT, MON, TUE = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 23), date(2026, 11, 24)
SHOPPER = Principal(role=Role.customer, subject="C-1")


def world(session: Session, *, second_cdmx_dc: bool = False) -> None:
    """DC-CDMX-01 with one order slot left today; DC-MTY-01 far away; DHL standard + express."""
    add_node(session, "DC-CDMX-01", "Ciudad de México", *CDMX)
    add_node(session, "DC-MTY-01", "Monterrey", *MTY)
    add_carrier(session, "DHL", reliability=0.97)
    add_service(session, "DHL-STD", "DHL")
    add_service(session, "DHL-EXP", "DHL", level=ServiceLevel.express, transit=(1, 1, 2, 3))
    add_product(session, "SKU-1", name="Cafetera", weight_kg=2.0)
    add_product(session, "SKU-2", name="Licuadora")
    add_stock(session, "DC-CDMX-01", "SKU-1", on_hand=10)
    add_stock(session, "DC-MTY-01", "SKU-1", on_hand=10)
    add_stock(session, "DC-MTY-01", "SKU-2", on_hand=10)
    add_capacity(session, "DC-CDMX-01", FRI, orders=1, units=100, reason="short shift")
    if second_cdmx_dc:
        add_node(session, "DC-CDMX-02", "Ciudad de México", CDMX[0] + 0.05, CDMX[1])
        add_stock(session, "DC-CDMX-02", "SKU-1", on_hand=10)
    add_customer(session, "C-1")
    add_customer(session, "C-2", "Luis Gómez")
    add_address(session, "A-1", "C-1", "Ciudad de México", 19.40, -99.15, postal_code="06700")
    add_address(session, "A-2", "C-2", "Ciudad de México", 19.41, -99.16, postal_code="06100")
    session.commit()


def deps(session: Session, now, settings, principal: Principal = SHOPPER) -> Deps:
    return Deps(session=session, principal=principal, now=now, settings=settings)


def standard(q):
    return next(o for o in q.options if o.service_level is ServiceLevel.standard)


def place(session, now, settings, *, customer="C-1", address="A-1", accepted=SAT, key="checkout-0001",
          lines=(("SKU-1", 1),)):
    who = Principal(role=Role.customer, subject=customer)
    request = PlaceOrder(customer_id=customer, ship_to_id=address, accepted_delivery_date=accepted,
                         idempotency_key=key, lines=[CartLine(sku=s, quantity=q) for s, q in lines])
    result = place_order(deps(session, now, settings, who), request)
    session.commit()
    return result


def test_quote_ships_today_from_the_nearest_dc_and_lists_each_level(session, now, settings):
    world(session)
    q = quote(deps(session, now, settings), "SKU-1", 1, "06700")
    assert q.zone == "CDMX"
    std = standard(q)
    assert (std.node_id, std.ship_date, std.delivery_date, std.capacity_moved) == ("DC-CDMX-01", FRI, SAT, False)
    # rate card: local base 79 + 6/kg × 2 kg = 91; express × 1.6
    assert std.cost_mxn == 91.0
    express = next(o for o in q.options if o.service_level is ServiceLevel.express)
    assert express.cost_mxn == round(91.0 * 1.6, 2)


def test_last_slot_goes_to_the_first_order_and_the_next_quote_moves_to_the_next_day(session, now, settings):
    world(session)
    first = place(session, now, settings)
    assert first.status is PlacementStatus.placed and first.promised_date == SAT
    load = session.get(NodeLoad, ("DC-CDMX-01", FRI))
    assert load.order_count == 1  # the slot is taken, by trigger, in the placing transaction
    line = session.scalars(select(OrderLine).where(OrderLine.order_id == first.order_id)).one()
    assert (line.allocated_node_id, line.ship_by) == ("DC-CDMX-01", FRI)
    assert session.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).reserved == 1
    # Friday is full: Saturday ships, Monday arrives (Monterrey is national: 3 days, Tue 24)
    std = standard(quote(deps(session, now, settings), "SKU-1", 1, "06700"))
    assert (std.node_id, std.ship_date, std.delivery_date, std.capacity_moved) == ("DC-CDMX-01", SAT, MON, True)


def test_a_full_node_day_moves_the_next_quote_to_the_next_node(session, now, settings):
    world(session, second_cdmx_dc=True)
    place(session, now, settings)
    std = standard(quote(deps(session, now, settings), "SKU-1", 1, "06700"))
    assert (std.node_id, std.ship_date, std.delivery_date) == ("DC-CDMX-02", FRI, SAT)


def test_naive_policy_ignores_capacity(session, now, settings):
    world(session)
    place(session, now, settings)
    std = standard(quote(deps(session, now, settings), "SKU-1", 1, "06700", Policy.naive))
    assert (std.ship_date, std.delivery_date) == (FRI, SAT)


def test_a_stale_quote_is_rechecked_and_the_new_date_offered(session, now, settings):
    world(session)
    shown = standard(quote(deps(session, now, settings), "SKU-1", 1, "06700"))
    assert shown.delivery_date == SAT
    place(session, now, settings, customer="C-2", address="A-2", key="other-shopper")  # takes the slot
    stale = place(session, now, settings, accepted=shown.delivery_date, key="checkout-late")
    assert stale.status is PlacementStatus.requote
    assert stale.plan.latest_delivery == MON and "2026-11-23" in stale.reason
    assert session.scalar(select(Order).where(Order.customer_id == "C-1")) is None  # nothing written
    assert session.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).reserved == 1
    accepted = place(session, now, settings, accepted=stale.plan.latest_delivery, key="checkout-late")
    assert accepted.status is PlacementStatus.placed and accepted.promised_date == MON
    assert session.get(NodeLoad, ("DC-CDMX-01", SAT)).order_count == 1


def test_placing_twice_with_one_key_places_one_order(session, now, settings):
    world(session)
    first = place(session, now, settings)
    again = place(session, now, settings)
    assert again.status is PlacementStatus.duplicate and again.order_id == first.order_id
    assert session.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).reserved == 1


def test_a_cart_no_node_covers_is_split(session, now, settings):
    world(session)
    plan = plan_checkout(deps(session, now, settings), [CartLine(sku="SKU-1", quantity=1),
                                                        CartLine(sku="SKU-2", quantity=1)], "06700")
    # DC-MTY-01 holds both: one parcel from there (national, 3 working days: Fri → Tue 24)
    assert not plan.split and plan.shipments[0].node_id == "DC-MTY-01"
    assert plan.latest_delivery == TUE
    add_product(session, "SKU-3", name="Tostador")
    add_stock(session, "DC-CDMX-01", "SKU-3", on_hand=5)
    session.commit()
    plan = plan_checkout(deps(session, now, settings), [CartLine(sku="SKU-3", quantity=1),
                                                        CartLine(sku="SKU-2", quantity=1)], "06700")
    assert plan.split and [s.node_id for s in plan.shipments] == ["DC-CDMX-01", "DC-MTY-01"]
    assert (plan.earliest_delivery, plan.latest_delivery) == (SAT, TUE)
    with pytest.raises(Conflict) as refused:
        plan_checkout(deps(session, now, settings), [CartLine(sku="SKU-1", quantity=11)], "06700")
    assert refused.value.details["field"] == "lines.0.sku"


def test_bad_input_names_the_field(session, now, settings):
    world(session)
    with pytest.raises(InvalidInput) as bad:
        quote(deps(session, now, settings), "SKU-1", 1, "0670")
    assert bad.value.field == "postal_code"
    with pytest.raises(InvalidInput) as bad:
        quote(deps(session, now, settings), "SKU-1", 0, "06700")
    assert bad.value.field == "qty"
    with pytest.raises(NotFound) as missing:
        quote(deps(session, now, settings), "SKU-NOPE", 1, "06700")
    assert missing.value.details["field"] == "sku"


def test_a_customer_places_only_their_own_orders(session, now, settings):
    world(session)
    request = PlaceOrder(customer_id="C-2", ship_to_id="A-2", accepted_delivery_date=SAT,
                         idempotency_key="not-mine-01", lines=[CartLine(sku="SKU-1", quantity=1)])
    with pytest.raises(Forbidden):
        place_order(deps(session, now, settings), request)
    request = request.model_copy(update={"customer_id": "C-1"})
    with pytest.raises(NotFound) as missing:  # C-2's address is not C-1's
        place_order(deps(session, now, settings), request)
    assert missing.value.details["field"] == "ship_to_id"


def test_pickup_at_a_store_with_stock_is_ready_after_processing(session, now, settings):
    world(session)
    add_node(session, "CDMX-STORE-01", "Ciudad de México", 19.43, -99.20, processing_hours=2)
    add_stock(session, "CDMX-STORE-01", "SKU-1", on_hand=2)
    session.commit()
    q = quote(deps(session, now, settings), "SKU-1", 1, "06700")
    pickup = next(o for o in q.options if o.kind is OptionKind.pickup)
    assert (pickup.node_id, pickup.delivery_date) == ("CDMX-STORE-01", FRI)
    assert pickup.ready_at.hour == 12 and pickup.cost_mxn == 0


def test_cached_quotes_are_dropped_by_the_writes_that_move_them(engine, session, now, settings):
    world(session)
    first = quote(deps(session, now, settings), "SKU-1", 1, "06700")
    assert quote(deps(session, now, settings), "SKU-1", 1, "06700") is not first  # a copy ...
    assert quote(deps(session, now, settings), "SKU-1", 1, "06700") == first      # ... of the entry
    with Session(engine) as other:  # another session takes every unit at the CDMX DC
        other.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).on_hand = 0
        other.commit()
    session.rollback()
    moved = standard(quote(deps(session, now, settings), "SKU-1", 1, "06700"))
    assert moved.node_id == "DC-MTY-01"
    # a quote read inside a transaction with its own writes is not stored for others
    session.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).on_hand = 5
    session.flush()
    inside = standard(quote(deps(session, now, settings), "SKU-1", 1, "06700"))
    assert inside.node_id == "DC-CDMX-01"
    session.rollback()
    assert standard(quote(deps(session, now, settings), "SKU-1", 1, "06700")).node_id == "DC-MTY-01"


def test_an_order_event_cannot_plan_a_line_after_its_promise(session, now, settings):
    from promesa.domain.events.ingest import ingest
    from promesa.principal import SYSTEM

    world(session)
    raw = {"specversion": "1.0", "id": "ev-late-line", "source": "/sources/oms", "type": "promesa.order.created.v1",
           "time": now.isoformat(), "data": {
               "order_id": "PO-7777", "customer_id": "C-1", "channel": "web", "promised_date": "2026-11-21",
               "ship_to_id": "A-1", "lines": [{"sku": "SKU-1", "quantity": 1, "unit_price": "10.00",
                                               "node_id": "DC-CDMX-01", "ship_by": "2026-11-23"}]}}
    result = ingest(deps(session, now, settings, SYSTEM), raw)
    assert result.status == "rejected" and result.error.field == "data.lines.0.ship_by"
    assert session.get(Order, "PO-7777") is None
