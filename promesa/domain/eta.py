"""The ETA of an order and whether its promise holds: a pure function over loaded facts.

``promesa.domain.orders`` queries the database and builds :class:`EtaFacts`; everything here
is plain arithmetic on dates (no session, no clock of its own), so each rule can be tested
with hand-computed answers. ``Eta.basis`` lists the steps so a person can check the date.

This module holds the facts, the result and the rules by order status (delivered, pickup, with
the carrier, still at a node). The ship-planning values they read (:class:`Leg`,
:class:`ShipPlan`, :class:`NodeShip`, :func:`make_leg`, :func:`plan_ship`) live in
:mod:`promesa.domain.shipping` and are re-exported here, where callers import them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from promesa.domain import policy
from promesa.domain.calendar import delivery_date, next_working_day
from promesa.domain.order_states import PRE_SHIP
from promesa.domain.records import LateReason, TrackingStep
from promesa.domain.shipping import CUTOFF_RISK, Leg, NodeShip, ShipPlan, fmt, make_leg, plan_ship
from promesa.store.enums import FulfillmentType, OrderStatus, TrackingEventType

#: Carriers below this on-time rate put a same-day-as-promise ETA at risk.
RELIABILITY_RISK = 0.9
#: Categories whose return window is the shorter electronics window.
ELECTRONICS = frozenset({"electronics", "computers", "phones", "software"})

IN_CARRIER = frozenset(
    {OrderStatus.shipped, OrderStatus.in_transit, OrderStatus.out_for_delivery}
)
PICKUP_DONE = frozenset({OrderStatus.ready_for_pickup, OrderStatus.picked_up})


@dataclass(frozen=True)
class EtaFacts:
    """What the database knows about one order, loaded by ``promesa.domain.orders``."""

    status: OrderStatus
    fulfillment_type: FulfillmentType
    promised: date
    today: date
    tz: str
    events: tuple[TrackingStep, ...] = ()
    leg: Leg | None = None  # the shipment's (or planned) leg once with a carrier
    shipped_day: date | None = None
    delivered_day: date | None = None
    nodes: tuple[NodeShip, ...] = ()
    backordered_skus: tuple[str, ...] = ()
    pickup_hold_until: date | None = None
    categories: frozenset[str] = frozenset()


@dataclass
class Eta:
    """The estimate: the date, whether the promise is broken or at risk, why, and the steps."""

    eta: date | None
    late: bool = False
    at_risk: bool = False
    reason: LateReason | None = None
    reason_detail: str | None = None
    basis: list[str] = field(default_factory=list)
    pickup_hold_until: date | None = None
    return_window_ends: date | None = None


def _local_day(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def _last(events: tuple[TrackingStep, ...], *types: TrackingEventType) -> TrackingStep | None:
    found = [e for e in events if e.type in types]
    return max(found, key=lambda e: e.occurred_at) if found else None


def return_window_days(categories: frozenset[str]) -> int:
    """Days to return an order holding ``categories`` (electronics have the shorter window)."""
    if categories & ELECTRONICS:
        return policy.RETURN_WINDOW_ELECTRONICS_DAYS
    return policy.RETURN_WINDOW_DAYS


def estimate(facts: EtaFacts) -> Eta:
    """The ETA, lateness, risk and reasons of an order (see module docstring)."""
    if facts.status is OrderStatus.delivered:
        return _delivered(facts)
    if facts.status in PICKUP_DONE:
        return _pickup(facts)
    if facts.status in IN_CARRIER:
        return _in_carrier(facts)
    if facts.status in PRE_SHIP:
        return _pre_ship(facts)
    return Eta(eta=None, reason_detail=f"The order is {facts.status.value}; it has no ETA.")


def _judge(result: Eta, promised: date) -> Eta:
    if result.eta is not None and result.eta > promised:
        result.late = True
    return result


def _delivered(facts: EtaFacts) -> Eta:
    event = _last(facts.events, TrackingEventType.delivered)
    day = facts.delivered_day or (_local_day(event.occurred_at, facts.tz) if event else None)
    if day is None:
        return Eta(eta=None, reason_detail="Marked delivered, but no delivery date is recorded.")
    window = return_window_days(facts.categories)
    ends = day + timedelta(days=window)
    result = Eta(
        eta=day,
        basis=[f"delivered {fmt(day)}", f"return window {window} days → {fmt(ends)}"],
        return_window_ends=ends,
    )
    _judge(result, facts.promised)
    if result.late:
        result.reason_detail = f"Delivered {fmt(day)}, after the promised {fmt(facts.promised)}."
    return result


def _pickup(facts: EtaFacts) -> Eta:
    ready_event = _last(facts.events, TrackingEventType.ready_for_pickup)
    ready = _local_day(ready_event.occurred_at, facts.tz) if ready_event else None
    hold = facts.pickup_hold_until or (
        ready + timedelta(days=policy.PICKUP_HOLD_DAYS) if ready else None
    )
    result = Eta(eta=ready, pickup_hold_until=hold)
    if ready:
        result.basis.append(f"ready for pickup {fmt(ready)}")
    if hold:
        result.basis.append(f"held until {fmt(hold)}")
    if facts.status is OrderStatus.picked_up:
        picked = _last(facts.events, TrackingEventType.picked_up_by_customer)
        if picked is not None:
            day = _local_day(picked.occurred_at, facts.tz)
            window = return_window_days(facts.categories)
            result.return_window_ends = day + timedelta(days=window)
            result.basis.append(f"picked up {fmt(day)}; return window {window} days")
    elif hold is not None and facts.today > hold:
        result.reason = "pickup_expired"
        result.reason_detail = f"The pickup hold ended {fmt(hold)}; the order was not collected."
    _judge(result, facts.promised)
    if result.late and result.reason is None and ready is not None:
        result.reason_detail = f"Ready {fmt(ready)}, after the promised {fmt(facts.promised)}."
    return result


def _in_carrier(facts: EtaFacts) -> Eta:
    result = Eta(eta=None)
    leg = facts.leg
    weekdays = leg.delivery_weekdays if leg else "012345"
    if facts.shipped_day is not None and leg is not None:
        planned = delivery_date(facts.shipped_day, leg.transit_days, weekdays)
        result.eta = planned
        result.basis += [f"shipped {fmt(facts.shipped_day)} with {leg.label()}",
                         f"{leg.describe()} → {fmt(planned)}"]
        if planned > facts.promised:
            result.reason = "cutoff_missed"
            result.reason_detail = (
                f"It left the node {fmt(facts.shipped_day)}, too late for {leg.transit_days} "
                f"transit days to reach the promised {fmt(facts.promised)}."
            )
    # carrier events in order; each later event overrides what the earlier ones said
    relevant = (TrackingEventType.delay_exception, TrackingEventType.out_for_delivery,
                TrackingEventType.failed_attempt)
    carrier_events = sorted((e for e in facts.events if e.type in relevant),
                            key=lambda e: e.occurred_at)
    for event in carrier_events:
        day = _local_day(event.occurred_at, facts.tz)
        if event.type is TrackingEventType.delay_exception and event.revised_eta is not None:
            result.eta = event.revised_eta
            result.reason = "carrier_delay"
            why = f" ({event.reason})" if event.reason else ""
            result.reason_detail = (
                f"{leg.carrier if leg else 'The carrier'} reported a delay on {fmt(day)}{why} "
                f"and revised delivery to {fmt(event.revised_eta)}."
            )
            result.basis.append(
                f"delay exception {fmt(day)}{why} → revised {fmt(event.revised_eta)}"
            )
        elif event.type is TrackingEventType.out_for_delivery:
            result.eta = day
            result.basis.append(f"out for delivery {fmt(day)}")
        elif event.type is TrackingEventType.failed_attempt:
            retry = next_working_day(day, weekdays, include_today=False)
            result.eta = retry
            result.reason = "failed_attempt"
            why = f" ({event.reason})" if event.reason else ""
            result.reason_detail = (
                f"Delivery was attempted {fmt(day)} and failed{why}; the next delivery day is "
                f"{fmt(retry)}."
            )
            result.basis.append(f"failed attempt {fmt(day)}{why} → next delivery day {fmt(retry)}")
    last = _last(facts.events, *relevant)
    if facts.status is OrderStatus.out_for_delivery and (
        last is None or last.type is not TrackingEventType.failed_attempt
    ):
        result.eta = facts.today
    if result.eta is not None and result.eta < facts.today:
        overdue = next_working_day(facts.today, weekdays)
        result.basis.append(f"expected {fmt(result.eta)} but not delivered → {fmt(overdue)}")
        if result.reason is None:
            result.reason = "carrier_delay"
            result.reason_detail = f"Expected {fmt(result.eta)} but still with the carrier."
        result.eta = overdue
    _judge(result, facts.promised)
    unreliable = leg is not None and leg.reliability < RELIABILITY_RISK
    if not result.late and result.eta == facts.promised and leg and unreliable:
        result.at_risk = True
        result.reason_detail = result.reason_detail or (
            f"Arrives on the promised day with {leg.carrier}, on time only "
            f"{leg.reliability:.0%} of the time."
        )
    if not result.late and result.reason is not None:
        if result.eta == facts.promised and result.reason != "cutoff_missed":
            result.at_risk = True  # a delay or failed attempt that leaves no slack
        else:
            result.reason = None  # the detail still explains the ETA; the promise holds
    return result


def _pre_ship(facts: EtaFacts) -> Eta:
    if facts.backordered_skus and not facts.nodes:
        skus = ", ".join(facts.backordered_skus)
        return Eta(eta=None, at_risk=True, reason="out_of_stock",
                   reason_detail=f"No node has stock allocated for {skus}.")
    if not facts.nodes:
        return Eta(eta=None, reason_detail="The order is not yet allocated to a node.")
    result = Eta(eta=None)
    risks: list[str] = []
    short: list[str] = list(facts.backordered_skus)
    pushed: list[NodeShip] = []
    decisive: NodeShip = facts.nodes[0]  # the node whose parcel arrives last
    for ns in facts.nodes:
        result.basis.append(f"{ns.plan.node_id}: {ns.plan.describe()}")
        if ns.pushed:
            pushed.append(ns)
            result.basis.append(
                f"{ns.plan.node_id} queue over capacity → ships {fmt(ns.ship_day)} "
                f"(planned {fmt(ns.planned_day)})"
            )
        elif ns.ship_day > ns.plan.first_day:
            result.basis.append(f"{ns.plan.node_id} queue → ships {fmt(ns.ship_day)}")
        if ns.leg is not None:
            arrive = delivery_date(ns.ship_day, ns.leg.transit_days, ns.leg.delivery_weekdays)
            result.basis.append(f"{ns.leg.describe()} → {fmt(arrive)}")
            if ns.leg.reliability < RELIABILITY_RISK:
                risks.append(
                    f"{ns.leg.carrier} is on time only {ns.leg.reliability:.0%} of the time"
                )
        else:
            # collected where it is packed: ready when processing ends (no carrier cut-off)
            arrive = ns.plan.ready.date() if ns.ship_day == ns.plan.first_day else ns.ship_day
            result.basis.append(f"collected at {ns.plan.node_id} → ready {fmt(arrive)}")
        if ns.plan.cutoff_tight and ns.ship_day == ns.plan.first_day:
            risks.append(
                f"{ns.plan.node_id} is ready at {ns.plan.ready:%H:%M}, within 2 h of its "
                f"{ns.plan.cutoff:%H:%M} cut-off"
            )
        short += [f"{sku} at {ns.plan.node_id}" for sku in ns.short_skus]
        if result.eta is None or arrive > result.eta:
            result.eta, decisive = arrive, ns
    _judge(result, facts.promised)
    on_edge = result.eta == facts.promised
    if short:
        result.reason = "out_of_stock"
        result.at_risk = not result.late
        result.reason_detail = (
            f"The allocated stock is gone ({', '.join(short)}): the order cannot ship as planned."
        )
    elif pushed and (result.late or on_edge):
        ns = pushed[0]
        result.reason = "over_capacity"
        result.at_risk = not result.late
        result.reason_detail = (
            f"{ns.plan.node_id} has more work than capacity: it ships {fmt(ns.ship_day)} "
            f"instead of {fmt(ns.planned_day)}."
        )
    elif result.late:
        assert result.eta is not None  # late means an ETA after the promise (_judge)
        result.reason = "cutoff_missed"
        result.reason_detail = (
            f"{decisive.plan.node_id}: {decisive.plan.describe()}; delivery "
            f"{fmt(result.eta)} is after the promised {fmt(facts.promised)}."
        )
    elif on_edge and risks:
        result.at_risk = True
        result.reason_detail = "Arrives on the promised day, but " + "; ".join(risks) + "."
    return result


__all__ = [
    "CUTOFF_RISK", "ELECTRONICS", "IN_CARRIER", "PICKUP_DONE", "PRE_SHIP", "RELIABILITY_RISK",
    "Eta", "EtaFacts", "Leg", "NodeShip", "ShipPlan",
    "estimate", "fmt", "make_leg", "plan_ship", "return_window_days",
]
