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
