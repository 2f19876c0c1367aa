"""The closed vocabularies of the world model, shared by the database, world files and services."""

from __future__ import annotations

from enum import StrEnum


class IdentityKind(StrEnum):
    email = "email"
    phone = "phone"
    social = "social"


class NodeType(StrEnum):
    distribution_center = "distribution_center"
    store = "store"
    dark_store = "dark_store"


class Channel(StrEnum):
    web = "web"
    app = "app"
    store = "store"
    marketplace = "marketplace"


class FulfillmentType(StrEnum):
    ship = "ship"
    pickup = "pickup"
    same_day = "same_day"


class OrderStatus(StrEnum):
    """Order lifecycle. Reroutes are allowed only while every line is before picking."""

    created = "created"
    allocated = "allocated"
    picking = "picking"
    packed = "packed"
    shipped = "shipped"
    in_transit = "in_transit"
    out_for_delivery = "out_for_delivery"
    delivered = "delivered"
    ready_for_pickup = "ready_for_pickup"
    picked_up = "picked_up"
    exception = "exception"
    cancelled = "cancelled"


class LineStatus(StrEnum):
    allocated = "allocated"
    backordered = "backordered"
    picked = "picked"
    packed = "packed"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"


#: Line states after which a line may no longer move to another node.
LINE_STATES_LOCKED = frozenset(
    {LineStatus.picked, LineStatus.packed, LineStatus.shipped, LineStatus.delivered}
)
#: Line states that still need the allocated node's work (picking, packing or handing over):
#: the node's committed load.
OPEN_LINE_STATES = (LineStatus.allocated, LineStatus.backordered, LineStatus.picked, LineStatus.packed)
#: Line states whose quantity is still reserved at the allocated node (not yet shipped).
RESERVING_LINE_STATES = frozenset({LineStatus.allocated, LineStatus.picked, LineStatus.packed})


class ServiceLevel(StrEnum):
    standard = "standard"
    express = "express"
    next_day = "next_day"
    same_day = "same_day"


class DistanceBand(StrEnum):
    """Bands of straight-line distance from node to destination (limits in settings)."""

    local = "local"
    regional = "regional"
    national = "national"
    remote = "remote"


class TrackingEventType(StrEnum):
    label_created = "label_created"
    picked_up = "picked_up"
    in_transit = "in_transit"
    delay_exception = "delay_exception"
    out_for_delivery = "out_for_delivery"
    failed_attempt = "failed_attempt"
    delivered = "delivered"
    ready_for_pickup = "ready_for_pickup"
    picked_up_by_customer = "picked_up_by_customer"


class InteractionChannel(StrEnum):
    chat = "chat"
    phone = "phone"
    email = "email"
    store = "store"
    social = "social"


class HandoffStatus(StrEnum):
    open = "open"
    claimed = "claimed"
    closed = "closed"


class RefundStatus(StrEnum):
    """A refund's life: recorded, sent to the payment provider, money back with the customer."""

    pending = "pending"
    issued = "issued"
    completed = "completed"


class RefundReason(StrEnum):
    cancellation = "cancellation"
    return_ = "return"
    claim = "claim"


class RefundMethod(StrEnum):
    """Where the money goes: back to what paid for the order, or the shop's store credit."""

    original_payment = "original_payment"
    store_credit = "store_credit"


class ReturnStatus(StrEnum):
    authorized = "authorized"
    received = "received"
    refunded = "refunded"


class ReturnMethod(StrEnum):
    store_dropoff = "store_dropoff"
    carrier_pickup = "carrier_pickup"


class ItemCondition(StrEnum):
    """The condition the customer declares for a returned item."""

    unopened = "unopened"
    opened = "opened"
    used = "used"
    damaged = "damaged"


class CaseKind(StrEnum):
    damaged = "damaged"
    missing_item = "missing_item"
    not_arrived = "not_arrived"
    complaint = "complaint"


class CaseStatus(StrEnum):
    open = "open"
    escalated = "escalated"
    resolved = "resolved"


class CaseResolution(StrEnum):
    """What the policy allows for a claim (complaints are always staff_review)."""

    reship = "reship"
    refund = "refund"
    investigation = "investigation"
    staff_review = "staff_review"


# --- orchestration and customer notices (promesa/domain/orchestration) ---


class TriggerKind(StrEnum):
    """What moved under a promise, so that the orchestrator looks at the order."""

    carrier_delay = "carrier_delay"
    stock_loss = "stock_loss"
    capacity_drop = "capacity_drop"
    node_closed = "node_closed"
    missed_cutoff = "missed_cutoff"
    pickup_expiring = "pickup_expiring"


class OrchestrationDecision(StrEnum):
    auto_executed = "auto_executed"
    awaiting_approval = "awaiting_approval"
    approved = "approved"
    rejected = "rejected"
    notice_only = "notice_only"
    no_option = "no_option"
    reverted = "reverted"
    #: only a change the customer must agree to keeps the promise (a pickup): offered to them
    awaiting_customer = "awaiting_customer"
    #: the customer said yes to the offer and it ran
    accepted = "accepted"


class NoticeChannel(StrEnum):
    email = "email"
    sms = "sms"
    whatsapp = "whatsapp"


class NoticeKind(StrEnum):
    delay = "delay"
    saved = "saved"
    pickup_reminder = "pickup_reminder"
    pickup_offer = "pickup_offer"


class NoticeStatus(StrEnum):
    awaiting_approval = "awaiting_approval"
    scheduled = "scheduled"
    sent = "sent"
    failed = "failed"
    cancelled = "cancelled"
