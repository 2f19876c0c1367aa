"""The replay's daily hand-over uses the domain's queue step: checked by hand."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from promesa.domain.queue import Capacity
from promesa.simulation.runner import _leaving

MON = date(2026, 11, 23)
D = timedelta(days=1)


def line(ship_by: date, quantity: int) -> SimpleNamespace:
    return SimpleNamespace(ship_by=ship_by, quantity=quantity)


def test_oldest_ship_by_first_within_orders_and_units():
    # FIFO input: PO-1 (overdue, 2 lines, 3 units), PO-2 and PO-3 due today (4 units each)
    orders = {"PO-1": [line(MON - D, 1), line(MON, 2)], "PO-2": [line(MON, 4)], "PO-3": [line(MON, 4)]}
    # 3 order slots but 8 units: PO-1 (3 units) leaves, today's bucket (2 orders, 8 units) has
    # 5 units left = 5 * 2 // 8 = 1 order: PO-2, the older of the two
    assert _leaving(orders, MON, Capacity(3, 8, True, "default")) == ["PO-1", "PO-2"]
    # enough of both: everything leaves, in order
    assert _leaving(orders, MON, Capacity(10, 100, True, "default")) == ["PO-1", "PO-2", "PO-3"]
    # a closed day ships nothing
    assert _leaving(orders, MON, Capacity(0, 0, False, "closed")) == []


def test_an_order_whose_lines_leave_together_is_shipped(tmp_path):
    # the cut-off hands both lines of a two-line order over at one instant: the replay's
    # events carry the source's sequence, so the second line's status event is newer than
    # the first's and the order becomes "shipped" (it stayed "picking", invisible to the
    # carrier-delay trigger, when the two events looked equally old)
    from sqlalchemy import func, select

    from promesa.settings import Settings
    from promesa.simulation.runner import Replay
    from promesa.simulation.scenario import build
    from promesa.store.db import make_engine, session_factory
    from promesa.store.enums import LineStatus, OrderStatus
    from promesa.store.models import Order, OrderLine

    scenario = build("buen-fin", orders=40, days=2, seed=3)
    Replay(scenario, "naive", tmp_path, Settings(_env_file=None, promise_cache_seconds=0)).run()
    with session_factory(make_engine(f"sqlite:///{tmp_path / 'naive.db'}"))() as session:
        shipped_lines = func.count().filter(OrderLine.status == LineStatus.shipped)
        rows = session.execute(
            select(Order.id, Order.status, func.count(), shipped_lines)
            .join(OrderLine, OrderLine.order_id == Order.id).group_by(Order.id, Order.status)).all()
    two_line = [r for r in rows if r[2] == 2 and r[3] == 2]
    assert two_line, "the scenario has two-line orders that shipped"
    assert {r[1] for r in rows if r[2] == r[3]} == {OrderStatus.shipped}
