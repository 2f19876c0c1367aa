"""The demo world: deterministic, consistent, and every story as the brief tells it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from promesa.store.db import make_engine, migrate
from promesa.store.models import (
    Customer,
    Identity,
    InventoryPosition,
    NodeCapacity,
    Order,
    OrderLine,
    Shipment,
    TrackingEvent,
)
from promesa.world.bulk import TABLE_ORDER
from promesa.world.demo import build_demo_world, scale_for
from promesa.world.stories import DELAY_REASON, INJECTION_NOTE, OVER_CAPACITY_ORDERS
from tests.world.helpers import STOCK_LOST, consistency_problems, digest

NOW = datetime.fromisoformat("2026-11-20T10:00:00-06:00")
TODAY = date(2026, 11, 20)


def _fresh(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    return engine


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = _fresh(tmp_path_factory.mktemp("demo") / "demo.db")
    build_demo_world(engine, now=NOW, orders=2000, seed=7)
    yield engine
    engine.dispose()


def _assert_consistent(engine: Engine) -> None:
    problems = consistency_problems(engine)
    mismatches = problems.pop("reservations")
    assert [m[:3] for m in mismatches] == [STOCK_LOST]
    assert all(v == 0 for v in problems.values()), problems


def test_same_seed_and_clock_give_identical_data(tmp_path: Path) -> None:
    digests = []
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        engine = _fresh(tmp_path / f"{name}.db")
        build_demo_world(engine, now=NOW, orders=300, seed=seed)
        digests.append(digest(engine))
        engine.dispose()
    assert digests[0] == digests[1] != digests[2]


def test_parallel_generation_gives_the_same_world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from promesa.world import orders, people

    monkeypatch.setattr(orders, "CHUNK", 200)
    monkeypatch.setattr(people, "PEOPLE_CHUNK", 50)
    digests = []
    for workers in (1, 2):
        engine = _fresh(tmp_path / f"w{workers}.db")
        summary = build_demo_world(engine, now=NOW, orders=700, seed=5, workers=workers)
        assert summary.count("orders") == 700 + 70  # 70 story orders
        assert summary.count("customers") == 233 + 69  # 69 story customers
        _assert_consistent(engine)
        digests.append(digest(engine))
        engine.dispose()
    assert digests[0] == digests[1]


def test_demo_world_is_consistent(demo: Engine) -> None:
    _assert_consistent(demo)
    with Session(demo) as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 2000 + 70  # 70 story orders
        statuses = dict(s.execute(select(Order.status, func.count()).group_by(Order.status)).all())
        for status in ("delivered", "in_transit", "allocated", "cancelled", "picked_up",
                       "ready_for_pickup", "exception"):
            assert statuses.get(status, 0) > 0, status
        kinds = dict(s.execute(
            select(Order.fulfillment_type, func.count()).group_by(Order.fulfillment_type)).all())
        assert kinds["ship"] > kinds["pickup"] > kinds["same_day"] > 0
        channels = {c for (c,) in s.execute(select(Order.channel).distinct())}
        assert channels == {"web", "app", "store", "marketplace"}
        # Buen Fin (13–16 Nov 2026) sells more than the week before it
        def per_day(start: date, end: date) -> float:
            lo = datetime.combine(start, datetime.min.time(), NOW.tzinfo)
            hi = datetime.combine(end, datetime.min.time(), NOW.tzinfo)
            n = s.scalar(select(func.count()).where(Order.created_at >= lo, Order.created_at < hi))
            return n / (end - start).days
        assert per_day(date(2026, 11, 13), date(2026, 11, 17)) > 2 * per_day(
            date(2026, 11, 5), date(2026, 11, 9))
        delays = s.scalars(select(TrackingEvent.reason).where(
            TrackingEvent.type == "delay_exception")).all()
        assert len(delays) > 10 and all(delays)
        assert s.scalar(select(func.count()).where(TrackingEvent.type == "failed_attempt")) > 0
        story_skus = [f"SKU-1000{n}" for n in range(8)]
        assert s.scalar(select(func.count()).where(  # generated orders leave story stock alone
            OrderLine.sku.in_(story_skus), func.length(OrderLine.order_id) == 10)) == 0
        # an order ready for pickup has left its node: it is no load to ship (no ship-by)
        ready = select(OrderLine.ship_by).join(Order, Order.id == OrderLine.order_id).where(
            Order.status == "ready_for_pickup")
        assert s.execute(ready).all() and all(by is None for (by,) in s.execute(ready))


def _events(s: Session, order_id: str) -> list[TrackingEvent]:
    return list(s.scalars(select(TrackingEvent).where(TrackingEvent.order_id == order_id)
                          .order_by(TrackingEvent.occurred_at)))


def test_story_facts(demo: Engine) -> None:
    with Session(demo) as s:
        # on-time-in-transit
        po = s.get(Order, "PO-5000")
        assert po.customer_id == "C-1000" and po.status == "in_transit"
        assert po.promised_date == TODAY + timedelta(days=2)
        shipment = s.scalar(select(Shipment).where(Shipment.order_id == "PO-5000"))
        assert shipment.node_id == "DC-CDMX-01" and shipment.service_id.startswith("DHL")
        assert shipment.shipped_at.astimezone(NOW.tzinfo).date() == TODAY - timedelta(days=1)
        # late-carrier-delay
        po = s.get(Order, "PO-5001")
        assert po.customer_id == "C-1001" and po.promised_date == TODAY + timedelta(days=1)
        assert s.get(Customer, "C-1001").locale == "es-MX"
        delay = _events(s, "PO-5001")[-1]
        assert delay.type == "delay_exception" and delay.reason == DELAY_REASON
        assert delay.revised_eta == TODAY + timedelta(days=3)
        assert s.scalar(select(Shipment.service_id).where(Shipment.order_id == "PO-5001")) == \
            "ESTAFETA-STANDARD"
        # stock-lost
        line = s.scalar(select(OrderLine).where(OrderLine.order_id == "PO-5002"))
        assert line.status == "allocated" and line.allocated_node_id == "MTY-STORE-01"
        assert s.get(Order, "PO-5002").promised_date == TODAY + timedelta(days=2)
        assert s.get(InventoryPosition, ("MTY-STORE-01", line.sku)).on_hand == 0
        nearby = s.get(InventoryPosition, ("MTY-STORE-02", line.sku))
        assert nearby.on_hand - nearby.reserved - nearby.safety_stock >= line.quantity
        # two-identities
        ids = {(i.kind, i.value, i.source) for i in s.scalars(
            select(Identity).where(Identity.customer_id == "C-1002"))}
        assert ids == {("email", "maria.lopez@example.com", "web"),
                       ("phone", "+528112345678", "store")}
        older = s.get(Order, "PO-4990")
        assert older.customer_id == "C-1002" and older.channel == "store"
        assert older.status == "delivered"
        # over-capacity-tomorrow
        tomorrow = TODAY + timedelta(days=1)
        override = s.get(NodeCapacity, ("DC-GDL-01", tomorrow))
        assert (override.orders, override.units) == (40, 120)
        due = set(s.scalars(select(OrderLine.order_id).where(
            OrderLine.allocated_node_id == "DC-GDL-01", OrderLine.ship_by == tomorrow,
            OrderLine.status == "allocated")))
        assert set(OVER_CAPACITY_ORDERS) <= due and len(due) > override.orders
        # pickup-ready
        po = s.get(Order, "PO-5003")
        assert (po.status, po.fulfillment_type, po.pickup_node_id) == (
            "ready_for_pickup", "pickup", "CDMX-STORE-01")
        assert po.pickup_hold_until == TODAY + timedelta(days=5)
        ready = _events(s, "PO-5003")[-1]
        assert ready.type == "ready_for_pickup"
        assert ready.occurred_at.astimezone(NOW.tzinfo).date() == TODAY - timedelta(days=1)
        # delivered-return-window
        po = s.get(Order, "PO-5004")
        assert po.status == "delivered" and s.get(Customer, "C-1004").locale == "en-US"
        delivered = s.scalar(select(Shipment.delivered_at).where(Shipment.order_id == "PO-5004"))
        assert delivered.astimezone(NOW.tzinfo).date() == TODAY - timedelta(days=6)
        # similar-names
        assert s.get(Customer, "C-1005").name == "Juan Pérez García"
        assert s.get(Customer, "C-1006").name == "Juan Pérez Garza"
        assert s.get(Order, "PO-5005").customer_id == "C-1005"
        assert s.get(Order, "PO-5006").customer_id == "C-1006"
        # note-injection
        assert s.get(Order, "PO-5007").note == INJECTION_NOTE


def test_scale_defaults() -> None:
    assert scale_for(2000) == (35, 300)
    assert scale_for(1_000_000) == (500, 10_000)
    nodes, skus = scale_for(110_000)
    assert 35 < nodes < 500 and 300 < skus < 10_000


def test_demo_on_every_backend(engine: Engine) -> None:
    summary = build_demo_world(engine, now=NOW, orders=150, seed=1)
    assert summary.count("orders") == 150 + 70  # 70 story orders
    _assert_consistent(engine)
    with Session(engine) as s:
        assert s.get(Order, "PO-5007").note == INJECTION_NOTE
        assert s.scalar(select(func.count()).select_from(Customer)) == 100 + 69  # 69 story customers


@pytest.mark.slow
def test_scaled_world_smoke(tmp_path: Path) -> None:
    engine = _fresh(tmp_path / "big.db")
    summary = build_demo_world(engine, now=NOW, orders=20_000, seed=11)
    assert summary.count("orders") == 20_070
    assert summary.count("order_lines") > 25_000 and summary.count("tracking_events") > 60_000
    _assert_consistent(engine)
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    with engine.connect() as c:
        after = [tuple(r) for r in c.exec_driver_sql(indexes)]
    with _fresh(tmp_path / "empty.db").connect() as c:
        migrated = [tuple(r) for r in c.exec_driver_sql(indexes)]
    assert after == migrated  # dropped for the load, rebuilt identical
    # the fast load skipped foreign-key and CHECK constraints: copy every row into a fresh
    # schema that enforces them all
    checked = _fresh(tmp_path / "checked.db")
    with checked.connect() as c:
        c.exec_driver_sql(f"ATTACH DATABASE '{tmp_path / 'big.db'}' AS loaded")
        c.exec_driver_sql("BEGIN")
        for table in TABLE_ORDER:
            c.exec_driver_sql(f'INSERT INTO main."{table}" SELECT * FROM loaded."{table}"')
        assert c.exec_driver_sql("PRAGMA foreign_key_check").first() is None
        c.exec_driver_sql("ROLLBACK")
    assert "ix_order_lines_node_ship_by" in {name for name, _ in after}
