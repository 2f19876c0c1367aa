"""Remaining capacity of node-days: what a new order can still claim.

A node-day's capacity (its default, a per-date override, or zero when closed) minus the open
work whose ship-by is that day (``node_load``, kept by triggers) minus the backlog carried in
from earlier over-full days (first in, first out, as :mod:`promesa.domain.load` plans it).
After a node's cut-off, the work still open for today is carried to tomorrow whole: today's
hand-over has happened, and what did not leave in it fills tomorrow's slots before any new
order does. One order claims one slot of orders and its units of units. Reads only; placement
locks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from promesa.domain.capacity_calendar import CapacityCalendar
from promesa.domain.load import OVERDUE_LOOKBACK_DAYS, capacity_calendars, load_buckets
from promesa.domain.reference import NodeRef

#: How far ahead a quote looks for a node-day with room; beyond it the node is "full".
HORIZON_DAYS = 21


@dataclass(frozen=True)
class Slot:
    orders: int
    units: int

    def fits(self, units: int) -> bool:
        return self.orders >= 1 and self.units >= units


class _NodeDays:
    """One node's remaining slots, walked forward day by day only as far as a quote asks.

    A quote usually finds room within a day or two, so walking all ``HORIZON_DAYS`` of every
    candidate node for every quote was most of a quote's time; the walk is the same either way
    (the carried backlog only flows forward), it just stops where the questions stop.
    """

    def __init__(self, calendar: CapacityCalendar, due: dict[date, tuple[int, int]], carry: tuple[int, int],
                 today: date, last: date, *, handed_over: bool = False) -> None:
        self._calendar, self._due, self._carry = calendar, due, carry
        self._next, self._last = today, last
        self._days: dict[date, Slot] = {}
        #: today's parcels left at the cut-off: what is still open waits for tomorrow
        self._handed_over = handed_over

    def get(self, day: date) -> Slot | None:
        while self._next <= day and self._next < self._last:
            self._step()
        return self._days.get(day)

    def _step(self) -> None:
        day = self._next
        cap = self._calendar.on(day)
        want_o, want_u = self._due.get(day, (0, 0))
        want_o += self._carry[0]
        want_u += self._carry[1]
        if cap.ships:
            self._days[day] = Slot(max(0, cap.orders - want_o), max(0, cap.units - want_u))
            self._carry = (max(0, want_o - cap.orders), max(0, want_u - cap.units))
        if not cap.ships or self._handed_over:  # nothing (more) leaves today: everything waits
            self._carry = (want_o, want_u)
            self._handed_over = False
        self._next = day + timedelta(days=1)


class Slots:
    """Remaining capacity per node and day over ``[today, today + HORIZON_DAYS)``."""

    def __init__(self, remaining: Mapping[str, Mapping[date, Slot] | _NodeDays] | None, today: date) -> None:
        self._remaining = remaining  # None: naive (infinite capacity)
        self.today = today

    def first_day(self, node: NodeRef, earliest: date, units: int) -> date | None:
        """The first ship day on or after ``earliest`` with room for one order of ``units``.

        Naive slots answer ``earliest`` for any node that ships that weekday.
        """
        if self._remaining is None:
            return earliest
        days = self._remaining.get(node.id, {})
        day = max(earliest, self.today)
        last = self.today + timedelta(days=HORIZON_DAYS)
        while day < last:
            slot = days.get(day)
            if slot is not None and slot.fits(units):
                return day
            day += timedelta(days=1)
        return None

    def left(self, node_id: str, day: date) -> Slot | None:
        if self._remaining is None:
            return None
        return self._remaining.get(node_id, {}).get(day)


def handed_over(node: NodeRef, today: date, now: datetime | None) -> bool:
    """Whether ``node`` has made today's hand-over to the carriers (its cut-off has passed).

    The open work whose ship-by is today (or earlier) is then what today did *not* ship: it is
    tomorrow's first work, not work that still fits today. (Today's own slot is left as it was:
    a same-day pickup does not wait for the carriers.)
    """
    if now is None:
        return False
    local = now.astimezone(ZoneInfo(node.timezone))
    return local.date() == today and local.time() >= node.cutoff_time


def remaining_slots(session: Session, nodes: list[NodeRef], today: date, now: datetime | None = None) -> Slots:
    """Remaining capacity of ``nodes`` from ``today`` as of ``now``: two queries (overrides, load)."""
    last = today + timedelta(days=HORIZON_DAYS)
    calendars = capacity_calendars(session, nodes, today, last)
    buckets = load_buckets(session, [n.id for n in nodes],
                           today - timedelta(days=OVERDUE_LOOKBACK_DAYS), last)
    remaining: dict[str, _NodeDays] = {}
    for node in nodes:
        due: dict[date, tuple[int, int]] = {}
        carry_o = carry_u = 0
        for bucket in buckets.get(node.id, ()):
            if bucket.ship_by < today:  # overdue work is the first thing today ships
                carry_o += bucket.orders
                carry_u += bucket.units
            else:
                due[bucket.ship_by] = (bucket.orders, bucket.units)
        remaining[node.id] = _NodeDays(calendars[node.id], due, (carry_o, carry_u), today, last,
                                       handed_over=handed_over(node, today, now))
    return Slots(remaining, today)


def naive_slots(today: date) -> Slots:
    """Slots that never run out: promising from carrier transit alone."""
    return Slots(None, today)
