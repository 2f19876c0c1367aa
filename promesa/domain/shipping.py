"""Ship planning for the ETA: when a node can hand an order to a carrier, and how it travels.

:class:`ShipPlan` is a node's first ship day for work starting now (its processing time and the
earlier of the node and carrier cut-offs), :class:`Leg` is the carrier service's trip from that
node to the destination, and :class:`NodeShip` is one allocated node of an order still at a node
(its plan, the day its queue lets it leave, and any stock it lacks). Pure values over reference
rows; :mod:`promesa.domain.eta` turns them into an ETA.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from promesa.domain.calendar import ShipCalendar, distance_band, distance_km
from promesa.domain.reference import CarrierRef, NodeRef, ServiceRef
from promesa.store.enums import DistanceBand

#: A cut-off this close to the moment the order is ready puts a same-day promise at risk.
CUTOFF_RISK = timedelta(hours=2)


def fmt(day: date) -> str:
    """'Sat 21 Nov' — short, unambiguous within a season, and locale-independent."""
    return f"{day:%a} {day.day} {day:%b}"


@dataclass(frozen=True)
class Leg:
    """How a parcel travels from a node to the destination with one carrier service."""

    carrier: str
    service: str
    band: DistanceBand
    km: float
    transit_days: int
    delivery_weekdays: str
    reliability: float

    def label(self) -> str:
        """'DHL Express standard', without repeating a carrier name the service already has."""
        if self.service.lower().startswith(self.carrier.lower()):
            return self.service
        return f"{self.carrier} {self.service}"

    def describe(self) -> str:
        plural = "" if self.transit_days == 1 else "s"
        return (f"transit {self.transit_days} working day{plural} "
                f"({self.band.value}, {self.km:.0f} km)")


def make_leg(
    node: NodeRef, service: ServiceRef, carrier: CarrierRef, dest_lat: float, dest_lon: float
) -> Leg:
    """The carrier service's trip from ``node`` to the destination: its distance band and transit."""
    km = distance_km(node.lat, node.lon, dest_lat, dest_lon)
    band = distance_band(km)
    return Leg(
        carrier=carrier.name,
        service=service.name,
        band=band,
        km=km,
        transit_days=service.transit[band],
        delivery_weekdays=carrier.delivery_weekdays,
        reliability=carrier.on_time_reliability,
    )


@dataclass(frozen=True)
class ShipPlan:
    """When a node can hand an order to the carrier if work starts now."""

    node_id: str
    ready: datetime
    cutoff: time
    first_day: date

    def describe(self) -> str:
        ready = f"ready {self.ready:%H:%M} {fmt(self.ready.date())}"
        if self.first_day == self.ready.date():
            return f"{ready} ≤ cut-off {self.cutoff:%H:%M} → ships {fmt(self.first_day)}"
        if self.ready.time() > self.cutoff:
            return f"{ready} > cut-off {self.cutoff:%H:%M} → ships {fmt(self.first_day)}"
        return f"{ready}, not a shipping day → ships {fmt(self.first_day)}"

    @property
    def cutoff_tight(self) -> bool:
        """Ready on the ship day less than two hours before the cut-off."""
        if self.ready.date() != self.first_day:
            return False
        cutoff_at = datetime.combine(self.first_day, self.cutoff, tzinfo=self.ready.tzinfo)
        return cutoff_at - self.ready <= CUTOFF_RISK


def plan_ship(node: NodeRef, service: ServiceRef | None, now: datetime) -> ShipPlan:
    """The node's first ship day for work starting ``now`` (earlier of node/carrier cut-off)."""
    cutoff = node.cutoff_time
    if service is not None and service.cutoff_time is not None:
        cutoff = min(cutoff, service.cutoff_time)
    calendar = ShipCalendar(node.timezone, node.processing_hours, cutoff, node.ship_weekdays)
    ready = now.astimezone(ZoneInfo(node.timezone)) + timedelta(hours=node.processing_hours)
    return ShipPlan(node.id, ready, cutoff, calendar.first_ship_day(now))


@dataclass(frozen=True)
class NodeShip:
    """One allocated node of a not-yet-shipped order: its plan, queue and stock."""

    plan: ShipPlan
    ship_day: date  # after the node's backlog (>= plan.first_day)
    leg: Leg | None  # None for a pickup at the same node
    short_skus: tuple[str, ...] = ()
    ship_by: date | None = None  # the planned last ship day of its lines

    @property
    def planned_day(self) -> date:
        """The day the plan expects: the ship-by day, or the first ship day if later."""
        return max(self.plan.first_day, self.ship_by or self.plan.first_day)

    @property
    def pushed(self) -> bool:
        """The node's queue makes it leave after the planned day (more work than capacity)."""
        return self.ship_day > self.planned_day
