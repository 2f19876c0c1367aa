"""Typed records of promising: options, quotes, shipment plans, placement outcomes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from promesa.domain.records import Record
from promesa.store.enums import ServiceLevel


class OptionKind(StrEnum):
    ship = "ship"
    same_day = "same_day"
    pickup = "pickup"


class Policy(StrEnum):
    """How dates are computed: on finite capacity, or from carrier transit alone (naive)."""

    capacity_aware = "capacity_aware"
    naive = "naive"


class PromiseOption(Record):
    kind: OptionKind
    service_level: ServiceLevel | None = Field(None, description="None for pickup.")
    service_id: str | None = None
    carrier: str | None = None
    node_id: str
    node_name: str
    ship_date: date = Field(description="Day the node hands it over (pickup: day it is ready).")
    delivery_date: date = Field(description="Day it arrives (pickup: day it can be collected).")
    ready_at: datetime | None = Field(None, description="Pickup: when it is ready at the store.")
    cost_mxn: float = Field(description="Shipping charged for this option (0 for pickup).")
    reliability: float | None = Field(None, description="The carrier's on-time rate.")
    distance_km: float
    capacity_moved: bool = Field(
        False, description="Capacity pushed the ship day past the node's first possible day.")


class PromiseQuote(Record):
    sku: str
    quantity: int
    postal_code: str
    zone: str = Field(description="The delivery zone (city code) of the postal code.")
    as_of: datetime
    policy: Policy
    options: list[PromiseOption] = Field(description="Ship per level, same-day, pickup; earliest first.")


class CartLine(Record):
    sku: str = Field(min_length=1, max_length=32)
    quantity: int = Field(ge=1, le=10_000)


class PlannedShipment(Record):
    node_id: str
    node_name: str
    lines: list[CartLine]
    service_id: str | None
    carrier: str | None
    ship_date: date
    delivery_date: date
    cost_mxn: float
    capacity_moved: bool = False


class CheckoutPlan(Record):
    postal_code: str
    zone: str
    service_level: ServiceLevel
    as_of: datetime
    policy: Policy
    split: bool = Field(description="More than one node ships the cart.")
    shipments: list[PlannedShipment]
    earliest_delivery: date
    latest_delivery: date
    total_shipping_mxn: float


class PlacementStatus(StrEnum):
    placed = "placed"
    requote = "requote"
    duplicate = "duplicate"


class PlacementResult(Record):
    status: PlacementStatus
    order_id: str | None = Field(None, description="The placed order (placed / duplicate).")
    promised_date: date | None = None
    plan: CheckoutPlan | None = Field(None, description="The plan placed, or the new one to accept.")
    reason: str | None = Field(None, description="Why the quote no longer holds (requote).")
    total_mxn: Decimal | None = None
