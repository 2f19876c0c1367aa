"""Ship planning without a database: a node's first ship day, the carrier leg, a node's queue."""

from __future__ import annotations

from datetime import date, datetime, time

from promesa.domain.reference import CarrierRef, NodeRef, ServiceRef
from promesa.domain.shipping import NodeShip, make_leg, plan_ship
from promesa.store.enums import DistanceBand, NodeType, ServiceLevel

NOW = datetime.fromisoformat("2026-11-20T10:00:00-06:00")  # a Friday
CDMX = (19.43, -99.13)
TRANSIT = {DistanceBand.local: 1, DistanceBand.regional: 2, DistanceBand.national: 3,
           DistanceBand.remote: 5}


def node(cutoff: time = time(16, 0), weekdays: str = "012345") -> NodeRef:
    return NodeRef(id="DC-X", name="DC X", type=NodeType.distribution_center, city="CDMX",
                   postal_code="01000", lat=CDMX[0], lon=CDMX[1], timezone="America/Mexico_City",
                   ships=True, pickup=False, processing_hours=4, cutoff_time=cutoff,
                   ship_weekdays=weekdays, capacity_units=100, capacity_orders=50, active=True)


def service(name: str = "DHL standard", cutoff: time | None = None) -> ServiceRef:
    return ServiceRef(id="S", carrier_id="DHL", level=ServiceLevel.standard, name=name,
                      transit=TRANSIT, cutoff_time=cutoff)


def test_ready_before_the_node_cutoff_ships_today_but_tight() -> None:
    plan = plan_ship(node(), None, NOW)  # ready 14:00, cut-off 16:00
    assert plan.first_day == date(2026, 11, 20) and plan.cutoff == time(16, 0)
    assert plan.describe() == "ready 14:00 Fri 20 Nov ≤ cut-off 16:00 → ships Fri 20 Nov"
    assert plan.cutoff_tight  # exactly two hours of slack


def test_the_earlier_carrier_cutoff_wins() -> None:
    plan = plan_ship(node(), service(cutoff=time(13, 0)), NOW)
    assert plan.cutoff == time(13, 0) and plan.first_day == date(2026, 11, 21)
    assert plan.describe() == "ready 14:00 Fri 20 Nov > cut-off 13:00 → ships Sat 21 Nov"
    assert not plan.cutoff_tight


def test_a_day_the_node_does_not_ship() -> None:
    plan = plan_ship(node(weekdays="01234"), None, NOW.replace(day=21))  # Saturday
    assert plan.first_day == date(2026, 11, 23)
    assert plan.describe() == "ready 14:00 Sat 21 Nov, not a shipping day → ships Mon 23 Nov"


def test_leg_from_distance_band_and_its_label() -> None:
    carrier = CarrierRef(id="DHL", name="DHL", on_time_reliability=0.95, delivery_weekdays="012345")
    leg = make_leg(node(), service(), carrier, *CDMX)
    assert (leg.band, leg.km, leg.transit_days) == (DistanceBand.local, 0.0, 1)
    assert leg.label() == "DHL standard" and leg.describe() == "transit 1 working day (local, 0 km)"
    other = make_leg(node(), service("Express"), carrier, 25.67, -100.31)  # Monterrey, ~700 km
    assert other.label() == "DHL Express" and other.transit_days == TRANSIT[other.band] > 1


def test_a_queue_that_pushes_past_the_ship_by_day() -> None:
    plan = plan_ship(node(), None, NOW)
    on_time = NodeShip(plan=plan, ship_day=date(2026, 11, 21), leg=None, ship_by=date(2026, 11, 21))
    pushed = NodeShip(plan=plan, ship_day=date(2026, 11, 23), leg=None, ship_by=date(2026, 11, 21))
    assert on_time.planned_day == date(2026, 11, 21) and not on_time.pushed
    assert pushed.pushed
    assert NodeShip(plan=plan, ship_day=date(2026, 11, 21), leg=None).pushed  # planned: first day
