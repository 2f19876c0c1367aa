"""``ship_by``: the last day an allocated node can ship a line and still keep the promise.

Shipping-day arithmetic of the domain, shared by order intake, address changes, replacements
and the reroute engine (which recomputes ``ship_by`` when it moves a line to another node), and
by the world loader and the demo generator above it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from promesa.domain.calendar import (
    distance_band,
    distance_km,
    is_working_day,
    latest_ship_day,
)
from promesa.store.enums import DistanceBand, FulfillmentType

#: Transit days assumed when an order names no carrier service (a standard ground service).
DEFAULT_TRANSIT: dict[DistanceBand, int] = {
    DistanceBand.local: 1,
    DistanceBand.regional: 2,
    DistanceBand.national: 3,
    DistanceBand.remote: 5,
}
#: Delivery weekdays assumed with no carrier: Monday to Saturday.
DEFAULT_DELIVERY_WEEKDAYS = "012345"


class NodeLike(Protocol):
    """What ``compute_ship_by`` reads of a node (an ORM row or a reference record).

    Read-only members, so frozen records match as well as ORM rows.
    """

    @property
    def id(self) -> str: ...
    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def ship_weekdays(self) -> str: ...


class ServiceLike(Protocol):
    """What ``compute_ship_by`` reads of a carrier service: transit days per distance band."""

    @property
    def transit_local(self) -> int: ...
    @property
    def transit_regional(self) -> int: ...
    @property
    def transit_national(self) -> int: ...
    @property
    def transit_remote(self) -> int: ...


def transit_days(service: ServiceLike | None, band: DistanceBand) -> int:
    """The service's transit days for a distance band (a standard default with no service)."""
    if service is None:
        return DEFAULT_TRANSIT[band]
    return int(getattr(service, f"transit_{band.value}"))


def compute_ship_by(
    *,
    promised: date,
    node: NodeLike,
    fulfillment_type: FulfillmentType,
    destination: tuple[float, float] | None = None,
    pickup_node_id: str | None = None,
    service: ServiceLike | None = None,
    delivery_weekdays: str | None = None,
    band_limits: dict[DistanceBand, float] | None = None,
) -> date:
    """The latest day ``node`` can ship a line of an order and still meet ``promised``.

    Args:
        promised: the promised delivery (or pickup) date.
        node: the allocated node (its coordinates and shipping weekdays are used).
        fulfillment_type: ship, same_day or pickup.
        destination: ``(lat, lon)`` of the ship-to address (ship and same-day orders).
        pickup_node_id: the pickup node of a pickup order.
        service: the order's carrier service (transit days per distance band).
        delivery_weekdays: the carrier's delivery weekdays (default Monday–Saturday).
        band_limits: distance band limits in km (default: the calendar's).

    Pickup orders: the same day when the line is already at the pickup node, otherwise the last
    shipping day before the promised pickup (a transfer to the store takes a day).
    """
    weekdays = delivery_weekdays or DEFAULT_DELIVERY_WEEKDAYS
    if fulfillment_type is FulfillmentType.pickup:
        if pickup_node_id is not None and node.id == pickup_node_id:
            return promised
        day = promised - timedelta(days=1)
        while not is_working_day(day, node.ship_weekdays):
            day -= timedelta(days=1)
        return day
    if destination is None:
        raise ValueError("a shipped order needs a destination to compute ship_by")
    band = distance_band(
        distance_km(node.lat, node.lon, destination[0], destination[1]), band_limits
    )
    return latest_ship_day(promised, transit_days(service, band), weekdays, node.ship_weekdays)
