"""Generated shipments: a parcel's trip from the node's hand-off to delivery, as of ``now``.

:func:`track` writes the shipment row and the tracking events of one generated order that has
left its node (label, pick-up, in transit, a delay or an exception, a failed attempt, out for
delivery, delivered), keeping only what has happened by the timeline's ``now``, and returns the
order and line status those events imply. :class:`promesa.world.orders.OrderGenerator` decides
the order, its node, service, ship day and outcome, and calls it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from promesa.store.enums import FulfillmentType
from promesa.world.bulk import Row
from promesa.world.schema import NodeIn, ServiceIn
from promesa.world.timeline import DAY, Timeline

DELAYS = ("weather: heavy rain on the route", "volume: Buen Fin backlog at the hub",
          "mechanical: vehicle breakdown", "road: highway blockade", "hub: sorting delay")
EXCEPTIONS = ("parcel damaged in transit", "address not found", "parcel lost at hub")
PREFIX = {"ESTAFETA": "EST", "DHL": "DHL", "FEDEX": "FDX", "PAQUETEXPRESS": "PAQ", "99MIN": "99M"}


@dataclass
class CarrierService:
    """A carrier service as the generator uses it: weekdays as a set for day arithmetic."""

    spec: ServiceIn
    id: str
    carrier: str
    weekdays: frozenset[int]
    delivery_weekdays: str


@dataclass(slots=True)
class Parcel:
    """One generated order handed to a carrier: what the timeline of its trip depends on."""

    number: int  # the order's number (PO-<number>): shipment id and tracking number use it
    order_id: str
    customer_id: str
    node: NodeIn
    service: CarrierService
    kind: FulfillmentType
    ship_day: int
    ship_moment: int  # local seconds of the hand-off (an hour before the node's cut-off)
    transit: int
    promised: int
    outcome: str  # ok | late | exception | failed


def track(parcel: Parcel, rand: Callable[[], float], tl: Timeline, events: list[Row],
          rows: dict[str, list[Row]]) -> tuple[str, str, str]:
    """Append the parcel's events (to ``events``) and shipment row (to ``rows``).

    Args:
        parcel: The order handed to the carrier.
        rand: The order chunk's random stream (draws happen in a fixed order: determinism).
        tl: The generation window; events after ``tl.now`` are not written.
        events: The order's tracking-event rows.
        rows: The chunk's rows by table (``shipments``, ``interactions``).

    Returns:
        The order status, the line status and the shipment id.
    """
    p, now = parcel, tl.now
    number, oid, cid, node, service = p.number, p.order_id, p.customer_id, p.node, p.service
    ship_day, ship_moment, transit = p.ship_day, p.ship_moment, p.transit
    sid = f"S-{number}"
    where = node.city
    planned = tl.delivery_day(ship_day, transit, service.weekdays)
    delay = 0
    if p.outcome in ("late", "exception"):
        delay = 1 + int(rand() * 3)
    elif p.outcome == "failed":
        delay = 1
    actual = tl.next_working(planned, service.weekdays) if delay == 0 else planned
    for _ in range(delay):
        actual = tl.next_working(actual, service.weekdays, include=False)
    actual = max(actual, planned)
    status = "shipped"

    def add(kind_: str, moment: int, location: str | None, reason: str | None = None,
            eta: int | None = None) -> bool:
        nonlocal status
        if moment > now:
            return False
        events.append((oid, sid, kind_, tl.stamp(moment), location, reason,
                       tl.iso_date(eta) if eta is not None else None))
        return True

    add("label_created", ship_moment - 4 * 3600, where)
    add("picked_up", ship_moment, where)
    status = "shipped"
    if p.kind is not FulfillmentType.same_day and transit > 0:
        if add("in_transit", (ship_day + 1) * DAY + 6 * 3600, "En ruta"):
            status = "in_transit"
    if p.outcome in ("late", "exception"):
        reason = (EXCEPTIONS[int(rand() * len(EXCEPTIONS))] if p.outcome == "exception"
                  else DELAYS[int(rand() * len(DELAYS))])
        at = max(ship_moment + 3600, planned * DAY + 7 * 3600 - DAY // 2)
        if add("delay_exception", at, "En ruta", reason,
               None if p.outcome == "exception" else actual):
            status = "exception" if p.outcome == "exception" else "in_transit"
            if rand() < 0.4:
                rows["interactions"].append((
                    cid, "chat", tl.stamp(min(now, at + 5 * 3600)),
                    f"Asked about the delay of {oid} ({reason}).", oid))
        if p.outcome == "exception":
            rows["shipments"].append((sid, oid, node.id, service.id,
                                      f"{PREFIX[service.carrier]}{number:010d}",
                                      tl.stamp(ship_moment), None))
            return status, "shipped", sid
    if p.outcome == "failed":
        add("out_for_delivery", planned * DAY + 8 * 3600, where)
        if add("failed_attempt", planned * DAY + 14 * 3600, where,
               "recipient not at home"):
            status = "in_transit"
    delivered_at = actual * DAY + 12 * 3600 + int(rand() * 7 * 3600)
    if add("out_for_delivery", actual * DAY + 8 * 3600, None):
        status = "out_for_delivery"
    line_status = "shipped"
    delivered = None
    if add("delivered", delivered_at, None):
        status, line_status, delivered = "delivered", "delivered", tl.stamp(delivered_at)
    rows["shipments"].append((sid, oid, node.id, service.id,
                              f"{PREFIX[service.carrier]}{number:010d}",
                              tl.stamp(ship_moment), delivered))
    return status, line_status, sid
