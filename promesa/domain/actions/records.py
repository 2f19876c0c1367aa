"""Typed records of the self-service proposals and their results."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from promesa.domain.records import Record
from promesa.store.enums import (
    CaseKind,
    CaseResolution,
    CaseStatus,
    ItemCondition,
    RefundMethod,
    RefundReason,
    RefundStatus,
    ReturnMethod,
)


class RefundQuote(Record):
    """The money a proposal or an action gives back, how, and by when it arrives."""

    amount: Decimal
    currency: str = "MXN"
    method: RefundMethod
    expected_by: date = Field(description="Latest day the money reaches the customer.")


class LineChange(Record):
    line_no: int
    sku: str
    quantity: int
    status: str = Field(description="The line's status when proposed or before the action.")
    node_id: str | None = None
    amount: Decimal = Field(description="Unit price × quantity.")


class Refusal(Record):
    """Why a line (or the order) cannot take the action, and what the customer can do instead."""

    line_no: int | None = None
    code: str = Field(description="Stable reason code, e.g. line_picked, order_shipped.")
    reason: str
    alternatives: list[str] = []


class CancelProposal(Record):
    order_id: str
    eligible: bool
    lines: list[LineChange] = Field(description="The lines the cancellation would cancel.")
    whole_order: bool = Field(description="True when every line of the order ends cancelled.")
    refund: RefundQuote | None = None
    refusals: list[Refusal] = []
    reason: str


class CancelResult(Record):
    order_id: str
    order_status: str
    cancelled: list[LineChange]
    released: list[dict[str, object]] = Field(description="node_id, sku, quantity released.")
    refund_id: str | None
    refund: RefundQuote | None
    idempotency_key: str
    approved_by: str
    executed_at: datetime
    replayed: bool = False


class AddressIn(Record):
    """A new delivery address as the customer gives it."""

    line1: str = Field(min_length=3, max_length=200)
    city: str = Field(min_length=2, max_length=100)
    state: str = Field(min_length=2, max_length=100)
    postal_code: str = Field(min_length=1, max_length=10)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)


class AddressChangeProposal(Record):
    order_id: str
    eligible: bool
    new_address: AddressIn | None = None
    current_node: str | None = None
    eta: date | None = Field(None, description="When the current node delivers to the new address.")
    previous_promised_date: date
    promised_date: date | None = Field(None, description="The promise after the change.")
    keeps_promise: bool = False
    alternatives: list[dict[str, object]] = Field(
        default_factory=list, description="Reroute/pickup options when the node can't keep the promise."
    )
    refusals: list[Refusal] = []
    reason: str


class AddressChangeResult(Record):
    order_id: str
    address_id: str
    previous_address_id: str | None
    promised_date: date
    previous_promised_date: date
    eta: date | None
    idempotency_key: str
    approved_by: str
    executed_at: datetime
    replayed: bool = False


class ReturnItem(Record):
    line_no: int = Field(ge=1)
    quantity: int | None = Field(None, ge=1, description="Default: every unit not yet returned.")
    condition: ItemCondition = ItemCondition.unopened


class ReturnLineQuote(Record):
    line_no: int
    sku: str
    quantity: int
    condition: ItemCondition
    window_ends: date
    amount: Decimal


class ReturnProposal(Record):
    order_id: str
    eligible: bool
    lines: list[ReturnLineQuote]
    method: ReturnMethod
    dropoff_node_id: str | None = None
    refund: RefundQuote | None = None
    seller: str | None = Field(None, description="Marketplace seller who issues the refund.")
    refusals: list[Refusal] = []
    reason: str


class ReturnResult(Record):
    order_id: str
    rma_id: str
    method: ReturnMethod
    dropoff_node_id: str | None
    lines: list[ReturnLineQuote]
    refund_id: str
    refund: RefundQuote
    idempotency_key: str
    approved_by: str
    executed_at: datetime
    replayed: bool = False


class RefundView(Record):
    refund_id: str
    order_id: str
    reason: RefundReason
    amount: Decimal
    currency: str
    method: RefundMethod
    status: RefundStatus
    created_at: datetime
    expected_by: date
    return_id: str | None = None
    case_id: str | None = None


class RefundStatusResult(Record):
    customer_id: str
    order_id: str | None
    refunds: list[RefundView]
    total: Decimal


class ClaimProposal(Record):
    order_id: str
    kind: CaseKind
    eligible: bool
    resolution: CaseResolution | None = None
    needs_staff: bool = False
    missing_facts: list[str] = Field(default_factory=list, description="Facts the policy asks for.")
    facts: dict[str, object] = {}
    refund: RefundQuote | None = None
    replacement_node_id: str | None = Field(None, description="A reship: the node that sends the item again.")
    replacement_eta: date | None = Field(None, description="A reship: when the replacement arrives.")
    refusals: list[Refusal] = []
    reason: str


class CaseResult(Record):
    case_id: str
    kind: CaseKind
    order_id: str | None
    customer_id: str
    status: CaseStatus
    resolution: CaseResolution
    summary: str
    refund_id: str | None = None
    refund: RefundQuote | None = None
    replacement_order_id: str | None = Field(None, description="A reship: the paid replacement order created.")
    idempotency_key: str
    approved_by: str
    executed_at: datetime
    replayed: bool = False


class ExchangeProposal(Record):
    order_id: str
    line_no: int
    from_sku: str
    to_sku: str
    variant: str | None = None
    quantity: int
    eligible: bool
    node_id: str | None = Field(None, description="The best node to ship the new variant from.")
    eta: date | None = None
    price_difference: Decimal = Field(Decimal("0"), description="Refunded when the new variant costs less.")
    refund: RefundQuote | None = None
    refusals: list[Refusal] = []
    reason: str


class ExchangeResult(Record):
    order_id: str
    line_no: int
    rma_id: str
    new_order_id: str
    to_sku: str
    node_id: str
    eta: date
    refund_id: str | None = None
    idempotency_key: str
    approved_by: str
    executed_at: datetime
    replayed: bool = False
