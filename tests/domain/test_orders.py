"""Order status and ETA on hand-built worlds; every expected date is computed in the comments.

Calendar of the tests: Thu 19, **Fri 20** (today), Sat 21, Sun 22, Mon 23, Tue 24 Nov 2026.
DHL delivers Mon–Sat, ESTAFETA Mon–Fri; nodes ship Mon–Sat with a 14:00 cut-off and 4 h
processing unless a test says otherwise. CDMX → Monterrey is ~700 km (national: 3 days).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from promesa.domain.deps import Deps
from promesa.domain.orders import get_order_status, list_orders
from promesa.errors import Forbidden, InvalidInput, NotFound
from promesa.principal import Principal, Role
from promesa.store.enums import FulfillmentType, LineStatus, OrderStatus
from promesa.store.enums import TrackingEventType as T
from tests.domain.builders import (
    Line,
    add_capacity,
    add_customer,
    add_event,
    add_node,
    add_order,
    add_shipment,
    add_stock,
    basic_world,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"2026-11-{text}-06:00")


@pytest.fixture
def deps(session, support, now, settings):
    basic_world(session)
    return Deps(session=session, principal=support, now=now, settings=settings)


def with_now(deps: Deps, when: datetime) -> Deps:
    return Deps(session=deps.session, principal=deps.principal, now=when, settings=deps.settings)


def allocated(session, oid="PO-1001", *, node="DC-CDMX-01", promised=date(2026, 11, 24),
              ship_to="A-1", service="DHL-STD", ship_by=None, qty=1):
    add_stock(session, node, "SKU-1", 5, reserved=qty)
    return add_order(session, oid, "C-1", lines=[Line("SKU-1", qty, node, ship_by=ship_by)],
                     promised_date=promised, ship_to_id=ship_to, service_id=service)


def test_cutoff_missed_ships_next_day(deps):
    allocated(deps.session, promised=date(2026, 11, 21))
    # released 13:00 + 4 h = 17:00 > 14:00 → ships Sat 21; DHL local 1 day → Mon 23 (no Sundays)
    view = get_order_status(with_now(deps, at("20T13:00:00")), "PO-1001")
    assert view.eta == date(2026, 11, 23)
    assert view.late and view.reason == "cutoff_missed"
    assert "ready 17:00 Fri 20 Nov > cut-off 14:00 → ships Sat 21 Nov" in view.eta_basis[0]
    assert any("transit 1 working day (local" in step and "Mon 23 Nov" in step
               for step in view.eta_basis)
    assert view.node_id == "DC-CDMX-01" and view.carrier == "DHL"


def test_weekend_node_ships_monday(deps):
    add_node(deps.session, "DC-WK-01", "Ciudad de México", 19.43, -99.13, ship_weekdays="01234")
    allocated(deps.session, node="DC-WK-01", promised=date(2026, 11, 25))
    # Fri 13:00 + 4 h misses the cut-off; the node does not ship Sat/Sun → Mon 23; DHL +1 → Tue 24
    view = get_order_status(with_now(deps, at("20T13:00:00")), "PO-1001")
    assert view.eta == date(2026, 11, 24)
    assert not view.late and not view.at_risk and view.reason is None
    assert "ships Mon 23 Nov" in view.eta_basis[0]


def test_carrier_without_weekend_delivery_friday_to_monday(deps):
    allocated(deps.session, service="ESTAFETA-STD", promised=date(2026, 11, 25))
    # Fri 10:00 + 4 h = 14:00 ≤ cut-off → ships Fri 20; ESTAFETA local 1 day, Mon–Fri → Mon 23
    view = get_order_status(deps, "PO-1001")
    assert view.eta == date(2026, 11, 23)
    assert not view.late and not view.at_risk


def test_tight_cutoff_on_promised_day_is_at_risk(deps):
    allocated(deps.session, promised=date(2026, 11, 21))
    # ready exactly 14:00 (0 h before the cut-off) → ships Fri, DHL +1 → Sat 21 = promise
    view = get_order_status(deps, "PO-1001")
    assert view.eta == date(2026, 11, 21)
    assert view.at_risk and not view.late
    assert "cut-off" in view.reason_detail


def test_backlog_over_capacity_pushes_ship_day(deps):
    add_capacity(deps.session, "DC-CDMX-01", date(2026, 11, 20), 0, 0, "inventory count")
    allocated(deps.session, promised=date(2026, 11, 21), ship_by=date(2026, 11, 20))
    # no capacity Fri → ships Sat 21 → DHL +1 → Mon 23 > Sat 21
    view = get_order_status(deps, "PO-1001")
    assert view.eta == date(2026, 11, 23)
    assert view.late and view.reason == "over_capacity"
    assert "Sat 21 Nov" in view.reason_detail


def test_stock_lost_at_allocated_node(deps):
    session = deps.session
    add_node(session, "MTY-STORE-01", "San Pedro Garza García", 25.65, -100.40)
    add_stock(session, "MTY-STORE-01", "SKU-1", 0, reserved=1)  # cycle count found none
    add_order(session, "PO-1002", "C-1", lines=[("SKU-1", 1, "MTY-STORE-01")],
              promised_date=date(2026, 11, 24), ship_to_id="A-2", service_id="DHL-STD")
    view = get_order_status(deps, "PO-1002")
    # ships Fri 20, Monterrey local 1 day → Sat 21: in time, but the stock is gone
    assert view.eta == date(2026, 11, 21)
    assert view.reason == "out_of_stock" and view.at_risk and not view.late
    assert "SKU-1 at MTY-STORE-01" in view.reason_detail


def shipped(session, *, service="DHL-STD", promised=date(2026, 11, 23), status=OrderStatus.in_transit,
            shipped_at=None):
    shipped_at = shipped_at or at("19T16:00:00")
    add_order(session, "PO-1003", "C-1", lines=[Line("SKU-1", 1, "DC-CDMX-01", LineStatus.shipped)],
              status=status, promised_date=promised, ship_to_id="A-2", service_id=service)
    add_shipment(session, "S-3", "PO-1003", "DC-CDMX-01", service, shipped_at=shipped_at)


def test_in_transit_on_time(deps):
    shipped(deps.session, promised=date(2026, 11, 24))
    # shipped Thu 19, national 3 DHL days → Fri 20, Sat 21, Mon 23
    view = get_order_status(deps, "PO-1003")
    assert view.eta == date(2026, 11, 23)
    assert not view.late and view.reason is None
    assert view.tracking_number == "TRK-S-3" and view.destination_city == "Monterrey"


def test_delay_exception_revises_eta(deps):
    shipped(deps.session)
    add_event(deps.session, "PO-1003", T.delay_exception, at("20T08:00:00"),
              reason="weather: highway closure near Saltillo", revised_eta=date(2026, 11, 24))
    view = get_order_status(deps, "PO-1003")
    assert view.eta == date(2026, 11, 24)
    assert view.late and view.reason == "carrier_delay"
    assert "highway closure" in view.reason_detail
    assert [s.type for s in view.timeline] == [T.delay_exception]


def test_failed_attempt_moves_to_next_delivery_day(deps):
    shipped(deps.session, service="ESTAFETA-STD", promised=date(2026, 11, 20),
            status=OrderStatus.out_for_delivery, shipped_at=at("17T16:00:00"))
    add_event(deps.session, "PO-1003", T.out_for_delivery, at("20T07:00:00"))
    add_event(deps.session, "PO-1003", T.failed_attempt, at("20T09:30:00"), reason="nobody home")
    # ESTAFETA does not deliver Sat/Sun → Mon 23
    view = get_order_status(deps, "PO-1003")
    assert view.eta == date(2026, 11, 23)
    assert view.late and view.reason == "failed_attempt"


def test_out_for_delivery_is_today(deps):
    shipped(deps.session, promised=date(2026, 11, 20), status=OrderStatus.out_for_delivery)
    add_event(deps.session, "PO-1003", T.out_for_delivery, at("20T07:00:00"))
    view = get_order_status(deps, "PO-1003")
    assert view.eta == date(2026, 11, 20) and not view.late


def test_delivered_late_with_return_window(deps):
    session = deps.session
    add_order(session, "PO-1004", "C-1", lines=[("SKU-1", 1, "DC-CDMX-01"), ("SKU-TV", 1, "DC-CDMX-01")],
              status=OrderStatus.delivered, promised_date=date(2026, 11, 18), ship_to_id="A-1",
              service_id="DHL-STD")
    add_shipment(session, "S-4", "PO-1004", "DC-CDMX-01", "DHL-STD", shipped_at=at("16T12:00:00"),
                 delivered_at=at("19T15:00:00"))
    view = get_order_status(deps, "PO-1004")
    assert view.eta == date(2026, 11, 19) and view.late
    # electronics in the order: 15-day window from Thu 19 Nov → Fri 4 Dec
    assert view.return_window_ends == date(2026, 12, 4)


def test_delivered_on_time_thirty_day_window(deps):
    session = deps.session
    add_order(session, "PO-1004", "C-1", lines=[("SKU-1", 1, "DC-CDMX-01")],
              status=OrderStatus.delivered, promised_date=date(2026, 11, 19), ship_to_id="A-1")
    add_shipment(session, "S-4", "PO-1004", "DC-CDMX-01", "DHL-STD", delivered_at=at("19T15:00:00"))
    view = get_order_status(deps, "PO-1004")
    assert not view.late and view.return_window_ends == date(2026, 12, 19)


def test_pickup_ready(deps):
    session = deps.session
    add_node(session, "CDMX-STORE-01", "Ciudad de México", 19.43, -99.19)
    add_order(session, "PO-1005", "C-1", lines=[Line("SKU-1", 1, "CDMX-STORE-01", LineStatus.packed)],
              status=OrderStatus.ready_for_pickup, fulfillment_type=FulfillmentType.pickup,
              pickup_node_id="CDMX-STORE-01", promised_date=date(2026, 11, 20))
    add_event(session, "PO-1005", T.ready_for_pickup, at("19T12:00:00"), location="CDMX-STORE-01")
    view = get_order_status(deps, "PO-1005")
    assert view.eta == date(2026, 11, 19) and not view.late
    assert view.pickup_hold_until == date(2026, 11, 24)  # ready + 5 days
    assert view.pickup_node_id == "CDMX-STORE-01" and view.destination_city == "Ciudad de México"


def test_typed_order_ids(deps):
    allocated(deps.session, "PO-5001")
    for typed in ("po 5001", "#5001", "PO5001", "5001"):
        assert get_order_status(deps, typed).order_id == "PO-5001"
    with pytest.raises(InvalidInput) as err:
        get_order_status(deps, "hello")
    assert err.value.field == "order_id"


def test_unknown_and_foreign_orders_look_the_same(deps):
    allocated(deps.session)
    add_customer(deps.session, "C-2", "Otro Cliente")
    with pytest.raises(NotFound) as missing:
        get_order_status(deps, "PO-9999")
    other = Deps(deps.session, Principal(role=Role.customer, subject="C-2"), deps.now, deps.settings)
    with pytest.raises(NotFound) as foreign:
        get_order_status(other, "PO-1001")
    assert str(foreign.value) == str(missing.value).replace("9999", "1001")
    visitor = Deps(deps.session, Principal(role=Role.anonymous, order_scope="PO-1002"), deps.now,
                   deps.settings)
    with pytest.raises(NotFound):
        get_order_status(visitor, "PO-1001")
    owner = Deps(deps.session, Principal(role=Role.customer, subject="C-1"), deps.now, deps.settings)
    assert get_order_status(owner, "PO-1001").customer_id == "C-1"
    scoped = Deps(deps.session, Principal(role=Role.anonymous, order_scope="PO-1001"), deps.now,
                  deps.settings)
    assert get_order_status(scoped, "PO-1001").order_id == "PO-1001"


def test_list_orders_scoping(deps):
    session = deps.session
    add_customer(session, "C-2", "Otro Cliente")
    add_order(session, "PO-1001", "C-1", lines=[("SKU-1", 1, "DC-CDMX-01")], created_at=at("18T10:00:00"))
    add_order(session, "PO-1002", "C-1", lines=[("SKU-1", 2, "DC-CDMX-01")], created_at=at("19T10:00:00"))
    add_order(session, "PO-1003", "C-2", lines=[("SKU-1", 1, "DC-CDMX-01")])
    mine = Deps(session, Principal(role=Role.customer, subject="C-1"), deps.now, deps.settings)
    assert [o.order_id for o in list_orders(mine)] == ["PO-1002", "PO-1001"]
    assert list_orders(mine)[0].total == 1000.0
    with pytest.raises(Forbidden):
        list_orders(mine, customer_id="C-2")
    assert [o.order_id for o in list_orders(deps, customer_id="C-2")] == ["PO-1003"]
    assert len(list_orders(deps, limit=2)) == 2
    visitor = Deps(session, Principal(role=Role.anonymous, order_scope="PO-1003"), deps.now, deps.settings)
    assert [o.order_id for o in list_orders(visitor)] == ["PO-1003"]
    with pytest.raises(InvalidInput):
        list_orders(deps, limit=0)
    stranger = Deps(session, Principal(role=Role.anonymous), deps.now, deps.settings)
    with pytest.raises(Forbidden):
        list_orders(stranger)
    with pytest.raises(Forbidden):
        list_orders(visitor, customer_id="C-2")
