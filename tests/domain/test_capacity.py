"""Risk scan: over-capacity tomorrow, backlog spilling into the next day, stock and carrier delay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from promesa.domain.capacity import oversell_risk, scan_risk
from promesa.domain.deps import Deps
from promesa.errors import Forbidden, InvalidInput
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.enums import LineStatus, OrderStatus, TrackingEventType
from promesa.store.models import TrackingEvent
from tests.domain.ops_world import (
    CDMX,
    MTY,
    NOW,
    TODAY,
    add_carriers,
    add_customer,
    add_node,
    add_order,
    add_override,
    add_product,
    add_stock,
    done,
)

D = timedelta(days=1)
SAT, MON = TODAY + D, TODAY + 3 * D


def deps_for(session, principal) -> Deps:
    return Deps(session=session, principal=principal, now=NOW, settings=Settings(_env_file=None))


@pytest.fixture
def world(session):
    """DC overridden to 2 orders tomorrow and 1 on Monday: 3 due Sat, 1 due Mon."""
    add_node(session, "DC", CDMX, capacity_orders=100, capacity_units=300, pickup=False)
    add_node(session, "S", MTY)
    add_override(session, "DC", SAT, orders=2, units=100)
    add_override(session, "DC", MON, orders=1, units=100)
    add_carriers(session)
    add_product(session, "SKU-1", online=30)
    add_product(session, "SKU-2", online=1)
    add_stock(session, "DC", "SKU-1", on_hand=20, reserved=5)
    add_stock(session, "S", "SKU-1", on_hand=3)
    add_stock(session, "S", "SKU-2", on_hand=0, reserved=1)  # PO-STOCK holds it
    add_customer(session, "C-1", MTY)
    base = datetime(2026, 11, 19, tzinfo=UTC)
    for i in range(3):  # created in order: PO-A0 first, PO-A2 last (the late one)
        add_order(session, f"PO-A{i}", "C-1", [("SKU-1", 1)], node_id="DC", ship_by=SAT,
                  promised=TODAY + 4 * D, created_at=base + i * timedelta(hours=1),
                  unit_price="6000.00" if i == 2 else "500.00")
    add_order(session, "PO-B", "C-1", [("SKU-1", 1)], node_id="DC", ship_by=MON, promised=TODAY + 5 * D)
    add_order(session, "PO-STOCK", "C-1", [("SKU-2", 1)], node_id="S", ship_by=MON, promised=TODAY + 4 * D)
    add_order(session, "PO-DELAY", "C-1", [("SKU-1", 1)], node_id="DC", ship_by=TODAY - D,
              promised=SAT, status=OrderStatus.in_transit, line_status=LineStatus.shipped)
    session.flush()
    session.add(TrackingEvent(order_id="PO-DELAY", type=TrackingEventType.delay_exception,
                              occurred_at=base, reason="weather", revised_eta=TODAY + 4 * D))
    done(session)
    return session


def test_scan_finds_each_reason(world, ops):
    report = scan_risk(deps_for(world, ops), days=4)
    risks = {r.order_id: r for r in report.at_risk}
    late = risks["PO-A2"]
    # Saturday ships 2 of the 3 (by creation); the third waits (Sunday closed) for Monday, whose
    # override of 1 order it takes ahead of PO-B (FIFO), so PO-B is still queued after the horizon
    assert (late.reason, late.expected_ship_day, late.days_late) == ("over_capacity", MON, 2)
    assert late.severity == "critical"  # 2 days late, bumped for a 6000 MXN order
    assert late.reroute_possible  # S has SKU-1
    assert risks["PO-B"].reason == "over_capacity" and risks["PO-B"].expected_ship_day is None
    assert risks["PO-STOCK"].reason == "out_of_stock" and not risks["PO-STOCK"].reroute_possible
    assert risks["PO-DELAY"].reason == "carrier_delay" and risks["PO-DELAY"].days_late == 3
    assert "PO-A0" not in risks and "PO-A1" not in risks
    assert report.totals.by_reason == {"over_capacity": 2, "out_of_stock": 1, "carrier_delay": 1}
    assert report.totals.capacity_late_orders == 2
    assert report.totals.due_orders == sum(r.due_orders for r in report.node_days)


def test_pages_rank_worst_first_and_totals_count_them_all(world, ops):
    deps = deps_for(world, ops)
    everything = scan_risk(deps, days=4, limit=None)
    ranking = [r.order_id for r in everything.at_risk]
    # critical PO-A2 (2 days late, high value), PO-DELAY (3 days), then the rest by severity
    assert ranking[:2] == ["PO-DELAY", "PO-A2"] and len(ranking) == 4
    assert everything.next_offset is None
    first = scan_risk(deps, days=4, limit=3)
    second = scan_risk(deps, days=4, limit=3, offset=first.next_offset)
    assert [r.order_id for r in first.at_risk] == ranking[:3] and first.next_offset == 3
    assert [r.order_id for r in second.at_risk] == ranking[3:] and second.next_offset is None
    # every page carries the same totals and node-day table: they describe the whole window
    assert first.totals == second.totals == everything.totals
    assert first.node_days == everything.node_days
    assert first.totals.value_at_risk_mxn == round(sum(r.value_mxn for r in everything.at_risk), 2)
    for bad in ({"limit": 0}, {"limit": 10_000}, {"offset": -1}):
        with pytest.raises(InvalidInput) as caught:
            scan_risk(deps, **bad)
        assert caught.value.field == next(iter(bad))


def test_scan_rules(world, ops):
    customer = Principal(role=Role.customer, subject="C-1")
    with pytest.raises(Forbidden):
        scan_risk(deps_for(world, customer))
    with pytest.raises(InvalidInput) as caught:
        scan_risk(deps_for(world, ops), days=0)
    assert caught.value.field == "days"
    report = scan_risk(deps_for(world, ops), node_ids=["S"], days=7)
    assert {r.node_id for r in report.node_days} == {"S"} and len(report.node_days) == 7


def test_oversell(world, ops):
    risks = oversell_risk(deps_for(world, ops))
    # SKU-1: online 30 vs ATP 15 (DC) + 3 (S); SKU-2: online 1 vs 0
    assert [(r.sku, r.total_atp, r.excess) for r in risks] == [("SKU-1", 18, 12), ("SKU-2", 0, 1)]


@hsettings(max_examples=12, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    loads=st.lists(st.tuples(st.sampled_from(["N1", "N2"]), st.integers(-2, 5), st.integers(1, 3)),
                   max_size=12),
    caps=st.tuples(st.integers(0, 4), st.integers(0, 4)),
)
def test_totals_equal_sums_over_node_days(session, ops, loads, caps):
    with session.begin_nested() as nested:
        add_node(session, "N1", MTY, capacity_orders=caps[0] or 1, capacity_units=50)
        add_node(session, "N2", CDMX, capacity_orders=caps[1] or 1, capacity_units=50)
        add_override(session, "N1", TODAY, orders=caps[0], units=50)
        add_carriers(session)
        add_product(session, "SKU-1")
        add_customer(session, "C-1")
        for i, (node, offset, qty) in enumerate(loads):
            add_order(session, f"PO-{i}", "C-1", [("SKU-1", qty)], node_id=node,
                      ship_by=TODAY + offset * D, promised=TODAY + (offset + 3) * D)
        add_stock(session, "N1", "SKU-1", on_hand=100)
        add_stock(session, "N2", "SKU-1", on_hand=100)
        done(session)
        report = scan_risk(deps_for(session, ops), days=5)
        rows = report.node_days
        t = report.totals
        assert t.due_orders == sum(r.due_orders for r in rows)
        assert t.due_units == sum(r.due_units for r in rows)
        assert t.planned_orders == sum(r.planned_orders for r in rows)
        assert t.capacity_orders == sum(r.capacity_orders for r in rows)
        assert t.over_capacity_node_days == sum(1 for r in rows if r.backlog_orders)
        assert t.at_risk_orders == len(report.at_risk) == sum(t.by_reason.values())
        in_horizon = sum(1 for _n, off, _q in loads if off <= 4)
        assert t.planned_orders + t.backlog_orders_at_end == in_horizon
        nested.rollback()
    done(session)


@pytest.fixture
def tight_today(session):
    """DC ships 1 order a day today and tomorrow; 2 orders are due today, 1 tomorrow."""
    add_node(session, "DC", CDMX, capacity_orders=100, capacity_units=300, pickup=False)
    add_override(session, "DC", TODAY, orders=1, units=100)
    add_override(session, "DC", SAT, orders=1, units=100)
    add_carriers(session)
    add_product(session, "SKU-1", online=0)
    add_stock(session, "DC", "SKU-1", on_hand=20, reserved=3)
    add_customer(session, "C-1", MTY)
    base = datetime(2026, 11, 19, tzinfo=UTC)
    for i, (order_id, ship_by) in enumerate([("PO-T0", TODAY), ("PO-T1", TODAY), ("PO-S0", SAT)]):
        add_order(session, order_id, "C-1", [("SKU-1", 1)], node_id="DC", ship_by=ship_by,
                  promised=ship_by + 3 * D, created_at=base + i * timedelta(hours=1))
    done(session)
    return session


def test_a_window_starting_tomorrow_inherits_todays_backlog(tight_today, ops):
    deps = deps_for(tight_today, ops)
    # today's view: PO-T1 misses today and takes tomorrow's only slot, so PO-S0 is still queued
    # when the two-day horizon ends
    today = {r.order_id: r for r in scan_risk(deps, days=2).at_risk}
    assert (today["PO-T1"].reason, today["PO-T1"].expected_ship_day) == ("over_capacity", SAT)
    assert (today["PO-S0"].reason, today["PO-S0"].expected_ship_day) == ("over_capacity", None)
    assert "PO-T0" not in today
    # tomorrow's view: only tomorrow's orders, late because of what today leaves behind; today's
    # own orders are not reported as "cut-off missed" just because the window starts later
    tomorrow = scan_risk(deps, start=SAT, days=1)
    assert [(r.order_id, r.reason, r.expected_ship_day) for r in tomorrow.at_risk] == [
        ("PO-S0", "over_capacity", None)]
    (saturday,) = tomorrow.node_days
    assert (saturday.day, saturday.carried_in_orders, saturday.planned_orders) == (SAT, 1, 1)
    assert tomorrow.totals.due_orders == saturday.due_orders == 1
