"""Remaining slots after a node's cut-off: today's leftovers are tomorrow's first work (by hand)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from promesa.domain.capacity_calendar import CapacityCalendar
from promesa.domain.promising.slots import Slots, _NodeDays, handed_over
from promesa.domain.reference import NodeRef
from promesa.store.enums import NodeType

TZ = ZoneInfo("America/Mexico_City")
MON = date(2026, 11, 16)
D = timedelta(days=1)
NODE = NodeRef(id="DC-1", name="DC 1", type=NodeType.distribution_center, city="Guadalajara", postal_code="44100",
               lat=20.67, lon=-103.35, timezone="America/Mexico_City", ships=True, pickup=False,
               processing_hours=4, cutoff_time=time(15, 0), ship_weekdays="0123456",
               capacity_units=40, capacity_orders=10, active=True)


def slots(at: datetime, due: dict[date, tuple[int, int]]) -> Slots:
    days = _NodeDays(CapacityCalendar(NODE), dict(due), (0, 0), MON, MON + 21 * D,
                     handed_over=handed_over(NODE, MON, at))
    return Slots({NODE.id: days}, MON)


def test_before_the_cut_off_todays_work_still_fits_today():
    # 10 orders a day; 4 open for Monday, 9 for Tuesday at 14:00: Monday has 6 left, Tuesday 1
    at = datetime(2026, 11, 16, 14, 0, tzinfo=TZ)
    s = slots(at, {MON: (4, 4), MON + D: (9, 9)})
    assert s.left(NODE.id, MON).orders == 6 and s.left(NODE.id, MON + D).orders == 1
    assert s.first_day(NODE, MON + D, 1) == MON + D


def test_after_the_cut_off_todays_leftovers_fill_tomorrow_first():
    # at 16:00 the 4 Monday orders still open are the ones the 15:00 hand-over left behind:
    # they ship Tuesday, before Tuesday's 9, so Tuesday is full (4 + 9 > 10) and 3 of Tuesday's
    # own carry on to Wednesday (7 slots left there); a new order goes to Wednesday, not Tuesday
    at = datetime(2026, 11, 16, 16, 0, tzinfo=TZ)
    s = slots(at, {MON: (4, 4), MON + D: (9, 9)})
    assert s.left(NODE.id, MON + D).orders == 0
    assert s.left(NODE.id, MON + 2 * D).orders == 7
    assert s.first_day(NODE, MON + D, 1) == MON + 2 * D


def test_the_hand_over_is_today_only():
    assert handed_over(NODE, MON, datetime(2026, 11, 16, 15, 0, tzinfo=TZ))
    assert not handed_over(NODE, MON, datetime(2026, 11, 16, 14, 59, tzinfo=TZ))
    assert not handed_over(NODE, MON, datetime(2026, 11, 15, 23, 0, tzinfo=TZ))  # yesterday evening
    assert not handed_over(NODE, MON, None)
