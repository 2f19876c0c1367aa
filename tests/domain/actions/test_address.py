"""Address changes: geography validation, the recomputed ETA and promise, alternatives, history.

PO-1 ships from DC-CDMX-01 today (Fri 20 Nov) with DHL standard (local 1, regional 2, national 3,
remote 5 working days, Mon–Sat): Monterrey is national -> Tue 24 = the promise; Tijuana is
remote -> Thu 26, two days late, so the new promise would be Thu 26.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from promesa.domain.actions.address import change_address, propose_address_change
from promesa.domain.actions.records import AddressIn
from promesa.errors import InvalidInput, NotFound, PolicyViolation
from promesa.store.models import AddressChange, NodeLoad, Order, OrderLine
from tests.domain.actions.world import BETO, SUPPORT, TODAY, build, deps
from tests.domain.builders import add_node, add_stock

MTY = AddressIn(line1="Av. Constitución 100", city="Monterrey", state="Nuevo León", postal_code="64000")
TIJ = AddressIn(line1="Blvd. Agua Caliente 5", city="Tijuana", state="Baja California", postal_code="22000")


@pytest.fixture
def world(session):
    build(session)
    return session


def test_keeps_the_promise_and_executes_with_history(world):
    p = propose_address_change(deps(world), "PO-1", MTY)
    assert p.eligible and p.keeps_promise and p.eta == date(2026, 11, 24) and p.promised_date == date(2026, 11, 24)
    r = change_address(deps(world), order_id="PO-1", address=MTY, idempotency_key="a-1")
    order = world.get(Order, "PO-1")
    assert order.ship_to_id == r.address_id == "A-PO-1-1" and r.previous_address_id == "A-C-1"
    history = world.scalars(select(AddressChange)).one()
    assert (history.from_address_id, history.to_address_id, history.changed_by) == ("A-C-1", "A-PO-1-1", "customer:C-1")
    assert change_address(deps(world), order_id="PO-1", address=MTY, idempotency_key="a-1").replayed
    assert len(world.scalars(select(AddressChange)).all()) == 1


def test_late_node_says_so_gives_new_promise_and_moves_ship_by(world):
    p = propose_address_change(deps(world), "PO-1", TIJ)
    assert p.eligible and not p.keeps_promise and p.promised_date == date(2026, 11, 26)
    assert "can no longer keep the promise 2026-11-24" in p.reason
    change_address(deps(world), order_id="PO-1", address=TIJ, idempotency_key="a-2")
    assert world.get(Order, "PO-1").promised_date == date(2026, 11, 26)
    ship_bys = {ln.ship_by for ln in world.scalars(select(OrderLine).where(OrderLine.order_id == "PO-1"))}
    assert ship_bys == {TODAY}  # Thu 26 minus 5 working days (Mon–Sat) = Fri 20
    assert world.get(NodeLoad, ("DC-CDMX-01", TODAY)).unit_count >= 3


def test_staff_get_reroute_alternatives_near_the_new_address(world):
    add_node(world, "DC-TIJ-01", "Tijuana", 32.5, -117.0)
    add_stock(world, "DC-TIJ-01", "SKU-1", 10)
    p = propose_address_change(deps(world, SUPPORT), "PO-1", TIJ)
    assert not p.keeps_promise
    best = p.alternatives[0]
    assert best["nodes"] == ["DC-TIJ-01"] and best["meets_promise"] is True


@pytest.mark.parametrize("changes, field", [
    ({"city": "Atlantis"}, "city"),
    ({"state": "Jalisco"}, "state"),
    ({"postal_code": "06100"}, "postal_code"),
    ({"postal_code": "64A00"}, "postal_code"),
    ({"lat": 19.4, "lon": -99.1}, "lat"),
    ({"lat": 25.7}, "lat"),
])
def test_invalid_address_names_the_field(world, changes, field):
    with pytest.raises(InvalidInput) as bad:
        propose_address_change(deps(world), "PO-1", MTY.model_copy(update=changes))
    assert bad.value.field == field


def test_shipped_order_is_refused_and_nothing_changes(world):
    p = propose_address_change(deps(world), "PO-3", MTY)
    assert not p.eligible and p.refusals[0].code == "already_shipped"
    with pytest.raises(PolicyViolation):
        change_address(deps(world), order_id="PO-3", address=MTY, idempotency_key="a-3")
    assert world.scalars(select(AddressChange)).all() == []


def test_other_customer_cannot_change_it(world):
    with pytest.raises(NotFound):
        propose_address_change(deps(world, BETO), "PO-1", MTY)


@pytest.mark.parametrize("city, state, code", [
    ("Ciudad de México", "Ciudad de México", "11560"),  # Polanco: prefix 11, not the centre's 06
    ("Ciudad de México", "Ciudad de México", "03100"),  # Del Valle
    ("Monterrey", "Nuevo León", "66220"),  # San Pedro Garza García
])
def test_a_code_anywhere_in_the_city_zone_is_accepted(world, city, state, code):
    p = propose_address_change(deps(world), "PO-1", MTY.model_copy(update={"city": city, "state": state,
                                                                          "postal_code": code}))
    assert p.eligible


def test_a_code_outside_the_city_zone_says_which_prefixes_it_covers(world):
    wrong = MTY.model_copy(update={"city": "Ciudad de México", "state": "Ciudad de México", "postal_code": "64000"})
    with pytest.raises(InvalidInput) as bad:
        propose_address_change(deps(world), "PO-1", wrong)
    assert bad.value.field == "postal_code"
    assert "starts with 01 to 16" in str(bad.value)
