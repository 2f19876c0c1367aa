"""Typed records the services return. The agent's decisions are built from these (rule 1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from promesa.store.enums import (
    Channel,
    FulfillmentType,
    IdentityKind,
    NoticeKind,
    OrderStatus,
    TrackingEventType,
)


class Record(BaseModel):
    model_config = ConfigDict(frozen=True)


# --- orders ---------------------------------------------------------------------------------

LateReason = Literal[
    "carrier_delay",
    "over_capacity",
    "out_of_stock",
    "cutoff_missed",
    "failed_attempt",
    "pickup_expired",
]


class TrackingStep(Record):
    type: TrackingEventType
    occurred_at: datetime
    location: str | None = None
    reason: str | None = None
    revised_eta: date | None = None


class OrderLineView(Record):
    line_no: int
    sku: str
    name: str
    quantity: int
    status: str
    allocated_node_id: str | None


class NoticeNote(Record):
    """The latest notice the customer got about an order, so an answer continues from it."""

    kind: NoticeKind
    sent_on: date = Field(description="The day it was drafted for the customer (local time).")
    new_date: date | None = None
    store_name: str | None = None
    pickup_ready: date | None = None
    offer_open: bool = Field(False, description="A pickup offer the customer can still accept.")


class OrderStatusView(Record):
    """Where an order is and whether its promise holds, with the reasons behind the ETA."""

    order_id: str
    customer_id: str | None = Field(description="None in a visitor's view (internal ids stay inside).")
    status: OrderStatus
    channel: Channel
    fulfillment_type: FulfillmentType
    created_at: datetime
    promised_date: date
    eta: date | None = Field(None, description="Expected delivery (or pickup-ready) date.")
    late: bool = False
    at_risk: bool = False
    reason: LateReason | None = None
    reason_detail: str | None = Field(None, description="Human-checkable why, in English.")
    carrier: str | None = None
    service: str | None = None
    tracking_number: str | None = None
    node_id: str | None = None
    pickup_node_id: str | None = None
    pickup_store: str | None = Field(None, description="The pickup store's name and city.")
    pickup_hold_until: date | None = None
    destination_city: str | None = None
    lines: list[OrderLineView] = []
    timeline: list[TrackingStep] = []
    eta_basis: list[str] = Field(
        default_factory=list, description="The steps that produced the ETA, for checking it."
    )
    return_window_ends: date | None = None
    notice: NoticeNote | None = Field(None, description="The latest notice the customer already has.")


class OrderSummary(Record):
    order_id: str
    status: OrderStatus
    created_at: datetime
    promised_date: date
    total: float
    fulfillment_type: FulfillmentType


# --- customers ------------------------------------------------------------------------------


class IdentityView(Record):
    kind: IdentityKind
    value: str
    source: str
    verified: bool


class InteractionView(Record):
    channel: str
    occurred_at: datetime
    summary: str
    order_id: str | None = None


class CustomerProfile(Record):
    """A unified profile: every identity of one person, their orders and interactions."""

    customer_id: str
    name: str
    locale: str
    city: str | None = None
    identities: list[IdentityView] = []
    orders: list[OrderSummary] = []
    interactions: list[InteractionView] = []
    lifetime_value: float = 0.0
    matched_on: IdentityView | None = None


class CustomerMatch(Record):
    customer_id: str
    name: str
    city: str | None
    matched_on: str = Field(description="What matched: 'email', 'phone', 'social', 'order', 'name'.")
    score: float = 1.0


# --- inventory ------------------------------------------------------------------------------


class NodeStock(Record):
    node_id: str
    node_name: str
    node_type: str
    city: str
    on_hand: int
    reserved: int
    safety_stock: int
    atp: int
    distance_km: float | None = None


class AvailableToPromise(Record):
    sku: str
    total_atp: int
    nodes: list[NodeStock]


# --- anonymous verification -----------------------------------------------------------------


#: A detail a visitor may prove an order with.
VerifiedDetail = Literal["email", "phone", "postal_code"]


class VerifiedOrder(Record):
    """An order a visitor proved they know: the API mints a token scoped to it alone."""

    order_id: str
    customer_id: str
    matched_on: list[VerifiedDetail] = Field(
        description="Which details were given (all of them matched)."
    )
