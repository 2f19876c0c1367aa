"""Node-day load: capacity, overrides, closed days, FIFO backlog and the backlog ship day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select

from promesa.domain.load import Bucket, Capacity, node_days, ship_day_with_backlog, simulate
from promesa.errors import NotFound
from promesa.store.enums import LineStatus
from promesa.store.models import OrderLine
from tests.domain.ops_world import (
    MTY,
    TODAY,
    add_carriers,
    add_customer,
    add_node,
    add_order,
    add_override,
    add_product,
    done,
)

D = timedelta(days=1)


@pytest.fixture
def queue_world(session):
    """Node N (2 orders/day, Mon–Sat): 1 overdue, 3 due Friday, 1 due Saturday."""
    add_node(session, "N", MTY, capacity_orders=2, capacity_units=100)
    add_node(session, "IDLE", MTY)
    add_carriers(session)
    add_product(session, "SKU-1")
    add_customer(session, "C-1")
    add_order(session, "PO-0", "C-1", [("SKU-1", 1)], node_id="N", ship_by=TODAY - D,
              promised=TODAY + D)
    for i in range(1, 4):
        add_order(session, f"PO-{i}", "C-1", [("SKU-1", 1)], node_id="N", ship_by=TODAY,
                  promised=TODAY + 2 * D)
    add_order(session, "PO-4", "C-1", [("SKU-1", 2)], node_id="N", ship_by=TODAY + D,
              promised=TODAY + 3 * D)
    # neither shipped nor cancelled lines count
    add_order(session, "PO-S", "C-1", [("SKU-1", 1)], node_id="N", ship_by=TODAY,
              promised=TODAY + D, line_status=LineStatus.shipped)
    add_order(session, "PO-X", "C-1", [("SKU-1", 1)], node_id="N", ship_by=TODAY,
              promised=TODAY + D, line_status=LineStatus.cancelled)
    done(session)
    return session


def test_backlog_carries_forward_and_makes_the_next_day_late(queue_world):
    rows = node_days(queue_world, node_ids=["N"], start=TODAY, days=4)
    fri, sat, sun, mon = rows
    assert (fri.due_orders, fri.overdue_orders, fri.planned_orders, fri.backlog_orders) == (4, 1, 2, 2)
    assert fri.utilisation == 2.0
    assert (sat.carried_in_orders, sat.due_orders, sat.planned_orders, sat.backlog_orders) == (2, 1, 2, 1)
    assert sat.backlog_units == 2  # Saturday's own order (2 units) is pushed past its ship-by
    assert not sun.ships and sun.capacity_orders == 0 and sun.utilisation is None
    assert sun.backlog_orders == 1
    assert (mon.planned_orders, mon.backlog_orders) == (1, 0)


def test_ship_day_with_backlog(queue_world):
    assert ship_day_with_backlog(queue_world, node_id="N", earliest=TODAY, ship_by=TODAY) == TODAY + D
    # Saturday's order waits behind Friday's backlog, Sunday is closed: it leaves Monday
    assert ship_day_with_backlog(queue_world, node_id="N", earliest=TODAY, ship_by=TODAY + D) == TODAY + 3 * D
    assert ship_day_with_backlog(queue_world, node_id="IDLE", earliest=TODAY, ship_by=TODAY) == TODAY
    with pytest.raises(NotFound):
        ship_day_with_backlog(queue_world, node_id="NOPE", earliest=TODAY, ship_by=TODAY)


def test_override_and_all_nodes(queue_world):
    add_override(queue_world, "N", TODAY, orders=10, units=10)
    done(queue_world)
    rows = {(r.node_id, r.day): r for r in node_days(queue_world, node_ids=None, start=TODAY, days=2)}
    assert len(rows) == 4
    fri = rows[("N", TODAY)]
    assert fri.capacity_source.startswith("override") and fri.backlog_orders == 0
    assert rows[("IDLE", TODAY)].due_orders == 0 and rows[("IDLE", TODAY)].utilisation == 0.0
    with pytest.raises(NotFound):
        node_days(queue_world, node_ids=["NOPE"], start=TODAY, days=1)


def test_units_limit_binds():
    cap = {TODAY: Capacity(10, 5, True, "default"), TODAY + D: Capacity(10, 5, True, "default")}
    plan = simulate("N", [Bucket(TODAY, 4, 8)], cap, TODAY, 2)
    assert (plan.days[0].planned_orders, plan.days[0].planned_units) == (2, 4)
    assert (plan.days[1].planned_orders, plan.days[1].backlog_orders) == (2, 0)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    buckets=st.lists(st.tuples(st.integers(-3, 6), st.integers(1, 20), st.integers(1, 60)), max_size=8),
    caps=st.lists(st.tuples(st.integers(0, 15), st.integers(0, 50)), min_size=7, max_size=7),
)
def test_simulation_conserves_work(buckets, caps):
    """Whatever the queue: shipped + final backlog equals all work, and nothing exceeds capacity."""
    merged: dict = {}
    for offset, orders, units in buckets:
        day = TODAY + offset * D
        o, u = merged.get(day, (0, 0))
        merged[day] = (o + orders, u + units)
    cap = {TODAY + i * D: Capacity(o, u, True, "default") for i, (o, u) in enumerate(caps)}
    plan = simulate("N", [Bucket(d, o, u) for d, (o, u) in merged.items()], cap, TODAY, 7)
    in_horizon = [(d, o, u) for d, (o, u) in merged.items() if d <= TODAY + 6 * D]
    assert sum(r.planned_orders for r in plan.days) + plan.days[-1].backlog_orders == sum(
        o for _d, o, _u in in_horizon)
    assert sum(r.planned_units for r in plan.days) + plan.days[-1].backlog_units == sum(
        u for _d, _o, u in in_horizon)
    for row in plan.days:
        assert row.planned_orders <= row.capacity_orders and row.planned_units <= row.capacity_units
        assert row.backlog_orders >= 0 and row.backlog_units >= 0


def test_pending_changes_are_counted(queue_world):
    """The load queries run on the session's connection, yet still see unflushed ORM changes."""
    line = queue_world.scalars(select(OrderLine).where(OrderLine.order_id == "PO-1")).one()
    line.status = LineStatus.cancelled  # pending, not flushed
    assert queue_world.dirty
    fri = node_days(queue_world, node_ids=["N"], start=TODAY, days=1)[0]
    assert (fri.due_orders, fri.backlog_orders) == (3, 1)
    # one order carried into Saturday leaves room for Saturday's own: no longer pushed to Monday
    assert ship_day_with_backlog(queue_world, node_id="N", earliest=TODAY, ship_by=TODAY + D) == TODAY + D
