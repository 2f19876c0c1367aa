"""Analytics on a small world with hand-computed answers; invalid specs name the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from promesa.domain.analytics import run_analytics
from promesa.domain.deps import Deps
from promesa.errors import Forbidden, InvalidInput
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.enums import Channel, LineStatus, OrderStatus
from promesa.store.models import Shipment
from tests.domain.ops_world import (
    CDMX,
    MTY,
    NOW,
    TODAY,
    add_carriers,
    add_customer,
    add_node,
    add_order,
    add_product,
    add_stock,
    done,
)

D = timedelta(days=1)
UTC = UTC


def deps_for(session, principal) -> Deps:
    return Deps(session=session, principal=principal, now=NOW, settings=Settings(_env_file=None))


@pytest.fixture
def world(session):
    """Four orders this month: two delivered (one late), one open, one cancelled."""
    add_node(session, "N1", MTY)
    add_node(session, "N2", CDMX, city="CDMX", state="CDMX")
    add_carriers(session)
    add_product(session, "SKU-1", category="hogar")
    add_product(session, "SKU-2", category="electronica")
    add_customer(session, "C-1", MTY)
    add_customer(session, "C-2", CDMX, city="CDMX", state="CDMX")
    t0 = datetime(2026, 11, 10, 18, 0, tzinfo=UTC)
    add_order(session, "PO-1", "C-1", [("SKU-1", 2)], node_id="N1", ship_by=TODAY - 8 * D,
              promised=TODAY - 7 * D, status=OrderStatus.delivered, line_status=LineStatus.delivered,
              created_at=t0, unit_price="100.00")
    add_order(session, "PO-2", "C-2", [("SKU-2", 1), ("SKU-1", 1)], node_id="N2",
              ship_by=TODAY - 6 * D, promised=TODAY - 5 * D, status=OrderStatus.delivered,
              line_status=LineStatus.delivered, created_at=t0 + D, unit_price="1000.00",
              channel=Channel.app)
    add_order(session, "PO-3", "C-1", [("SKU-1", 1)], node_id="N1", ship_by=TODAY + D,
              promised=TODAY + 2 * D, created_at=t0 + 2 * D, unit_price="300.00")
    add_stock(session, "N1", "SKU-1", on_hand=0, reserved=1)  # PO-3's reservation, none on hand
    add_order(session, "PO-4", "C-2", [("SKU-1", 5)], node_id="N2", ship_by=TODAY + D,
              promised=TODAY + 2 * D, status=OrderStatus.cancelled,
              line_status=LineStatus.cancelled, created_at=t0 + 3 * D, unit_price="50.00")
    session.flush()
    # PO-1 delivered 2 days after creation, on time; PO-2 delivered 6 days after, a day late
    session.add_all([
        Shipment(id="SH-1", order_id="PO-1", node_id="N1", service_id="ESTAFETA-STD",
                 tracking_number="T1", shipped_at=t0 + D, delivered_at=t0 + 2 * D),
        Shipment(id="SH-2", order_id="PO-2", node_id="N2", service_id="ESTAFETA-STD",
                 tracking_number="T2", shipped_at=t0 + 2 * D, delivered_at=t0 + 7 * D),
    ])
    done(session)
    return session


def q(world, ops, **spec):
    return run_analytics(deps_for(world, ops), spec)


def test_counts_and_money(world, ops):
    assert q(world, ops, metric="orders").rows[0].value == 4
    assert q(world, ops, metric="units").rows[0].value == 10
    revenue = q(world, ops, metric="revenue")
    assert revenue.unit == "MXN" and revenue.rows[0].value == 200 + 2000 + 300
    assert q(world, ops, metric="cancellations").rows[0].value == 1
    by_channel = q(world, ops, metric="orders", dimensions=["channel"])
    assert [(r.group["channel"], r.value) for r in by_channel.rows] == [("app", 1), ("web", 3)]
    by_cat = q(world, ops, metric="units", dimensions=["category"], filters={"node": ["N2"]})
    assert [(r.group["category"], r.value) for r in by_cat.rows] == [("electronica", 1), ("hogar", 6)]
    clv = q(world, ops, metric="customer_lifetime_value")
    assert clv.rows[0].value == pytest.approx(2500 / 2)


def test_delivery_metrics(world, ops):
    assert q(world, ops, metric="late_orders").rows[0].value == 1
    rate = q(world, ops, metric="on_time_rate", dimensions=["state"])
    assert rate.unit == "%" and {r.group["state"]: r.value for r in rate.rows} == {
        "CDMX": 0.0, "Nuevo León": 100.0}
    assert q(world, ops, metric="avg_delivery_days").rows[0].value == pytest.approx(4.0)
    # 1 on time among the 2 orders whose promise has passed
    assert q(world, ops, metric="promise_hit_rate").rows[0].value == pytest.approx(50.0)
    days = q(world, ops, metric="orders", dimensions=["day"])
    assert [r.group["day"] for r in days.rows] == ["2026-11-10", "2026-11-11", "2026-11-12", "2026-11-13"]
    weeks = q(world, ops, metric="orders", dimensions=["week"])
    assert [(r.group["week"], r.value) for r in weeks.rows] == [("2026-11-09", 4)]


def test_live_metrics(world, ops):
    util = q(world, ops, metric="utilisation", dimensions=["node"], start="2026-11-21", end="2026-11-21")
    # Saturday: N1 has PO-3 (1 order of 100, 1 unit of 300) → 1 %; N2 nothing (PO-4 cancelled)
    assert {r.group["node"]: r.value for r in util.rows} == {"N1": 1.0, "N2": 0.0}
    # PO-3 is allocated to N1, which holds no SKU-1 at all: out of stock
    risk = q(world, ops, metric="at_risk_orders", dimensions=["node"])
    assert [(r.group["node"], r.value) for r in risk.rows] == [("N1", 1.0)]
    assert q(world, ops, metric="reroutes").rows[0].value == 0


@pytest.mark.parametrize(("spec", "field"), [
    ({"metric": "profit"}, "metric"),
    ({"metric": "orders", "dimensions": ["colour"]}, "dimensions"),
    ({"metric": "orders", "filters": {"node; DROP TABLE orders": ["x"]}}, "filters"),
    ({"metric": "orders", "start": "2026-11-20", "end": "2026-11-01"}, "start"),
    ({"metric": "utilisation", "dimensions": ["carrier"]}, "dimensions"),
    ({"metric": "orders", "sql": "select 1"}, "sql"),
])
def test_invalid_specs_name_the_field(world, ops, spec, field):
    with pytest.raises(InvalidInput) as caught:
        run_analytics(deps_for(world, ops), spec)
    assert caught.value.field == field


def test_customers_may_not_query(world):
    with pytest.raises(Forbidden):
        run_analytics(deps_for(world, Principal(role=Role.customer, subject="C-1")), {"metric": "orders"})


def test_days_and_weeks_are_business_days_not_utc(session, ops):
    """Sunday 15 Nov 23:30 in Mexico City is Monday 16 Nov 05:30 UTC: it counts on the 15th."""
    add_node(session, "N1", MTY)
    add_carriers(session)
    add_product(session, "SKU-1")
    add_customer(session, "C-1", MTY)
    late_evening = datetime.fromisoformat("2026-11-15T23:30:00-06:00")
    add_order(session, "PO-L", "C-1", [("SKU-1", 1)], node_id="N1", ship_by=TODAY, promised=TODAY,
              created_at=late_evening)
    # 00:30 local on Monday 16 Nov is still Monday (06:30 UTC)
    add_order(session, "PO-M", "C-1", [("SKU-1", 1)], node_id="N1", ship_by=TODAY, promised=TODAY,
              created_at=datetime.fromisoformat("2026-11-16T00:30:00-06:00"))
    done(session)
    days = q(session, ops, metric="orders", dimensions=["day"])
    assert [(r.group["day"], r.value) for r in days.rows] == [("2026-11-15", 1), ("2026-11-16", 1)]
    # Sunday belongs to the week starting Monday 9 Nov; Monday starts the next week
    weeks = q(session, ops, metric="orders", dimensions=["week"])
    assert [(r.group["week"], r.value) for r in weeks.rows] == [("2026-11-09", 1), ("2026-11-16", 1)]
    only = q(session, ops, metric="orders", filters={"day": ["2026-11-15"]})
    assert only.rows[0].value == 1
    # the date range is local too: the 15th alone holds the 23:30 order
    one_day = q(session, ops, metric="orders", start="2026-11-15", end="2026-11-15")
    assert one_day.rows[0].value == 1


def test_delivery_day_is_local_for_on_time(session, ops):
    """Delivered 23:30 local on the promised day (05:30 UTC the next day): on time."""
    add_node(session, "N1", MTY)
    add_carriers(session)
    add_product(session, "SKU-1")
    add_customer(session, "C-1", MTY)
    promised = TODAY - 3 * D
    add_order(session, "PO-D", "C-1", [("SKU-1", 1)], node_id="N1", ship_by=promised - D,
              promised=promised, status=OrderStatus.delivered, line_status=LineStatus.delivered,
              created_at=NOW - 6 * D)
    session.flush()
    session.add(Shipment(id="SH-D", order_id="PO-D", node_id="N1", service_id="ESTAFETA-STD",
                         tracking_number="TD", shipped_at=NOW - 5 * D,
                         delivered_at=datetime.fromisoformat("2026-11-17T23:30:00-06:00")))
    done(session)
    assert promised.isoformat() == "2026-11-17"
    assert q(session, ops, metric="on_time_rate").rows[0].value == 100.0
    assert q(session, ops, metric="late_orders").rows[0].value == 0


def test_day_filter_must_be_iso_dates(world, ops):
    with pytest.raises(InvalidInput) as caught:
        q(world, ops, metric="orders", filters={"day": ["yesterday"]})
    assert caught.value.field == "filters"


def test_utilisation_over_a_week_is_each_nodes_busiest_day_busiest_first(world, ops):
    """#15: a weekly average hid a 150% day, and the list came alphabetically (first nodes at 0%)."""
    week = q(world, ops, metric="utilisation", dimensions=["node"],
             start=TODAY.isoformat(), end=(TODAY + 6 * D).isoformat())
    assert [(r.group["node"], r.value, r.peak_day) for r in week.rows] == [
        ("N1", 1.0, TODAY + D),  # PO-3 on Saturday: the week's average would say 0.14 %
        ("N2", 0.0, None),  # an idle node has no busiest day
    ]
    # a window reaching back before today starts today (live load looks ahead)
    from_monday = q(world, ops, metric="utilisation", dimensions=["node"],
                    start=(TODAY - 4 * D).isoformat(), end=(TODAY + 2 * D).isoformat())
    assert from_monday.start == TODAY
    one_day = q(world, ops, metric="utilisation", dimensions=["node"],
                start=(TODAY + D).isoformat(), end=(TODAY + D).isoformat())
    assert all(r.peak_day is None for r in one_day.rows)


def test_a_risk_scan_counts_each_at_risk_order_in_one_node_day(world, ops):
    """#15: the heatmap cell, its drill-down and the totals counted different orders (21/22/24)."""
    from promesa.domain.capacity import cell_day, scan_risk

    report = scan_risk(deps_for(world, ops), start=TODAY, days=7, limit=None)
    cells = {(r.node_id, r.day): r.at_risk_orders for r in report.node_days if r.at_risk_orders}
    assert cells == {("N1", TODAY + D): 1}
    by_cell = {(o.node_id, cell_day(o)) for o in report.at_risk if o.node_id}
    assert sum(cells.values()) == len([o for o in report.at_risk if o.node_id]) == len(by_cell)
    assert report.totals.at_risk_orders == len(report.at_risk)
