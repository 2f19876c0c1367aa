"""Order, tracking, capacity and customer events against a hand-built world."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from promesa.store.enums import IdentityKind, LineStatus, OrderStatus, TrackingEventType
from promesa.store.models import (
    Identity,
    InventoryPosition,
    Node,
    NodeCapacity,
    NodeLoad,
    Order,
    OrderLine,
    TrackingEvent,
)
from tests.domain.events_helpers import ev, send, world

NEW_ORDER = {"order_id": "PO-9", "customer_id": "C-1", "channel": "web", "promised_date": "2026-11-25",
             "ship_to_id": "A-1", "service_id": "DHL-STD",
             "lines": [{"sku": "SKU-1", "quantity": 2, "unit_price": "500.00", "node_id": "DC-CDMX-01"}]}


def _order(session, order_id):
    session.expire_all()
    return session.get(Order, order_id)


def _line(session, order_id, no=1):
    session.expire_all()
    return session.scalar(select(OrderLine).where(OrderLine.order_id == order_id, OrderLine.line_no == no))


def _pos(session, node, sku="SKU-1"):
    session.expire_all()
    row = session.get(InventoryPosition, (node, sku))
    return (row.on_hand, row.reserved)


def test_order_created_reserves_and_loads_the_node(session):
    world(session)
    result = send(session, ev("order.created", NEW_ORDER))
    assert result.status == "accepted", result.error
    order = _order(session, "PO-9")
    assert order.status is OrderStatus.allocated and str(order.total) == "1000.00"
    line = _line(session, "PO-9")
    assert line.status is LineStatus.allocated and line.ship_by is not None
    assert _pos(session, "DC-CDMX-01") == (10, 2)
    load = session.get(NodeLoad, ("DC-CDMX-01", line.ship_by))
    assert load.order_count >= 1 and load.unit_count >= 2  # kept by the trigger


def test_order_created_beyond_stock_is_refused_whole(session):
    world(session)
    data = {**NEW_ORDER, "lines": [{"sku": "SKU-1", "quantity": 99, "unit_price": "1", "node_id": "DC-CDMX-01"}]}
    result = send(session, ev("order.created", data))
    assert result.status == "rejected" and result.error.code == "conflict"
    assert result.error.field == "data.lines.0.node_id"
    assert _order(session, "PO-9") is None and _pos(session, "DC-CDMX-01") == (10, 0)


def test_order_updated_moves_the_promise(session):
    world(session)
    result = send(session, ev("order.updated", {"order_id": "PO-1", "promised_date": "2026-11-28"}))
    assert result.status == "accepted" and result.applied, result
    assert _order(session, "PO-1").promised_date == date(2026, 11, 28)
    assert _line(session, "PO-1").ship_by is not None


def test_cancel_releases_the_reservation_and_refuses_shipped_orders(session):
    world(session)
    result = send(session, ev("order.cancelled", {"order_id": "PO-1"}))
    assert result.applied and _order(session, "PO-1").status is OrderStatus.cancelled
    assert _pos(session, "MX-STORE-01") == (5, 0)
    assert _line(session, "PO-1").status is LineStatus.cancelled
    shipped = send(session, ev("order.cancelled", {"order_id": "PO-2"}))
    assert shipped.status == "rejected" and shipped.error.code == "policy_violation"


def test_line_steps_move_forward_only_and_shipping_takes_the_units(session):
    world(session)
    send(session, ev("order.line_picked", {"order_id": "PO-1", "line_no": 1}, minutes=1))
    assert _order(session, "PO-1").status is OrderStatus.picking
    send(session, ev("order.line_shipped", {"order_id": "PO-1", "line_no": 1, "shipment_id": "S-9",
                                            "tracking_number": "TRK-9"}, minutes=3))
    assert _line(session, "PO-1").status is LineStatus.shipped
    assert _order(session, "PO-1").status is OrderStatus.shipped
    assert _pos(session, "MX-STORE-01") == (4, 0)
    late = send(session, ev("order.line_packed", {"order_id": "PO-1", "line_no": 1}, minutes=2))
    assert late.status == "accepted" and late.applied is False
    assert _line(session, "PO-1").status is LineStatus.shipped


def test_late_in_transit_never_undoes_delivered(session):
    world(session)
    send(session, ev("tracking.scan", {"tracking_number": "TRK-S-2", "status": "delivered"}, minutes=30,
                     source="/sources/carrier"))
    late = send(session, ev("tracking.scan", {"tracking_number": "TRK-S-2", "status": "in_transit"},
                            minutes=10, source="/sources/carrier"))
    assert late.status == "accepted" and late.applied is False
    assert _order(session, "PO-2").status is OrderStatus.delivered
    kinds = session.scalars(select(TrackingEvent.type).where(TrackingEvent.order_id == "PO-2")
                            .order_by(TrackingEvent.occurred_at)).all()
    assert kinds == [TrackingEventType.in_transit, TrackingEventType.delivered]  # timeline keeps both


def test_tracking_codes_of_common_webhooks_map_to_known_events(session):
    world(session)
    send(session, ev("tracking.scan", {"tracking_number": "TRK-S-2", "status": "OutForDelivery"}))
    assert _order(session, "PO-2").status is OrderStatus.out_for_delivery
    bad = send(session, ev("tracking.scan", {"tracking_number": "TRK-S-2", "status": "teleported"}))
    assert bad.error.field == "data.status"


def test_delay_exception_sets_the_carrier_eta(session):
    world(session)
    send(session, ev("tracking.exception", {"tracking_number": "TRK-S-2", "reason": "weather",
                                            "revised_eta": "2026-11-27"}))
    order = _order(session, "PO-2")
    assert order.carrier_eta == date(2026, 11, 27) and order.carrier_days_late == 3  # trigger


def test_delivered_and_picked_up(session):
    world(session)
    send(session, ev("order.delivered", {"order_id": "PO-2"}))
    assert _order(session, "PO-2").status is OrderStatus.delivered
    not_pickup = send(session, ev("order.picked_up", {"order_id": "PO-1"}))
    assert not_pickup.error.code == "policy_violation"


def test_capacity_override_newest_wins(session):
    world(session)
    day = "2026-11-23"
    send(session, ev("capacity.override", {"node_id": "DC-CDMX-01", "day": day, "orders": 10, "units": 20},
                     minutes=5))
    stale = send(session, ev("capacity.override", {"node_id": "DC-CDMX-01", "day": day, "orders": 99,
                                                   "units": 99}, minutes=1))
    assert stale.applied is False
    session.expire_all()
    assert session.get(NodeCapacity, ("DC-CDMX-01", date(2026, 11, 23))).orders == 10


def test_node_closing_and_opening(session):
    world(session)
    send(session, ev("capacity.node_closed", {"node_id": "MX-STORE-01", "reason": "flood"}, minutes=1))
    session.expire_all()
    assert session.get(Node, "MX-STORE-01").active is False
    send(session, ev("capacity.node_opened", {"node_id": "MX-STORE-01"}, minutes=2))
    session.expire_all()
    assert session.get(Node, "MX-STORE-01").active is True


def test_customer_identifier_added_normalised_and_never_stolen(session):
    world(session)
    ok = send(session, ev("customer.identifier_added", {"customer_id": "C-1", "kind": "phone",
                                                        "value": "+52 81 1234 5678"}))
    assert ok.applied
    assert session.scalar(select(Identity.value).where(Identity.kind == IdentityKind.phone)) == "+528112345678"
    from tests.domain.builders import add_customer
    add_customer(session, "C-2", "Otro")
    session.commit()
    taken = send(session, ev("customer.identifier_added", {"customer_id": "C-2", "kind": "email",
                                                           "value": "ana@example.com"}))
    assert taken.error.code == "conflict"
    bad = send(session, ev("customer.identifier_added", {"customer_id": "C-1", "kind": "email",
                                                         "value": "not-an-email"}))
    assert bad.error.field == "data.value"


def test_maintained_aggregates_stay_exact_through_an_order_lifecycle(session):
    from tests.store.test_maintained import _assert_consistent

    world(session)
    steps = [
        ev("order.created", NEW_ORDER, minutes=1),
        ev("order.updated", {"order_id": "PO-9", "promised_date": "2026-11-27"}, minutes=2),
        ev("order.line_picked", {"order_id": "PO-1", "line_no": 1}, minutes=3),
        ev("order.line_shipped", {"order_id": "PO-1", "line_no": 1, "shipment_id": "S-9",
                                  "tracking_number": "TRK-9"}, minutes=4),
        ev("tracking.exception", {"tracking_number": "TRK-9", "reason": "weather",
                                  "revised_eta": "2026-11-26"}, minutes=5),
        ev("tracking.exception", {"tracking_number": "TRK-9", "reason": "older", "revised_eta": "2026-11-30"},
           minutes=4.5),
        ev("order.cancelled", {"order_id": "PO-9"}, minutes=6),
    ]
    for raw in steps:
        assert send(session, raw).status == "accepted"
        _assert_consistent(session)
    assert _order(session, "PO-1").carrier_eta == date(2026, 11, 26)  # the latest exception wins
