"""Day-index calendar arithmetic for the generator: fast, integer versions of the calendar rules.

Days are integers counted from the window's first local day (Mexico City, no DST since 2022);
moments are local seconds since that day's midnight. Results match ``promesa.domain.calendar``.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MX = ZoneInfo("America/Mexico_City")
DAY = 86_400


class Timeline:
    """The order window: ``days`` days up to today (inclusive) around clock ``now``."""

    def __init__(self, now: datetime, days: int = 90) -> None:
        local = now.astimezone(MX)
        self.today_date = local.date()
        self.first_date = self.today_date - timedelta(days=days)
        self.today = days
        self.now = days * DAY + local.hour * 3600 + local.minute * 60 + local.second
        midnight = datetime.combine(self.first_date, time(0), MX)
        self._base_utc = midnight.astimezone(UTC).replace(tzinfo=None)
        # storage text of moments, by whole UTC day and second of day (fast to join)
        offset = int((self._base_utc - midnight.replace(tzinfo=None)).total_seconds())
        self._offset = offset
        self._utc_days = [
            (self.first_date + timedelta(days=i - 1)).isoformat() + " " for i in range(days + 40)
        ]
        self._clock = _clock_texts()
        self._first_weekday = self.first_date.weekday()
        self._dates: dict[int, date] = {}

    def weekday(self, day: int) -> int:
        return (self._first_weekday + day) % 7

    def date(self, day: int) -> date:
        found = self._dates.get(day)
        if found is None:
            found = self._dates[day] = self.first_date + timedelta(days=day)
        return found

    def iso_date(self, day: int) -> str:
        return self.date(day).isoformat()

    def stamp(self, moment: int) -> str:
        """Storage text (UTC) of a local moment, e.g. '2026-11-20 16:00:00.000000'."""
        utc = moment + self._offset
        day, second = divmod(utc, DAY)
        if -1 <= day < len(self._utc_days) - 1:
            return self._utc_days[day + 1] + self._clock[second]
        return (self._base_utc + timedelta(seconds=moment)).isoformat(" ", "microseconds")

    def next_working(self, day: int, weekdays: frozenset[int], include: bool = True) -> int:
        if not include:
            day += 1
        while self.weekday(day) not in weekdays:
            day += 1
        return day

    def first_ship_day(self, created: int, processing_s: int, cutoff_s: int,
                       weekdays: frozenset[int]) -> int:
        ready = created + processing_s
        day = ready // DAY
        if self.weekday(day) not in weekdays or ready % DAY > cutoff_s:
            return self.next_working(day, weekdays, include=False)
        return day

    def delivery_day(self, ship_day: int, transit: int, weekdays: frozenset[int]) -> int:
        day = ship_day
        for _ in range(transit):
            day = self.next_working(day, weekdays, include=False)
        return day


def _clock_texts() -> list[str]:
    return [f"{h:02d}:{m:02d}:{sec:02d}.000000" for h in range(24) for m in range(60)
            for sec in range(60)]


def buen_fin(year: int) -> tuple[date, date]:
    """Friday to Monday of El Buen Fin: the weekend before Revolution Day (3rd Monday of Nov)."""
    first = date(year, 11, 1)
    third_monday = first + timedelta(days=(7 - first.weekday()) % 7 + 14)
    return third_monday - timedelta(days=3), third_monday


def day_weights(timeline: Timeline) -> list[float]:
    """Relative orders per day of the window: weekends, paydays and the Buen Fin peak."""
    weights: list[float] = []
    for day in range(timeline.today + 1):
        current = timeline.date(day)
        w = 1.0 + day / 180  # the season builds towards the end of the year
        if current.weekday() >= 5:
            w *= 1.25
        last = (current.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        if current.day in (15, 16, 1) or current == last:
            w *= 1.35
        start, end = buen_fin(current.year)
        if start <= current <= end:
            w *= 3.2
        if day == timeline.today:
            w *= (timeline.now - timeline.today * DAY) / DAY
        weights.append(w)
    return weights


#: relative orders per hour of day (quiet nights, lunch and evening peaks)
HOURS = (0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.2, 1.4, 1.5, 1.7, 1.8, 1.6, 1.4, 1.3,
         1.4, 1.6, 1.9, 2.1, 2.0, 1.5, 0.8)
HOUR_CUM = [sum(HOURS[: h + 1]) / sum(HOURS) for h in range(24)]


def cumulative(weights: list[float]) -> list[float]:
    """Running shares of ``weights`` (the last is 1.0 up to rounding), for :func:`pick`."""
    total, acc, out = sum(weights), 0.0, []
    for w in weights:
        acc += w / total
        out.append(acc)
    return out


def pick(cumulative: list[float], r: float) -> int:
    """The index whose cumulative share first exceeds ``r`` (a draw in ``[0, 1)``)."""
    return min(bisect_right(cumulative, r), len(cumulative) - 1)
