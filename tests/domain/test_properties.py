"""Property tests of the operations area on generated small worlds.

Every example builds its own world in a fresh SQLite file copied from the session's migrated
template (function-scoped fixtures are not reset between hypothesis examples), so examples
never see each other's rows. Worlds: 2–4 Monterrey-area stores and a Mexico City DC with random
capacities, random stock per node (on hand, reserved, safety stock) and a few random orders.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promesa.domain.capacity import scan_risk
from promesa.domain.deps import Deps
from promesa.domain.fulfillment.config import SourcingProfile
from promesa.domain.fulfillment.execution import execute_reroute
from promesa.domain.fulfillment.proposals import propose_reroute
from promesa.domain.policy import MAX_SPLIT_SHIPMENTS
from promesa.errors import Conflict
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.db import make_engine
from promesa.store.enums import NodeType
from promesa.store.models import ActionExecution, AuditEntry, InventoryPosition, Order, OrderLine
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

OPS = Principal(role=Role.ops, subject="ops-prop")
SPOTS = [SAN_PEDRO, CUMBRES, (25.6900, -100.3300), (25.7500, -100.2500)]
SKUS = ["SKU-1", "SKU-2"]
D = timedelta(days=1)
PROPERTY = hsettings(max_examples=30, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@dataclass(frozen=True)
class WorldSpec:
    stores: list[tuple[int, int]]  # (capacity orders, capacity units) per store
    dc_capacity: int
    stock: dict[tuple[str, str], tuple[int, int, int]]  # (node, sku) -> on hand, reserved, safety
    orders: list[tuple[str, list[tuple[str, int]], int, int, str]]  # node, lines, ship-by, slack, price

    @property
    def nodes(self) -> list[str]:
        return [f"S{i}" for i in range(len(self.stores))] + ["DC"]


@st.composite
def worlds(draw: st.DrawFn) -> WorldSpec:
    stores = draw(st.lists(st.tuples(st.integers(0, 3), st.sampled_from([2, 4, 50])),
                           min_size=2, max_size=4))
    nodes = [f"S{i}" for i in range(len(stores))] + ["DC"]
    stock = {}
    for node in nodes:
        for sku in SKUS:
            if draw(st.booleans()):
                stock[(node, sku)] = (draw(st.integers(0, 5)), draw(st.integers(0, 3)),
                                      draw(st.integers(0, 1)))
    line = st.tuples(st.sampled_from(SKUS), st.integers(1, 2))
    orders = draw(st.lists(
        st.tuples(st.sampled_from(nodes), st.lists(line, min_size=1, max_size=2, unique_by=lambda x: x[0]),
                  st.integers(-2, 3), st.integers(0, 3), st.sampled_from(["300.00", "900.00"])),
        min_size=1, max_size=6,
    ))
    return WorldSpec(stores=stores, dc_capacity=draw(st.integers(1, 5)), stock=stock, orders=orders)


@contextmanager
def fresh_world(template: Path, spec: WorldSpec) -> Iterator[Session]:
    """A new SQLite file holding ``spec``, open in a session (removed afterwards)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "world.db"
        shutil.copy(template, path)
        engine = make_engine(f"sqlite:///{path}")
        try:
            with Session(engine, expire_on_commit=False) as session:
                for i, (orders, units) in enumerate(spec.stores):
                    add_node(session, f"S{i}", SPOTS[i], capacity_orders=orders, capacity_units=units)
                add_node(session, "DC", CDMX, type=NodeType.distribution_center, pickup=False,
                         city="CDMX", capacity_orders=spec.dc_capacity, capacity_units=100)
                add_carriers(session)
                for sku in SKUS:
                    add_product(session, sku, price="900.00")
                for (node, sku), (on_hand, reserved, safety) in spec.stock.items():
                    add_stock(session, node, sku, on_hand=on_hand, reserved=reserved, safety=safety)
                add_customer(session, "C-1", MTY)
                for n, (node, lines, offset, slack, price) in enumerate(spec.orders):
                    add_order(session, f"PO-{n}", "C-1", lines, node_id=node, ship_by=TODAY + offset * D,
                              promised=TODAY + (max(offset, 0) + 1 + slack) * D, unit_price=price)
                done(session)
                session.commit()
                yield session
        finally:
            engine.dispose()


def deps_for(session: Session, settings: Settings | None = None) -> Deps:
    return Deps(session=session, principal=OPS, now=NOW, settings=settings or Settings(_env_file=None))


def inventory(session: Session) -> dict[tuple[str, str], tuple[int, int, int]]:
    return {(p.node_id, p.sku): (p.on_hand, p.reserved, p.safety_stock)
            for p in session.execute(select(InventoryPosition.__table__))}


def snapshot(session: Session) -> dict[str, object]:
    """Everything an execution may write, read as plain rows."""
    session.expire_all()
    return {
        "inventory": inventory(session),
        "lines": sorted((r.order_id, r.line_no, r.allocated_node_id, r.ship_by, r.status)
                        for r in session.execute(select(OrderLine.__table__))),
        "orders": sorted((r.id, r.fulfillment_type, r.service_id, r.pickup_node_id)
                         for r in session.execute(select(Order.__table__))),
        "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
        "executions": sorted((r.key, r.action, r.entity_id, str(r.result))
                             for r in session.execute(select(ActionExecution.__table__))),
    }


# --- 1. a recommendation never violates a hard filter of its profile -------------------------

profiles = st.builds(
    SourcingProfile,
    weights=st.dictionaries(
        st.sampled_from(["speed", "cost", "capacity", "shipments", "reliability", "distance"]),
        st.floats(0.01, 1), min_size=1),
    require_meets_promise=st.booleans(),
    max_cost_delta_mxn=st.one_of(st.none(), st.floats(-60, 200)),
    max_shipments=st.one_of(st.none(), st.integers(1, 2)),
    allow_pickup=st.booleans(),
    allow_upgrade=st.booleans(),
)


@PROPERTY
@given(spec=worlds(), profile=profiles, consent=st.booleans())
def test_recommendation_never_violates_a_hard_filter(sqlite_template, spec, profile, consent):
    settings = Settings(_env_file=None, sourcing_profiles={"p": profile})
    with fresh_world(sqlite_template, spec) as session:
        for n in range(len(spec.orders)):
            proposal = propose_reroute(deps_for(session, settings), f"PO-{n}", profile="p",
                                       consent_pickup=consent)
            assert proposal.reason
            if proposal.recommended_option_id is None:
                event("no recommendation")
                continue
            event("recommendation")
            best = next(o for o in proposal.options if o.option_id == proposal.recommended_option_id)
            # checked against the profile itself, not the engine's own verdicts
            assert not best.filtered_out and best.executable
            assert best.meets_promise or not profile.require_meets_promise
            assert best.meets_promise == (best.eta <= proposal.promised_date)
            assert profile.max_cost_delta_mxn is None or best.cost_delta_mxn <= profile.max_cost_delta_mxn
            assert best.shipments <= (profile.max_shipments or MAX_SPLIT_SHIPMENTS)
            assert profile.allow_pickup or best.kind != "pickup"
            assert profile.allow_upgrade or best.kind != "upgrade_service"
            assert consent or best.kind != "pickup"
            assert proposal.recommended_node == best.nodes[0]
            eligible = [o for o in proposal.options if not o.filtered_out and o.executable]
            assert best.total_score == max(o.total_score for o in eligible)


# --- 2. risk totals are the sums over node-days ----------------------------------------------


@PROPERTY
@given(spec=worlds(), days=st.integers(1, 6))
def test_risk_totals_equal_sums_over_node_days(sqlite_template, spec, days):
    with fresh_world(sqlite_template, spec) as session:
        report = scan_risk(deps_for(session), days=days)
    rows, t = report.node_days, report.totals
    assert len(rows) == len(spec.nodes) * days
    assert t.capacity_orders == sum(r.capacity_orders for r in rows)
    assert t.capacity_units == sum(r.capacity_units for r in rows)
    assert t.due_orders == sum(r.due_orders for r in rows)
    assert t.due_units == sum(r.due_units for r in rows)
    assert t.planned_orders == sum(r.planned_orders for r in rows)
    assert t.planned_units == sum(r.planned_units for r in rows)
    assert t.over_capacity_node_days == sum(1 for r in rows if r.backlog_orders > 0)
    for r in rows:  # each node-day conserves its work and never ships beyond capacity
        assert r.carried_in_orders + r.due_orders == r.planned_orders + r.backlog_orders
        assert 0 <= r.planned_orders <= r.capacity_orders
        assert 0 <= r.planned_units <= r.capacity_units
    last_day = TODAY + (days - 1) * D
    in_horizon = sum(1 for _node, _lines, offset, _s, _p in spec.orders if TODAY + offset * D <= last_day)
    assert t.planned_orders + t.backlog_orders_at_end == in_horizon
    # at-risk counts agree with each other and with the list
    ids = [r.order_id for r in report.at_risk]
    assert len(ids) == len(set(ids)) == t.at_risk_orders == sum(t.by_reason.values())
    for reason, count in t.by_reason.items():
        assert count == sum(1 for r in report.at_risk if r.reason == reason) > 0
    queued = sum(1 for r in report.at_risk if r.reason in ("over_capacity", "cutoff_missed"))
    assert queued <= t.capacity_late_orders
    assert t.value_at_risk_mxn == pytest.approx(sum(r.value_mxn for r in report.at_risk))
    assert set(ids) <= {f"PO-{n}" for n in range(len(spec.orders))}


# --- 3. re-executing with the same key changes nothing ---------------------------------------


def executable_options(session: Session, order_id: str) -> list[str]:
    proposal = propose_reroute(deps_for(session), order_id)
    return [o.option_id for o in proposal.options if o.executable and o.kind != "pickup"]


@PROPERTY
@given(spec=worlds(), pick=st.integers(0, 50), target=st.integers(0, 5))
def test_same_idempotency_key_twice_leaves_the_same_state(sqlite_template, spec, pick, target):
    with fresh_world(sqlite_template, spec) as session:
        order_id = f"PO-{target % len(spec.orders)}"
        options = executable_options(session, order_id)
        if not options:
            event("nothing executable")
            return
        option_id = options[pick % len(options)]
        first = execute_reroute(deps_for(session), order_id=order_id, option_id=option_id,
                                idempotency_key="k-1", approved_by="ops-prop")
        session.commit()
        after_first = snapshot(session)
        again = execute_reroute(deps_for(session), order_id=order_id, option_id=option_id,
                                idempotency_key="k-1", approved_by="ops-prop")
        session.commit()
        assert again.replayed and not first.replayed
        assert again.model_dump(exclude={"replayed"}) == first.model_dump(exclude={"replayed"})
        assert snapshot(session) == after_first
        assert after_first["audit"] == 1 and len(after_first["executions"]) == 1


# --- 4. no sequence of executions takes stock below zero -------------------------------------

steps = st.lists(
    st.one_of(
        st.tuples(st.just("execute"), st.integers(0, 5), st.integers(0, 50)),
        st.tuples(st.just("stale"), st.integers(0, 5), st.integers(0, 50)),
        st.tuples(st.just("stale"), st.integers(0, 5), st.integers(0, 50)),
        st.tuples(st.just("shrink"), st.integers(0, 4), st.sampled_from(SKUS)),
    ),
    min_size=2, max_size=8,
)


@PROPERTY
@given(spec=worlds(), plan=steps)
def test_inventory_never_goes_negative(sqlite_template, spec, plan):
    with fresh_world(sqlite_template, spec) as session:
        remembered: list[tuple[str, str]] = []  # options proposed earlier, possibly stale by now
        for number, step in enumerate(plan):
            key = f"k-{number}"
            if step[0] == "shrink":  # a cycle count finds less stock than recorded
                node = spec.nodes[step[1] % len(spec.nodes)]
                position = session.get(InventoryPosition, (node, step[2]))
                if position is not None:
                    position.on_hand = max(0, position.on_hand - 2)
                    session.commit()
                continue
            order_id = f"PO-{step[1] % len(spec.orders)}"
            if step[0] == "execute":
                options = executable_options(session, order_id)
                if not options:
                    continue
                chosen = (order_id, options[step[2] % len(options)])
                remembered.append(chosen)
            elif remembered:
                chosen = remembered[step[2] % len(remembered)]
            else:
                continue
            before = snapshot(session)
            try:
                execute_reroute(deps_for(session), order_id=chosen[0], option_id=chosen[1],
                                idempotency_key=key, approved_by="ops-prop")
                session.commit()
                event("executed")
            except Conflict:
                session.rollback()
                event("refused as stale")
                assert snapshot(session) == before  # a refusal writes nothing
            held = before["inventory"]
            for (node, sku), (on_hand, reserved, safety) in inventory(session).items():
                assert on_hand >= 0 and reserved >= 0
                assert on_hand == held[(node, sku)][0]  # executions move reservations only
                if reserved > held[(node, sku)][1]:
                    # a reservation an execution adds never exceeds what was promisable
                    assert on_hand - reserved - safety >= 0, (node, sku)
