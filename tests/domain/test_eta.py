"""The pure ETA rules without a database: facts in, dates and reasons out."""

from __future__ import annotations

from datetime import date, datetime, time

from promesa.domain.eta import EtaFacts, Leg, NodeShip, ShipPlan, estimate, fmt
from promesa.domain.records import TrackingStep
from promesa.store.enums import DistanceBand, FulfillmentType, OrderStatus
from promesa.store.enums import TrackingEventType as T

TZ = "America/Mexico_City"
FRI = date(2026, 11, 20)


def leg(reliability: float = 0.97, transit: int = 2, weekdays: str = "012345") -> Leg:
    return Leg("DHL", "DHL standard", DistanceBand.regional, 300.0, transit, weekdays, reliability)


def facts(**kw) -> EtaFacts:
    base = dict(status=OrderStatus.in_transit, fulfillment_type=FulfillmentType.ship,
                promised=date(2026, 11, 24), today=FRI, tz=TZ)
    base.update(kw)
    return EtaFacts(**base)


def test_fmt():
    assert fmt(date(2026, 11, 21)) == "Sat 21 Nov"


def test_unreliable_carrier_on_promised_day_is_at_risk():
    # shipped Fri 20, 2 DHL days → Sat 21, Mon 23 = promise; carrier on time 85 %
    result = estimate(facts(leg=leg(0.85), shipped_day=FRI, promised=date(2026, 11, 23)))
    assert result.eta == date(2026, 11, 23) and result.at_risk and not result.late
    assert "85%" in result.reason_detail


def test_overdue_parcel_moves_to_today():
    # shipped Mon 16 + 2 days → Wed 18, still in transit on Fri 20 → ETA today, late vs Thu 19
    result = estimate(facts(leg=leg(), shipped_day=date(2026, 11, 16), promised=date(2026, 11, 19)))
    assert result.eta == FRI and result.late and result.reason == "carrier_delay"
    assert "Wed 18 Nov" in result.reason_detail


def test_delay_that_still_meets_the_promise_is_not_late():
    event = TrackingStep(type=T.delay_exception, occurred_at=datetime(2026, 11, 20, 14, 0),
                         reason="sorting backlog", revised_eta=date(2026, 11, 23))
    result = estimate(facts(leg=leg(), shipped_day=FRI, events=(event,)))
    assert result.eta == date(2026, 11, 23) and not result.late and not result.at_risk
    assert result.reason is None and "sorting backlog" in result.reason_detail


def test_pickup_hold_expired():
    ready = TrackingStep(type=T.ready_for_pickup, occurred_at=datetime.fromisoformat(
        "2026-11-12T12:00-06:00"))
    result = estimate(facts(status=OrderStatus.ready_for_pickup, events=(ready,),
                            fulfillment_type=FulfillmentType.pickup, promised=date(2026, 11, 13)))
    assert result.eta == date(2026, 11, 12) and result.pickup_hold_until == date(2026, 11, 17)
    assert result.reason == "pickup_expired" and not result.late


def test_split_order_takes_the_later_node():
    tz_now = datetime.fromisoformat("2026-11-20T10:00-06:00")
    early = NodeShip(ShipPlan("A", tz_now.replace(hour=11), time(14), FRI), FRI, leg(transit=1))
    later = NodeShip(ShipPlan("B", tz_now.replace(hour=16), time(14), date(2026, 11, 21)),
                     date(2026, 11, 21), leg(transit=1))
    result = estimate(facts(status=OrderStatus.allocated, nodes=(early, later),
                            promised=date(2026, 11, 21)))
    # A: Fri → Sat 21; B: Sat → Mon 23 → the order arrives Mon 23, late (B missed its cut-off)
    assert result.eta == date(2026, 11, 23) and result.late and result.reason == "cutoff_missed"
    assert "B" in result.reason_detail


def test_cancelled_has_no_eta():
    assert estimate(facts(status=OrderStatus.cancelled)).eta is None
