"""Who sees which pushed change (issue #17, rule 3): the changes real events make, through the
live feed's filter. A customer sees only their own orders and profile, a verified visitor only
their order, staff everything but dead letters (ops only)."""

from __future__ import annotations

from api.routes.live import visible
from promesa.principal import Principal, Role
from tests.domain.events_helpers import ev, send, world

ANA = Principal(role=Role.customer, subject="C-1")
OTHER = Principal(role=Role.customer, subject="C-2")
VISITOR_PO_2 = Principal(role=Role.anonymous, order_scope="PO-2")
VISITOR_PO_1 = Principal(role=Role.anonymous, order_scope="PO-1")
SUPPORT = Principal(role=Role.support, subject="agent-ana")
OPS = Principal(role=Role.ops, subject="ops-luis")


def _changes(session, raw) -> list[dict]:
    result = send(session, raw)
    assert result.status == "accepted" and result.changes, result.error
    return result.changes


def test_an_order_change_reaches_its_customer_its_visitor_and_staff_only(session):
    world(session)  # PO-2 (C-1) is shipped with tracking TRK-S-2
    changes = _changes(session, ev("tracking.scan", {"tracking_number": "TRK-S-2", "status": "delivered"},
                                   source="/sources/carrier"))
    order = next(c for c in changes if c["kind"] == "order")
    assert order["id"] == "PO-2" and order["customer_id"] == "C-1"
    assert [visible(p, order) for p in (ANA, VISITOR_PO_2, SUPPORT, OPS)] == [True] * 4
    assert [visible(p, order) for p in (OTHER, VISITOR_PO_1)] == [False, False]


def test_stock_and_capacity_changes_are_staff_only(session):
    world(session)
    sale = _changes(session, ev("inventory.pos_sale", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 1},
                                source="/sources/pos"))
    capacity = _changes(session, ev("capacity.override", {"node_id": "DC-CDMX-01", "day": "2026-11-23",
                                                          "orders": 5, "units": 50}))
    for change in sale + capacity:
        assert visible(SUPPORT, change) and visible(OPS, change)
        assert not any(visible(p, change) for p in (ANA, OTHER, VISITOR_PO_2)), change


def test_a_new_identifier_is_its_own_customers_change_only(session):
    world(session)
    changes = _changes(session, ev("customer.identifier_added",
                                   {"customer_id": "C-1", "kind": "email", "value": "ana.nueva@example.com"}))
    profile = next(c for c in changes if c["kind"] == "customer")
    assert visible(ANA, profile) and visible(SUPPORT, profile)
    assert not visible(OTHER, profile) and not visible(VISITOR_PO_2, profile)


def test_an_order_change_naming_no_customer_is_no_customers():
    # a change without its owner never falls open to customers (their visitor's order id still holds)
    change = {"kind": "order", "id": "PO-2", "status": "delivered"}
    assert not visible(ANA, change) and not visible(OTHER, change)
    assert visible(VISITOR_PO_2, change) and not visible(VISITOR_PO_1, change) and visible(SUPPORT, change)
