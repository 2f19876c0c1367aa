"""The world model: SQLAlchemy 2 typed tables of an omnichannel retailer.

Constraints the database can enforce live here (keys, uniqueness, non-negative stock, closed
vocabularies); rules that need a clock or a principal live in the domain services.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from promesa.store.enums import (
    CaseKind,
    CaseResolution,
    CaseStatus,
    Channel,
    FulfillmentType,
    HandoffStatus,
    IdentityKind,
    InteractionChannel,
    ItemCondition,
    LineStatus,
    NodeType,
    NoticeChannel,
    NoticeKind,
    NoticeStatus,
    OrchestrationDecision,
    OrderStatus,
    RefundMethod,
    RefundReason,
    RefundStatus,
    ReturnMethod,
    ReturnStatus,
    ServiceLevel,
    TrackingEventType,
    TriggerKind,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _enum(kind: type) -> Enum:
    return Enum(
        kind,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(10), default="es-MX")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    identities: Mapped[list[Identity]] = relationship(back_populates="customer")
    addresses: Mapped[list[Address]] = relationship(back_populates="customer")


class Identity(Base):
    """An identifier a person uses (email, phone, social handle), stored normalised."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[IdentityKind] = mapped_column(_enum(IdentityKind))
    value: Mapped[str] = mapped_column(String(320))
    source: Mapped[str] = mapped_column(String(32), default="web")
    verified: Mapped[bool] = mapped_column(Boolean, default=True)

    customer: Mapped[Customer] = relationship(back_populates="identities")


class Address(Base):
    __tablename__ = "addresses"
    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    line1: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2), default="MX")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)

    customer: Mapped[Customer | None] = relationship(back_populates="addresses")


class Node(Base):
    """A fulfillment node: distribution centre, store or dark store."""

    __tablename__ = "nodes"
    __table_args__ = (
        CheckConstraint("capacity_units >= 0 AND capacity_orders >= 0", name="capacity_nonneg"),
        CheckConstraint("processing_hours >= 0", name="processing_nonneg"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[NodeType] = mapped_column(_enum(NodeType))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(10))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    timezone: Mapped[str] = mapped_column(String(64), default="America/Mexico_City")
    ships: Mapped[bool] = mapped_column(Boolean, default=True)
    pickup: Mapped[bool] = mapped_column(Boolean, default=False)
    processing_hours: Mapped[int] = mapped_column(Integer, default=4)
    cutoff_time: Mapped[time] = mapped_column(Time, default=time(14, 0))
    ship_weekdays: Mapped[str] = mapped_column(
        String(7), default="012345", doc="Weekdays it ships on, Monday=0 … Sunday=6."
    )
    capacity_units: Mapped[int] = mapped_column(Integer, default=1000)
    capacity_orders: Mapped[int] = mapped_column(Integer, default=400)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class NodeCapacity(Base):
    """A per-date override of a node's daily capacity (peaks, closures, short staffing)."""

    __tablename__ = "node_capacity"
    __table_args__ = (CheckConstraint("units >= 0 AND orders >= 0", name="nonneg"),)

    node_id: Mapped[str] = mapped_column(ForeignKey("nodes.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    units: Mapped[int] = mapped_column(Integer)
    orders: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(200))


class Carrier(Base):
    __tablename__ = "carriers"
    __table_args__ = (
        CheckConstraint("on_time_reliability BETWEEN 0 AND 1", name="reliability_range"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    on_time_reliability: Mapped[float] = mapped_column(Float, default=0.95)
    delivery_weekdays: Mapped[str] = mapped_column(String(7), default="012345")


class CarrierService(Base):
    """A carrier's service level with transit days per distance band."""

    __tablename__ = "carrier_services"
    __table_args__ = (
        CheckConstraint(
            "transit_local >= 0 AND transit_regional >= 0 AND transit_national >= 0 "
            "AND transit_remote >= 0",
            name="transit_nonneg",
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    carrier_id: Mapped[str] = mapped_column(ForeignKey("carriers.id"), index=True)
    level: Mapped[ServiceLevel] = mapped_column(_enum(ServiceLevel))
    name: Mapped[str] = mapped_column(String(100))
    transit_local: Mapped[int] = mapped_column(Integer)
    transit_regional: Mapped[int] = mapped_column(Integer)
    transit_national: Mapped[int] = mapped_column(Integer)
    transit_remote: Mapped[int] = mapped_column(Integer)
    cutoff_time: Mapped[time | None] = mapped_column(
        Time, doc="Carrier pick-up cut-off at nodes; the earlier of this and the node's applies."
    )

    carrier: Mapped[Carrier] = relationship()


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_nonneg"),
        CheckConstraint("weight_kg > 0", name="weight_pos"),
        CheckConstraint("online_available >= 0", name="online_nonneg"),
    )

    sku: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64), index=True)
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    weight_kg: Mapped[float] = mapped_column(Float)
    online_available: Mapped[int] = mapped_column(
        Integer, default=0, doc="Sellable quantity the storefront shows (a cached feed value)."
    )
    marketplace_seller: Mapped[str | None] = mapped_column(
        String(100), doc="Third-party seller for marketplace items; None for first-party."
    )
    product_group: Mapped[str | None] = mapped_column(
        String(32), index=True, doc="Products sharing it are variants (size, colour) of one product."
    )
    variant: Mapped[str | None] = mapped_column(String(64), doc="This variant, e.g. 'talla M, azul'.")


class InventoryPosition(Base):
    """Stock of one SKU at one node. ATP = on_hand − reserved − safety_stock, floored at 0."""

    __tablename__ = "inventory"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_nonneg"),
        CheckConstraint("reserved >= 0", name="reserved_nonneg"),
        CheckConstraint("safety_stock >= 0", name="safety_nonneg"),
        Index("ix_inventory_sku", "sku"),
        # positions whose stock no longer covers their reservations (the risk scan's stock check)
        Index("ix_inventory_short", "node_id", "sku",
              sqlite_where=text("on_hand < reserved"), postgresql_where=text("on_hand < reserved")),
    )

    node_id: Mapped[str] = mapped_column(ForeignKey("nodes.id"), primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    safety_stock: Mapped[int] = mapped_column(Integer, default=0)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("total >= 0", name="total_nonneg"),
        Index("ix_orders_customer_id_created_at", "customer_id", "created_at"),
        Index("ix_orders_promised_date", "promised_date"),
        Index("ix_orders_created_at", "created_at"),
        # the risk scan's carrier-delay lookup reads only this (orders that ever had a delay)
        Index("ix_orders_carrier_late", "status", "promised_date", "carrier_days_late", "total",
              "id", "carrier_eta",
              sqlite_where=text("carrier_days_late IS NOT NULL"),
              postgresql_where=text("carrier_days_late IS NOT NULL")),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus))
    fulfillment_type: Mapped[FulfillmentType] = mapped_column(_enum(FulfillmentType))
    promised_date: Mapped[date] = mapped_column(Date)
    promised_window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promised_window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ship_to_id: Mapped[str | None] = mapped_column(ForeignKey("addresses.id"))
    pickup_node_id: Mapped[str | None] = mapped_column(ForeignKey("nodes.id"))
    service_id: Mapped[str | None] = mapped_column(ForeignKey("carrier_services.id"))
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    note: Mapped[str | None] = mapped_column(Text, doc="Free text from the customer: data only.")
    pickup_hold_until: Mapped[date | None] = mapped_column(Date)
    carrier_eta: Mapped[date | None] = mapped_column(
        Date, info={"maintained": True},
        doc="Revised ETA of the latest delay exception; kept by a trigger (store.maintained).",
    )
    carrier_days_late: Mapped[int | None] = mapped_column(
        Integer, info={"maintained": True},
        doc="Days ``carrier_eta`` lies past ``promised_date``; kept by a trigger.",
    )

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.line_no"
    )
    ship_to: Mapped[Address | None] = relationship()


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_pos"),
        UniqueConstraint("order_id", "line_no"),
        Index("ix_order_lines_node_ship_by", "allocated_node_id", "ship_by"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    status: Mapped[LineStatus] = mapped_column(_enum(LineStatus))
    allocated_node_id: Mapped[str | None] = mapped_column(ForeignKey("nodes.id"))
    ship_by: Mapped[date | None] = mapped_column(
        Date, doc="Last day the allocated node can ship this line and still meet the promise."
    )
    shipment_id: Mapped[str | None] = mapped_column(ForeignKey("shipments.id"))

    order: Mapped[Order] = relationship(back_populates="lines")


class NodeLoad(Base):
    """Open work of one node with one ship-by day, kept current by database triggers.

    Equals grouping the open order lines (allocated, backordered, picked, packed) by node and
    ship-by; see :mod:`promesa.store.maintained`. Nothing writes it but those triggers and
    :func:`promesa.store.maintained.rebuild`.
    """

    __tablename__ = "node_load"
    __table_args__ = (Index("ix_node_load_ship_by", "ship_by"),)  # every node's window at once

    node_id: Mapped[str] = mapped_column(ForeignKey("nodes.id"), primary_key=True)
    ship_by: Mapped[date] = mapped_column(Date, primary_key=True)
    order_count: Mapped[int] = mapped_column(Integer, doc="Distinct orders with an open line here.")
    unit_count: Mapped[int] = mapped_column(Integer)


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    node_id: Mapped[str] = mapped_column(ForeignKey("nodes.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("carrier_services.id"))
    tracking_number: Mapped[str] = mapped_column(String(64), unique=True)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TrackingEvent(Base):
    __tablename__ = "tracking_events"
    __table_args__ = (
        Index("ix_tracking_events_order_id_occurred_at", "order_id", "occurred_at"),
        # the risk scan finds recent delay exceptions by type and revised ETA (migration 0002)
        Index("ix_tracking_events_type_revised_eta", "type", "revised_eta", "order_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    shipment_id: Mapped[str | None] = mapped_column(ForeignKey("shipments.id"))
    type: Mapped[TrackingEventType] = mapped_column(_enum(TrackingEventType))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(200))
    revised_eta: Mapped[date | None] = mapped_column(
        Date, doc="The carrier's new delivery date, on delay exceptions."
    )


class Interaction(Base):
    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_customer_id_occurred_at", "customer_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[InteractionChannel] = mapped_column(_enum(InteractionChannel))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"))


class AuditEntry(Base):
    """A decision or action and the principal who caused it."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_subject: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ActionExecution(Base):
    """One executed write, keyed by its idempotency key: a second execution finds it here."""

    __tablename__ = "action_executions"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    action: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    executed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class ActionOutcome(Base):
    """What an approved write did, keyed by the action itself (not by the thread that asked).

    ``action_key`` is the tool, the order, the arguments and the order's state version when
    the approval was requested, so two threads asking for the same change get the same key.
    Written in the write's own transaction: if the write committed, its outcome did too, so a
    resumed, retried or re-decided approval (after a crash, or from another thread) reads it
    instead of executing again, and the approval list leaves it out.
    """

    __tablename__ = "action_outcomes"

    action_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    action: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str | None] = mapped_column(String(32), index=True)
    state_version: Mapped[str] = mapped_column(String(40))
    thread_id: Mapped[str | None] = mapped_column(String(64))
    decided_by: Mapped[str] = mapped_column(String(100))
    executed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class Handoff(Base):
    """A conversation handed to a human, queued for the support copilot."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    thread_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"))
    order_id: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[HandoffStatus] = mapped_column(_enum(HandoffStatus), default=HandoffStatus.open)


class ReturnAuthorization(Base):
    """A return merchandise authorisation (RMA): what comes back, how, and for how much."""

    __tablename__ = "returns"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, doc="RMA id, e.g. RMA-PO-5004-1.")
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[ReturnStatus] = mapped_column(_enum(ReturnStatus))
    method: Mapped[ReturnMethod] = mapped_column(_enum(ReturnMethod))
    dropoff_node_id: Mapped[str | None] = mapped_column(
        ForeignKey("nodes.id"), doc="The store it is dropped off at (store_dropoff only)."
    )
    reason: Mapped[str | None] = mapped_column(String(200))

    lines: Mapped[list[ReturnLine]] = relationship(back_populates="rma", order_by="ReturnLine.id")


class ReturnLine(Base):
    __tablename__ = "return_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_pos"),
        CheckConstraint("refund_amount >= 0", name="refund_nonneg"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    return_id: Mapped[str] = mapped_column(ForeignKey("returns.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    condition: Mapped[ItemCondition] = mapped_column(_enum(ItemCondition))
    refund_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))

    rma: Mapped[ReturnAuthorization] = relationship(back_populates="lines")


class SupportCase(Base):
    """A claim (damaged, missing, never arrived) or a complaint, in the support queue."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_status_created_at", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[CaseKind] = mapped_column(_enum(CaseKind))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus))
    resolution: Mapped[CaseResolution] = mapped_column(_enum(CaseResolution))
    summary: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Refund(Base):
    """Money owed back to a customer; the sum per order never exceeds the order's total."""

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_pos"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    return_id: Mapped[str | None] = mapped_column(ForeignKey("returns.id"))
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"))
    reason: Mapped[RefundReason] = mapped_column(_enum(RefundReason))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    method: Mapped[RefundMethod] = mapped_column(_enum(RefundMethod))
    status: Mapped[RefundStatus] = mapped_column(_enum(RefundStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expected_by: Mapped[date] = mapped_column(Date, doc="Latest day the money should arrive.")


class AddressChange(Base):
    """An order's delivery address history: every change, from what to what, and by whom."""

    __tablename__ = "address_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    from_address_id: Mapped[str | None] = mapped_column(ForeignKey("addresses.id"))
    to_address_id: Mapped[str] = mapped_column(ForeignKey("addresses.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by: Mapped[str] = mapped_column(String(100))
    previous_promised_date: Mapped[date] = mapped_column(Date)
    promised_date: Mapped[date] = mapped_column(Date)


class IngestedEvent(Base):
    """An event whose effect was applied (or found stale) exactly once, keyed by source and id.

    A redelivery finds it here and answers with ``result``, the original outcome.
    """

    __tablename__ = "ingested_events"

    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sequence: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sender: Mapped[str] = mapped_column(String(100), doc="The principal that sent it.")
    applied: Mapped[bool] = mapped_column(Boolean, doc="False when it was stale (no effect).")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class InventoryMove(Base):
    """An on-hand move (or a count) one event applied to one position, at the event's time.

    A cycle count taken at time *t* sets on-hand to what it counted plus the moves applied
    after *t*, and a move from before the latest count is already in it: counts, sales and
    receipts give the same position in any arrival order.
    """

    __tablename__ = "inventory_moves"
    __table_args__ = (
        Index("ix_inventory_moves_position", "node_id", "sku", "occurred_at"),
        # the latest count of a position, without reading every move of it
        Index("ix_inventory_moves_counts", "node_id", "sku", "occurred_at",
              sqlite_where=text("counted IS NOT NULL"), postgresql_where=text("counted IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str] = mapped_column(String(200))
    node_id: Mapped[str] = mapped_column(String(32))
    sku: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    on_hand_delta: Mapped[int | None] = mapped_column(Integer, doc="None on a count.")
    counted: Mapped[int | None] = mapped_column(Integer, doc="What a count found; None on a move.")


class EventWatermark(Base):
    """The newest event applied to one piece of state (an order's status, a node's opening).

    An event ordered at or before the watermark changes nothing: a late "in transit" never
    undoes "delivered". Order is (occurred_at, source, sequence).
    """

    __tablename__ = "event_watermarks"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(200))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    event_id: Mapped[str] = mapped_column(String(200))


class DeadLetter(Base):
    """A rejected event, kept whole with the field and reason, until a replay applies it."""

    __tablename__ = "event_dead_letters"
    __table_args__ = (
        UniqueConstraint("source", "event_id"),
        Index("ix_event_dead_letters_resolved_at", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str] = mapped_column(String(200))
    type: Mapped[str | None] = mapped_column(String(100))
    sender: Mapped[str] = mapped_column(String(100))
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON)
    code: Mapped[str] = mapped_column(String(32))
    field: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discarded_by: Mapped[str | None] = mapped_column(
        String(100), doc="Who discarded it (resolved without a replay); None while open or replayed.")


class OrchestrationAction(Base):
    """What the orchestrator did about one order after one trigger: once per (order, trigger).

    ``before`` holds the allocation it changed (lines' nodes and ship-by days, the service) so
    that staff can revert an automatic action; ``rule`` names the autonomy rule that allowed it.
    """

    __tablename__ = "orchestration_actions"
    __table_args__ = (Index("ix_orchestration_actions_decision", "decision", "detected_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True, doc="order:trigger:reference.")
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    trigger: Mapped[TriggerKind] = mapped_column(_enum(TriggerKind))
    trigger_ref: Mapped[str] = mapped_column(String(200))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decision: Mapped[OrchestrationDecision] = mapped_column(_enum(OrchestrationDecision))
    rule: Mapped[str | None] = mapped_column(String(100))
    option_id: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    proposal: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Notice(Base):
    """A customer notice drafted from structured fields, one per order, trigger and channel."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("order_id", "trigger_key", "channel"),
        Index("ix_notices_status_send_after", "status", "send_after"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    trigger_key: Mapped[str] = mapped_column(String(200))
    channel: Mapped[NoticeChannel] = mapped_column(_enum(NoticeChannel))
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind))
    language: Mapped[str] = mapped_column(String(5))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[NoticeStatus] = mapped_column(_enum(NoticeStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, doc="Not before: quiet hours end.")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


class SellableState(Base):
    """The sellable-online state of a SKU on a channel last announced (an outgoing event).

    A change is announced only when the level crosses a threshold; the row is locked while a
    transaction compares, so concurrent changes of one SKU are announced in commit order.
    """

    __tablename__ = "sellable_states"

    sku: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    sellable: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutgoingEvent(Base):
    """The transactional outbox: an event written with the change it announces, sent by a relay.

    Ordered per ``key`` (SKU and channel) by ``id``; ``published_at`` is set once a broker or
    webhook acknowledged it; a failure waits ``next_attempt_at`` (backoff) and blocks the later
    events of its key, so they never overtake it.
    """

    __tablename__ = "outgoing_events"
    __table_args__ = (Index("ix_outgoing_events_pending", "published_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(64))
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
