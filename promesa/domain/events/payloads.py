"""The typed, versioned payloads (CloudEvents ``data``) Promesa accepts, one model per event type.

An event type names its version: ``promesa.inventory.pos_sale.v1``. A change that breaks a
payload gets a new type (``….v2``) beside the old one, so senders move when they are ready.
Every payload forbids unknown fields, so a typo is a rejection naming the field, not a silent
no-op.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from promesa.store.enums import (
    Channel,
    FulfillmentType,
    IdentityKind,
    TrackingEventType,
)

Id = Annotated[str, Field(min_length=1, max_length=32)]
Quantity = Annotated[int, Field(gt=0, le=1_000_000)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventType(StrEnum):
    """Every accepted event type (CloudEvents ``type``)."""

    order_created = "promesa.order.created.v1"
    order_updated = "promesa.order.updated.v1"
    order_cancelled = "promesa.order.cancelled.v1"
    order_line_picked = "promesa.order.line_picked.v1"
    order_line_packed = "promesa.order.line_packed.v1"
    order_line_shipped = "promesa.order.line_shipped.v1"
    order_delivered = "promesa.order.delivered.v1"
    order_picked_up = "promesa.order.picked_up.v1"
    pos_sale = "promesa.inventory.pos_sale.v1"
    receipt = "promesa.inventory.receipt.v1"
    transfer = "promesa.inventory.transfer.v1"
    cycle_count = "promesa.inventory.cycle_count.v1"
    shrink = "promesa.inventory.shrink.v1"
    reservation = "promesa.inventory.reserved.v1"
    release = "promesa.inventory.released.v1"
    tracking_scan = "promesa.tracking.scan.v1"
    tracking_exception = "promesa.tracking.exception.v1"
    capacity_override = "promesa.capacity.override.v1"
    node_closed = "promesa.capacity.node_closed.v1"
    node_opened = "promesa.capacity.node_opened.v1"
    identifier_added = "promesa.customer.identifier_added.v1"


# --- orders ---------------------------------------------------------------------------------


class OrderLineIn(Payload):
    sku: Id
    quantity: Quantity
    unit_price: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
    node_id: Id | None = Field(None, description="Allocated node; its stock is reserved at once.")
    ship_by: date | None = Field(
        None, description="The day the node ships it, when a promise planned it on that node-day's "
        "capacity (checkout); default: the last day that keeps the promised date.")


class OrderCreated(Payload):
    order_id: Id
    customer_id: Id
    channel: Channel
    fulfillment_type: FulfillmentType = FulfillmentType.ship
    promised_date: date
    ship_to_id: Id | None = None
    pickup_node_id: Id | None = None
    service_id: Id | None = None
    currency: Annotated[str, Field(min_length=3, max_length=3)] = "MXN"
    note: Annotated[str | None, Field(max_length=2000)] = None
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=200)]


class OrderUpdated(Payload):
    """The fields an OMS may change after creation; absent fields stay as they are."""

    order_id: Id
    promised_date: date | None = None
    service_id: Id | None = None
    ship_to_id: Id | None = None
    note: Annotated[str | None, Field(max_length=2000)] = None


class OrderCancelled(Payload):
    order_id: Id
    reason: Annotated[str, Field(min_length=1, max_length=200)] = "cancelled by the channel"


class LineProgress(Payload):
    """A line picked or packed at its allocated node."""

    order_id: Id
    line_no: Annotated[int, Field(ge=1)]


class LineShipped(Payload):
    order_id: Id
    line_no: Annotated[int, Field(ge=1)]
    shipment_id: Id
    tracking_number: Annotated[str, Field(min_length=1, max_length=64)]
    service_id: Id | None = Field(None, description="Default: the order's service.")


class OrderDelivered(Payload):
    order_id: Id
    location: Annotated[str | None, Field(max_length=100)] = None


class OrderPickedUp(Payload):
    order_id: Id
    node_id: Id | None = None


# --- inventory ------------------------------------------------------------------------------


class PosSale(Payload):
    """Units sold over a store's counter: they leave on-hand and can no longer be promised."""

    node_id: Id
    sku: Id
    quantity: Quantity
    ticket: Annotated[str | None, Field(max_length=64)] = None


class Receipt(Payload):
    node_id: Id
    sku: Id
    quantity: Quantity
    reference: Annotated[str | None, Field(max_length=64)] = None


class Transfer(Payload):
    from_node_id: Id
    to_node_id: Id
    sku: Id
    quantity: Quantity


class CycleCount(Payload):
    """What a count found on the shelf at the event's time (absolute, not a delta)."""

    node_id: Id
    sku: Id
    counted: Annotated[int, Field(ge=0, le=10_000_000)]


class ShrinkReason(StrEnum):
    damaged = "damaged"
    lost = "lost"
    stolen = "stolen"
    expired = "expired"


class Shrink(Payload):
    node_id: Id
    sku: Id
    quantity: Quantity
    reason: ShrinkReason = ShrinkReason.damaged


class Reservation(Payload):
    """A channel holds units (a web cart, a marketplace order) against available-to-promise."""

    node_id: Id
    sku: Id
    quantity: Quantity
    reference: Annotated[str | None, Field(max_length=64)] = None


# --- carrier tracking -----------------------------------------------------------------------

#: Status codes of common tracking webhooks (EasyPost, AfterShip, Shippo, carrier APIs) and the
#: tracking event Promesa records for each.
CARRIER_STATUS: dict[str, TrackingEventType] = {
    "pre_transit": TrackingEventType.label_created,
    "label_created": TrackingEventType.label_created,
    "inforeceived": TrackingEventType.label_created,
    "picked_up": TrackingEventType.picked_up,
    "accepted": TrackingEventType.picked_up,
    "in_transit": TrackingEventType.in_transit,
    "intransit": TrackingEventType.in_transit,
    "arrived_at_facility": TrackingEventType.in_transit,
    "departed_facility": TrackingEventType.in_transit,
    "out_for_delivery": TrackingEventType.out_for_delivery,
    "outfordelivery": TrackingEventType.out_for_delivery,
    "failure": TrackingEventType.failed_attempt,
    "attemptfail": TrackingEventType.failed_attempt,
    "delivery_attempted": TrackingEventType.failed_attempt,
    "available_for_pickup": TrackingEventType.ready_for_pickup,
    "availableforpickup": TrackingEventType.ready_for_pickup,
    "delivered": TrackingEventType.delivered,
}


class TrackingScan(Payload):
    tracking_number: Annotated[str, Field(min_length=1, max_length=64)]
    status: Annotated[str, Field(min_length=1, max_length=40, description=(
        "The carrier's status code, e.g. in_transit, out_for_delivery, delivered, "
        "available_for_pickup, failure (see CARRIER_STATUS)."))]
    location: Annotated[str | None, Field(max_length=100)] = None


class TrackingException(Payload):
    tracking_number: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Annotated[str, Field(min_length=1, max_length=200)]
    revised_eta: date | None = None
    location: Annotated[str | None, Field(max_length=100)] = None


# --- capacity -------------------------------------------------------------------------------


class CapacityOverride(Payload):
    node_id: Id
    day: date
    orders: Annotated[int, Field(ge=0, le=1_000_000)]
    units: Annotated[int, Field(ge=0, le=10_000_000)]
    reason: Annotated[str | None, Field(max_length=200)] = None


class NodeStatusChange(Payload):
    node_id: Id
    reason: Annotated[str | None, Field(max_length=200)] = None


# --- customers ------------------------------------------------------------------------------


class IdentifierAdded(Payload):
    customer_id: Id
    kind: IdentityKind
    value: Annotated[str, Field(min_length=1, max_length=320)]
    verified: bool = False


PAYLOADS: dict[EventType, type[Payload]] = {
    EventType.order_created: OrderCreated,
    EventType.order_updated: OrderUpdated,
    EventType.order_cancelled: OrderCancelled,
    EventType.order_line_picked: LineProgress,
    EventType.order_line_packed: LineProgress,
    EventType.order_line_shipped: LineShipped,
    EventType.order_delivered: OrderDelivered,
    EventType.order_picked_up: OrderPickedUp,
    EventType.pos_sale: PosSale,
    EventType.receipt: Receipt,
    EventType.transfer: Transfer,
    EventType.cycle_count: CycleCount,
    EventType.shrink: Shrink,
    EventType.reservation: Reservation,
    EventType.release: Reservation,
    EventType.tracking_scan: TrackingScan,
    EventType.tracking_exception: TrackingException,
    EventType.capacity_override: CapacityOverride,
    EventType.node_closed: NodeStatusChange,
    EventType.node_opened: NodeStatusChange,
    EventType.identifier_added: IdentifierAdded,
}


class Envelope(BaseModel):
    """The CloudEvents 1.0 attributes Promesa requires (structured JSON mode)."""

    model_config = ConfigDict(extra="forbid")

    specversion: Annotated[str, Field(pattern=r"^1\.0$")] = "1.0"
    id: Annotated[str, Field(min_length=1, max_length=200)]
    source: Annotated[str, Field(min_length=1, max_length=200, description="URI-reference of the sender.")]
    type: EventType
    time: datetime = Field(description="When it happened at the source (RFC 3339 with offset).")
    sequence: Annotated[int | None, Field(ge=0, description=(
        "The source's sequence number (CloudEvents sequence extension); orders events of one "
        "source that share a time."))] = None
    subject: Annotated[str | None, Field(max_length=200)] = None
    datacontenttype: Annotated[str | None, Field(pattern=r"^application/json")] = "application/json"
    dataschema: Annotated[str | None, Field(max_length=500)] = None
    data: dict[str, Any]


# --- outgoing -------------------------------------------------------------------------------


class OutgoingType(StrEnum):
    """Every event type Promesa sends (through the outbox and ``promesa events relay``)."""

    sellable_changed = "promesa.availability.sellable_changed.v1"


class SellableLevel(StrEnum):
    """Where a channel's sellable quantity stands against the low-stock threshold."""

    out_of_stock = "out_of_stock"
    low = "low"
    in_stock = "in_stock"


class SellableChanged(Payload):
    """A channel's sellable quantity of a SKU crossed a threshold (sent once per crossing)."""

    sku: Id
    channel: Channel = Field(description="web (also app) or marketplace.")
    sellable: Annotated[int, Field(ge=0)]
    level: SellableLevel
    previous_level: SellableLevel | None = Field(None, description="None on the first announcement.")
    previous_sellable: Annotated[int | None, Field(ge=0, description="At the previous announcement.")] = None
    low_threshold: Annotated[int, Field(ge=0, description="At or below it (and above 0) is low.")]


OUTGOING: dict[OutgoingType, type[Payload]] = {OutgoingType.sellable_changed: SellableChanged}


def json_schema() -> dict[str, Any]:
    """JSON Schema of every event type: the envelope and, per type, its ``data``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Promesa events (CloudEvents 1.0, structured JSON)",
        "envelope": Envelope.model_json_schema(),
        "types": {t.value: PAYLOADS[t].model_json_schema() for t in EventType},
        "outgoing": {t.value: OUTGOING[t].model_json_schema() for t in OutgoingType},
    }
