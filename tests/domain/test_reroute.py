"""Reroute proposals and execution on hand-built Monterrey worlds with hand-worked answers.

Clock: Friday 2026-11-20 10:00 in Mexico City. Stores process in 2 h (ready 12:00, before the
14:00 cut-off), so a store with room ships today; ESTAFETA standard takes 1 working day locally
(Sat 21), 3 nationally (Tue 24); DHL express 2 nationally (Mon 23).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from promesa.domain.deps import Deps
from promesa.domain.fulfillment.execution import convert_to_pickup, execute_reroute
from promesa.domain.fulfillment.proposals import propose_reroute
from promesa.errors import Conflict, InvalidInput, NotFound, PolicyViolation
from promesa.principal import Principal, Role
from promesa.store.enums import FulfillmentType, LineStatus, NodeType
from promesa.store.models import AuditEntry, InventoryPosition, OrderLine
from tests.domain.ops_world import (
    CDMX,
    CUMBRES,
    MTY,
    NOW,
    SAN_PEDRO,
    TODAY,
    add_carriers,
    add_customer,
    add_node,
    add_order,
    add_product,
    add_stock,
    done,
)

MON = date(2026, 11, 23)
SAT = date(2026, 11, 21)
NEAR = (25.6900, -100.3300)  # ~1.5 km from the customer
FAR = CUMBRES  # ~6 km


def build(session, *, near_full: bool = True) -> None:
    """CUR lost its stock; NEAR has stock but a queue of 3 at 1 order/day; FAR has room."""
    add_node(session, "CUR", SAN_PEDRO)
    add_node(session, "NEAR", NEAR, capacity_orders=1 if near_full else 100)
    add_node(session, "FAR", FAR)
    add_node(session, "DC-CDMX", CDMX, type=NodeType.distribution_center, pickup=False, city="CDMX")
    add_carriers(session)
    for sku in ("SKU-1", "SKU-2"):
        add_product(session, sku)
    add_stock(session, "CUR", "SKU-1", on_hand=0, reserved=1)
    add_stock(session, "NEAR", "SKU-1", on_hand=5)
    add_stock(session, "FAR", "SKU-1", on_hand=2, reserved=0, safety=1)
    add_stock(session, "DC-CDMX", "SKU-1", on_hand=50)
    add_stock(session, "DC-CDMX", "SKU-2", on_hand=50)
    add_customer(session, "C-1", MTY)
    add_customer(session, "C-2", MTY)
    add_order(session, "PO-1", "C-1", [("SKU-1", 1)], node_id="CUR", ship_by=SAT, promised=MON)
    add_order(session, "PO-Q0", "C-2", [("SKU-1", 1)], node_id="FAR", ship_by=MON, promised=MON)
    for i in range(1, 4 if near_full else 1):
        add_order(session, f"PO-Q{i}", "C-2", [("SKU-1", 1)], node_id="NEAR", ship_by=TODAY,
                  promised=SAT)
    done(session)


@pytest.fixture
def world(session):
    build(session)
    return session


def deps_for(session, principal) -> Deps:
    from promesa.settings import Settings

    return Deps(session=session, principal=principal, now=NOW, settings=Settings(_env_file=None))


def test_picks_the_farther_store_when_the_nearer_is_over_capacity(world, ops):
    p = propose_reroute(deps_for(world, ops), "PO-1")
    assert p.problem == "CUR is short of SKU-1 (on hand 0, needs 1)"
    assert p.recommended_option_id == "ship_from_node:FAR:ESTAFETA-STD"
    assert p.recommended_node == "FAR"
    options = {o.option_id: o for o in p.options}
    far = options["ship_from_node:FAR:ESTAFETA-STD"]
    assert (far.detail[0].ship_day, far.eta, far.meets_promise) == (TODAY, SAT, True)
    near = options["ship_from_node:NEAR:ESTAFETA-STD"]
    # NEAR ships 1 a day behind 3 orders due today: Fri, Sat, (Sun closed), Mon, then ours Tue 24
    assert near.detail[0].ship_day == date(2026, 11, 24) and near.eta == date(2026, 11, 25)
    assert not near.meets_promise and near.filtered_out
    pickup = options["pickup:FAR:pickup"]
    assert pickup.needs_consent and not pickup.executable and pickup.eta == TODAY
    assert options["ship_from_node:DC-CDMX:ESTAFETA-STD"].eta == date(2026, 11, 24)
    assert far.cost_delta_mxn == 0.0  # same local band and weight as from CUR
    assert "FAR" in p.reason and "CUR is short" in p.reason


def test_with_room_the_nearer_store_wins(session, ops):
    build(session, near_full=False)
    p = propose_reroute(deps_for(session, ops), "PO-1")
    assert p.recommended_node == "NEAR"


def test_infeasible_names_the_nearest_stock_and_its_date(world, ops):
    add_order(world, "PO-2", "C-1", [("SKU-2", 1)], node_id="CUR", ship_by=TODAY, promised=SAT)
    add_stock(world, "CUR", "SKU-2", on_hand=0, reserved=1)
    done(world)
    p = propose_reroute(deps_for(world, ops), "PO-2")
    assert p.recommended_option_id is None
    assert p.reason == ("no node within the promise (2026-11-21) has SKU-2; the nearest with stock "
                        "is DC-CDMX, which could deliver on 2026-11-23")


def test_no_stock_anywhere(world, ops):
    add_product(world, "SKU-3")
    add_order(world, "PO-3", "C-1", [("SKU-3", 2)], node_id="CUR", ship_by=TODAY, promised=SAT)
    done(world)
    p = propose_reroute(deps_for(world, ops), "PO-3")
    assert p.recommended_option_id is None
    assert p.reason.startswith("no node has 2 of SKU-3 available to promise")


def test_split_when_no_single_node_has_everything(session, ops):
    add_node(session, "CUR", SAN_PEDRO)
    add_node(session, "A", NEAR)
    add_node(session, "B", FAR)
    add_carriers(session)
    add_product(session, "SKU-A", price="1000.00")
    add_product(session, "SKU-B", price="1000.00")
    add_stock(session, "A", "SKU-A", on_hand=3)
    add_stock(session, "B", "SKU-B", on_hand=3)
    add_customer(session, "C-1", MTY)
    add_order(session, "PO-S", "C-1", [("SKU-A", 1), ("SKU-B", 1)], node_id="CUR", ship_by=SAT,
              promised=MON, unit_price="1000.00")
    done(session)
    p = propose_reroute(deps_for(session, ops), "PO-S")
    assert p.recommended_option_id == "split:A+B:ESTAFETA-STD"
    best = p.options[0]
    assert best.shipments == 2 and [d.line_nos for d in best.detail] == [[1], [2]]
    result = execute_reroute(deps_for(session, ops), order_id="PO-S", option_id=best.option_id,
                             idempotency_key="k-split", approved_by="ops-luis")
    assert {(m["line_no"], m["to_node"]) for m in result.moved} == {(1, "A"), (2, "B")}
    assert session.get(InventoryPosition, ("A", "SKU-A")).reserved == 1


def test_policy_blocks_a_picked_line(world, ops):
    world.execute(OrderLine.__table__.update().where(OrderLine.order_id == "PO-1").values(
        status=LineStatus.picked.value))
    with pytest.raises(PolicyViolation, match="already picked"):
        propose_reroute(deps_for(world, ops), "PO-1")


def test_pickup_needs_consent(world, ops):
    with pytest.raises(PolicyViolation, match="consent"):
        convert_to_pickup(deps_for(world, ops), order_id="PO-1", node_id="FAR",
                          idempotency_key="k1", consent=False)
    with pytest.raises(PolicyViolation, match="consent"):
        execute_reroute(deps_for(world, ops), order_id="PO-1", option_id="pickup:FAR:pickup",
                        idempotency_key="k1", approved_by="ops-luis")
    me = Principal(role=Role.customer, subject="C-1")
    result = convert_to_pickup(deps_for(world, me), order_id="PO-1", node_id="FAR",
                               idempotency_key="k2", consent=True)
    assert result.kind == "pickup" and result.eta == TODAY
    line = world.scalars(select(OrderLine).where(OrderLine.order_id == "PO-1")).one()
    # the store owes the order on the day the shopper was told it is ready (was the promise,
    # MON, which made the status say "ready Monday" after a conversion quoted today)
    assert line.allocated_node_id == "FAR" and line.ship_by == TODAY == result.eta
    assert line.order.fulfillment_type is FulfillmentType.pickup


def test_customer_gets_only_pickup_options_for_own_orders(world):
    me = Principal(role=Role.customer, subject="C-1")
    p = propose_reroute(deps_for(world, me), "PO-1", consent_pickup=True)
    assert p.options and {o.kind for o in p.options} == {"pickup"}
    assert p.recommended_option_id == "pickup:FAR:pickup"
    with pytest.raises(NotFound):
        propose_reroute(deps_for(world, me), "PO-Q0")


def test_execute_is_idempotent_and_audited(world, ops):
    deps = deps_for(world, ops)
    first = execute_reroute(deps, order_id="PO-1", option_id="ship_from_node:FAR:ESTAFETA-STD",
                            idempotency_key="key-1", approved_by="sup-maria")
    assert not first.replayed
    assert first.moved == [{"line_no": 1, "sku": "SKU-1", "quantity": 1, "from_node": "CUR",
                            "to_node": "FAR", "ship_by": "2026-11-21"}]
    state = [(p.node_id, p.reserved) for p in world.scalars(select(InventoryPosition).order_by(
        InventoryPosition.node_id, InventoryPosition.sku))]
    assert ("FAR", 1) in state and ("CUR", 0) in state
    again = execute_reroute(deps, order_id="PO-1", option_id="ship_from_node:FAR:ESTAFETA-STD",
                            idempotency_key="key-1", approved_by="sup-maria")
    assert again.replayed and again.moved == first.moved
    assert state == [(p.node_id, p.reserved) for p in world.scalars(select(InventoryPosition).order_by(
        InventoryPosition.node_id, InventoryPosition.sku))]
    audits = world.scalars(select(AuditEntry).where(AuditEntry.entity_id == "PO-1")).all()
    assert len(audits) == 1 and audits[0].details["approved_by"] == "sup-maria"
    with pytest.raises(Conflict, match="already used"):
        execute_reroute(deps, order_id="PO-1", option_id="ship_from_node:NEAR:ESTAFETA-STD",
                        idempotency_key="key-1", approved_by="sup-maria")


def test_stale_option_is_refused_with_a_fresh_proposal(world, ops):
    deps = deps_for(world, ops)
    propose_reroute(deps, "PO-1")
    # FAR's last sellable unit goes to someone else (on hand 2, safety 1)
    world.get(InventoryPosition, ("FAR", "SKU-1")).reserved = 1
    world.flush()
    with pytest.raises(Conflict) as caught:
        execute_reroute(deps, order_id="PO-1", option_id="ship_from_node:FAR:ESTAFETA-STD",
                        idempotency_key="key-2", approved_by="sup-maria")
    fresh = caught.value.details["proposal"]
    assert "ship_from_node:FAR:ESTAFETA-STD" not in {o["option_id"] for o in fresh["options"]}
    line = world.scalars(select(OrderLine).where(OrderLine.order_id == "PO-1")).one()
    assert line.allocated_node_id == "CUR"


def test_bad_inputs(world, ops, support):
    with pytest.raises(InvalidInput) as caught:
        propose_reroute(deps_for(world, ops), "PO-1", profile="nope")
    assert caught.value.field == "profile"
    with pytest.raises(InvalidInput) as caught:
        propose_reroute(deps_for(world, ops), "PO-1", line_nos=[7])
    assert caught.value.field == "line_nos"
    with pytest.raises(NotFound):
        propose_reroute(deps_for(world, support), "PO-404")
    with pytest.raises(InvalidInput):
        execute_reroute(deps_for(world, ops), order_id="PO-1", option_id="x", idempotency_key="",
                        approved_by="a")
