"""Time arithmetic of promises: distance bands, ship days, cut-offs and carrier transit.

Pure functions with no database and no clock of their own (DESIGN rule 5): callers pass ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from math import asin, cos, radians, sin, sqrt
from zoneinfo import ZoneInfo

from promesa.store.enums import DistanceBand

EARTH_RADIUS_KM = 6371.0088

#: Upper limits (km, exclusive) of the distance bands; beyond the last one is ``remote``.
DEFAULT_BAND_LIMITS_KM: dict[DistanceBand, float] = {
    DistanceBand.local: 60.0,
    DistanceBand.regional: 450.0,
    DistanceBand.national: 1400.0,
}


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine)."""
    p1, p2 = radians(lat1), radians(lat2)
    dp, dl = p2 - p1, radians(lon2 - lon1)
    a = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(a)))


def distance_band(
    km: float, limits: dict[DistanceBand, float] | None = None
) -> DistanceBand:
    """The band a distance falls in: local < regional < national < remote."""
    limits = limits or DEFAULT_BAND_LIMITS_KM
    for band in (DistanceBand.local, DistanceBand.regional, DistanceBand.national):
        if km < limits[band]:
            return band
    return DistanceBand.remote


def is_working_day(day: date, weekdays: str) -> bool:
    """``weekdays`` holds the digits of the working weekdays, Monday=0 … Sunday=6."""
    return str(day.weekday()) in weekdays


def next_working_day(day: date, weekdays: str, *, include_today: bool = True) -> date:
    """The first working day from ``day`` (itself included unless ``include_today`` is False)."""
    if not weekdays:
        raise ValueError("a calendar needs at least one working weekday")
    current = day if include_today else day + timedelta(days=1)
    while not is_working_day(current, weekdays):
        current += timedelta(days=1)
    return current


def add_working_days(day: date, days: int, weekdays: str) -> date:
    """The date ``days`` working days after ``day`` (0 days: ``day`` itself if working)."""
    current = next_working_day(day, weekdays)
    for _ in range(days):
        current = next_working_day(current, weekdays, include_today=False)
    return current


def subtract_working_days(day: date, days: int, weekdays: str) -> date:
    """The latest working date from which ``days`` working days reach ``day`` or earlier."""
    current = day
    while not is_working_day(current, weekdays):
        current -= timedelta(days=1)
    for _ in range(days):
        current -= timedelta(days=1)
        while not is_working_day(current, weekdays):
            current -= timedelta(days=1)
    return current


@dataclass(frozen=True)
class ShipCalendar:
    """What a node needs to know to say when an order can leave it."""

    timezone: str
    processing_hours: int
    cutoff: time
    ship_weekdays: str

    def first_ship_day(self, now: datetime) -> date:
        """The first day a newly released order can leave the node.

        Work starts ``now``; the order is ready ``processing_hours`` later; if that is after the
        carrier cut-off (local time) or on a non-shipping day, it leaves on the next shipping day.
        """
        local = now.astimezone(ZoneInfo(self.timezone))
        ready = local + timedelta(hours=self.processing_hours)
        day = ready.date()
        if not is_working_day(day, self.ship_weekdays) or ready.time() > self.cutoff:
            return next_working_day(day, self.ship_weekdays, include_today=False)
        return day


def delivery_date(ship_day: date, transit_days: int, delivery_weekdays: str) -> date:
    """The day a parcel handed to the carrier on ``ship_day`` arrives.

    Transit days count the carrier's delivery weekdays after the ship day; a 0-day transit
    (same day) arrives on the ship day.
    """
    if transit_days <= 0:
        return ship_day
    current = ship_day
    for _ in range(transit_days):
        current = next_working_day(current, delivery_weekdays, include_today=False)
    return current


def latest_ship_day(
    promised: date, transit_days: int, delivery_weekdays: str, ship_weekdays: str
) -> date:
    """The last shipping day from which ``transit_days`` still reach ``promised``."""
    day = promised if transit_days <= 0 else subtract_working_days(
        promised, transit_days, delivery_weekdays
    )
    # walk back until the node ships that day and transit still lands in time
    while not is_working_day(day, ship_weekdays) or delivery_date(
        day, transit_days, delivery_weekdays
    ) > promised:
        day -= timedelta(days=1)
    return day
