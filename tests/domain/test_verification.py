"""Anonymous order verification: right details open one order, wrong ones say nothing."""

from __future__ import annotations

import pytest

from promesa.domain.deps import Deps
from promesa.domain.orders import get_order_status
from promesa.domain.verification import FAILED, scoped_principal, verify_order
from promesa.errors import Forbidden, InvalidInput, NotFound
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.enums import FulfillmentType, IdentityKind, OrderStatus
from tests.domain.builders import (
    add_address,
    add_customer,
    add_identity,
    add_node,
    add_order,
    add_product,
)

ANON = Principal(role=Role.anonymous)


@pytest.fixture
def deps(session, now):
    add_product(session, "SKU-1")
    add_customer(session, "C-1001", "Carlos Mendoza", emails=["carlos@example.com"])
    add_identity(session, "C-1001", IdentityKind.phone, "81 5555 0101", source="store")
    add_address(session, "A-1001", "C-1001", "Monterrey", 25.68, -100.31, postal_code="64000")
    add_customer(session, "C-1003", "Lucía Ramírez", emails=["lucia@example.com"])
    add_node(session, "CDMX-STORE-01", "Ciudad de México", 19.43, -99.19, postal_code="11560")
    add_order(session, "PO-5001", "C-1001", lines=[("SKU-1", 1, None)], ship_to_id="A-1001")
    add_order(session, "PO-5003", "C-1003", lines=[("SKU-1", 1, "CDMX-STORE-01")],
              status=OrderStatus.ready_for_pickup, fulfillment_type=FulfillmentType.pickup,
              pickup_node_id="CDMX-STORE-01")
    return Deps(session=session, principal=ANON, now=now, settings=Settings(_env_file=None))


@pytest.mark.parametrize("details", [
    {"email": "Carlos@Example.com"},
    {"phone": "+52 81 5555 0101"},
    {"phone": "8155550101"},
    {"email": "carlos@example.com", "postal_code": " 64000 "},
    {"phone": "8155550101", "postal_code": "64000"},
])
def test_right_details(deps, details):
    verified = verify_order(deps, "po 5001", **details)
    assert (verified.order_id, verified.customer_id) == ("PO-5001", "C-1001")
    assert set(verified.matched_on) == set(details)


def test_pickup_postal_code(deps):
    assert verify_order(deps, "#5003", email="lucia@example.com", postal_code="11560").customer_id == "C-1003"


@pytest.mark.parametrize("postal", ["64000", "11560"])
def test_a_postal_code_alone_never_verifies(deps, postal):
    """Issue #16: a postal code is shared by many orders, so it is only ever a second factor."""
    with pytest.raises(InvalidInput) as err:
        verify_order(deps, "PO-5001", postal_code=postal)
    assert err.value.field == "details"


@pytest.mark.parametrize("order_id, details", [
    ("PO-5001", {"email": "lucia@example.com"}),           # someone else's email
    ("PO-5001", {"phone": "8155550102"}),
    ("PO-5001", {"email": "carlos@example.com", "postal_code": "11560"}),  # one wrong of two
    ("PO-9999", {"email": "carlos@example.com"}),          # no such order
])
def test_wrong_details_fail_alike(deps, order_id, details):
    with pytest.raises(Forbidden) as err:
        verify_order(deps, order_id, **details)
    assert err.value.message == FAILED and err.value.details == {}


def test_a_detail_is_required(deps):
    with pytest.raises(InvalidInput) as err:
        verify_order(deps, "PO-5001")
    assert err.value.field == "details"
    with pytest.raises(InvalidInput) as err:
        verify_order(deps, "PO-5001", email="  ")
    assert err.value.field == "details"
    with pytest.raises(InvalidInput) as err:
        verify_order(deps, "not an order", email="carlos@example.com")
    assert err.value.field == "order_id"


def test_scoped_principal_sees_that_order_only(deps):
    visitor = scoped_principal(verify_order(deps, "PO-5001", email="carlos@example.com"))
    scoped = Deps(session=deps.session, principal=visitor, now=deps.now, settings=deps.settings)
    assert get_order_status(scoped, "PO-5001").order_id == "PO-5001"
    with pytest.raises(NotFound):
        get_order_status(scoped, "PO-5003")
