"""The typed decisions a turn emits (DESIGN rule 2): the records of one discriminated union.

A tool declares, next to its return model, the function that turns that typed record into the
decisions it supports (``@tool(returns=..., decisions=...)`` in :mod:`tools.registry`); the guard,
the approval flow and the model-failure path build ``refusal``/``handoff``/``clarification``
directly. Field names are the wire format the UIs, the evals and stored checkpoints read: a field
may be added, never renamed. Fields reuse the domain's enums and records where the wire shape is
the same, and a projection record where a decision carries fewer fields than the domain record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from promesa.domain.actions.records import Refusal
from promesa.domain.analytics import AnalyticsRow, Dimension, Metric
from promesa.domain.fulfillment.records import OptionKind
from promesa.domain.records import LateReason, TrackingStep
from promesa.store.enums import (
    CaseKind,
    CaseResolution,
    CaseStatus,
    FulfillmentType,
    IdentityKind,
    OrderStatus,
    RefundMethod,
    RefundReason,
    RefundStatus,
    ReturnMethod,
)
from tools.names import ToolName


class BaseDecision(BaseModel):
    """What every decision is: a frozen record with a ``type`` discriminator."""

    model_config = ConfigDict(frozen=True)


# Kept under its old name: tests and the evals subclass it to add a member to the union.
_Decision = BaseDecision


class OrderStatusDecision(BaseDecision):
    """Where one order is, and whether it keeps its promise."""

    type: Literal["order_status"] = "order_status"
    order_id: str
    status: OrderStatus
    eta: date | None = None
    promised_date: date | None = None
    fulfillment_type: FulfillmentType | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    pickup_node_id: str | None = None
    pickup_hold_until: date | None = None
    return_window_ends: date | None = None
    timeline: list[TrackingStep] = Field(default_factory=list, description="Tracking steps, oldest first.")
    late: bool = False
    at_risk: bool = False
    reason: LateReason | None = None
    reason_detail: str | None = None


class ProposedOption(BaseDecision):
    """The fields of a reroute option a decision carries (the tool result has the full option)."""

    option_id: str
    kind: OptionKind
    nodes: list[str]
    service_id: str | None = None
    eta: date
    meets_promise: bool
    days_late: int
    cost_delta_mxn: float
    capacity_headroom_used: float
    shipments: int
    scores: dict[str, float] = {}
    total_score: float
    needs_consent: bool = False
    executable: bool = True


class RerouteProposalDecision(BaseDecision):
    """Ranked ways to keep an order's promise, and the recommended one."""

    type: Literal["reroute_proposal"] = "reroute_proposal"
    order_id: str
    recommended_node: str | None = None
    recommended_option_id: str | None = None
    options: list[ProposedOption] = []
    feasible: bool = False
    reason: str | None = None
    kind: Literal["reroute", "pickup"] = Field("reroute", description="Ship reroute or pickup.")
    needed: bool = Field(True, description="False when the current allocation keeps the promise.")
    # the facts the ``reason`` prose is made of, so surfaces word them per locale (dates, store
    # names) instead of showing the English sentence with ISO dates and node codes
    promised_date: date | None = None
    current_node: str | None = None
    current_eta: date | None = None


class RerouteExecutedDecision(BaseDecision):
    """An approved reroute or pickup conversion that ran."""

    type: Literal["reroute_executed"] = "reroute_executed"
    order_id: str
    option_id: str | None = None
    to_node: str | None = None
    idempotency_key: str
    approved_by: str
    action: str = ToolName.execute_reroute.value
    replayed: bool = Field(False, description="True when this answers an action that had already run.")


class RiskFlagDecision(BaseDecision):
    """One order (or one node-day) whose promise does not fit capacity or stock."""

    type: Literal["risk_flag"] = "risk_flag"
    order_id: str | None = None
    node_id: str | None = None
    day: date | None = None
    reason: str
    severity: str = "medium"
    total: int | None = Field(
        None, description="How many flags of this kind the scan found in all, of which this is one.")


class Passage(BaseDecision):
    """A cited policy passage (knowledge.retriever.PolicyPassage; its other fields ride along)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    citation: str
    doc_id: str | None = None
    title: str | None = None
    text: str | None = None


class PolicyAnswerDecision(BaseDecision):
    """The policy passages an answer rests on, and their citations."""

    type: Literal["policy_answer"] = "policy_answer"
    citations: list[str]
    passages: list[Passage] = []


class AnalyticsResultDecision(BaseDecision):
    """The numbers of one operations metric, as computed."""

    type: Literal["analytics_result"] = "analytics_result"
    metric: Metric | Literal[""]
    dimensions: list[Dimension] = []
    rows: list[AnalyticsRow] = []
    unit: str | None = None
    start: date | None = Field(None, description="First day the answer covers (the question as understood).")
    end: date | None = Field(None, description="Last day the answer covers.")
    filters: dict[Dimension, list[str]] = Field(default_factory=dict, description="Filters the answer applies.")


class ClarificationDecision(BaseDecision):
    """What is missing before the turn can answer."""

    type: Literal["clarification"] = "clarification"
    missing: list[str] = []
    question: str = ""
    candidates: list[str] = Field(default_factory=list, description="Ids to choose from, when several match.")


class IdentityRef(BaseDecision):
    """One identity of a customer: what it is, its value and where it came from."""

    kind: IdentityKind
    value: str
    source: str


class CustomerProfileDecision(BaseDecision):
    """Which customer the identifiers resolved to (identity resolution, computed by code)."""

    type: Literal["customer_profile"] = "customer_profile"
    customer_id: str
    name: str
    identities: list[IdentityRef] = []
    open_orders: list[str] = []


class NodeAtp(BaseDecision):
    """Available-to-promise of a SKU at one node."""

    node_id: str
    atp: int
    distance_km: float | None = None


class AvailabilityDecision(BaseDecision):
    """Available-to-promise of a SKU, nearest nodes first."""

    type: Literal["availability"] = "availability"
    sku: str
    total_atp: int
    nodes: list[NodeAtp] = []


class CancelProposalDecision(BaseDecision):
    """Whether an order (or lines) can be cancelled: what would change, or why not (rule 1)."""

    type: Literal["cancel_proposal"] = "cancel_proposal"
    order_id: str
    eligible: bool
    line_nos: list[int] = []
    whole_order: bool = False
    refund_amount: float | None = None
    refund_expected_by: date | None = None
    refusals: list[Refusal] = Field(default_factory=list, description="code, line_no, reason, alternatives.")
    reason: str = ""


class OrderCancelledDecision(BaseDecision):
    """A cancellation that ran."""

    type: Literal["order_cancelled"] = "order_cancelled"
    order_id: str
    order_status: str
    line_nos: list[int] = []
    released: list[dict[str, Any]] = Field(default_factory=list, description="node_id, sku, quantity released.")
    refund_id: str | None = None
    refund_amount: float | None = None
    idempotency_key: str
    approved_by: str


class AddressChangeProposalDecision(BaseDecision):
    """Whether a new delivery address works, and what it does to the promise."""

    type: Literal["address_change_proposal"] = "address_change_proposal"
    order_id: str
    eligible: bool
    city: str | None = None
    eta: date | None = None
    previous_promised_date: date | None = None
    promised_date: date | None = None
    keeps_promise: bool = False
    alternatives: list[dict[str, Any]] = Field(default_factory=list, description="Reroute/pickup options.")
    refusals: list[Refusal] = []
    reason: str = ""


class AddressChangedDecision(BaseDecision):
    """An address change that ran."""

    type: Literal["address_changed"] = "address_changed"
    order_id: str
    address_id: str
    promised_date: date
    eta: date | None = None
    idempotency_key: str
    approved_by: str


class ReturnProposalDecision(BaseDecision):
    """Whether delivered lines can be returned, how, and the refund."""

    type: Literal["return_proposal"] = "return_proposal"
    order_id: str
    eligible: bool
    line_nos: list[int] = []
    method: ReturnMethod | None = None
    dropoff_node_id: str | None = None
    refund_amount: float | None = None
    refund_method: RefundMethod | None = None
    refund_expected_by: date | None = None
    seller: str | None = None
    refusals: list[Refusal] = []
    reason: str = ""


class ReturnStartedDecision(BaseDecision):
    """A return that was authorised (RMA) with its refund."""

    type: Literal["return_started"] = "return_started"
    order_id: str
    rma_id: str
    method: ReturnMethod
    dropoff_node_id: str | None = None
    line_nos: list[int] = []
    refund_id: str
    refund_amount: float
    refund_method: RefundMethod
    refund_expected_by: date
    idempotency_key: str
    approved_by: str


class RefundLine(BaseDecision):
    """One refund as a decision lists it."""

    refund_id: str
    order_id: str
    reason: RefundReason | None = None
    amount: float
    method: RefundMethod
    status: RefundStatus
    expected_by: date
    return_id: str | None = None
    case_id: str | None = None


class RefundStatusDecision(BaseDecision):
    """The refunds of a customer (or one order) and their total."""

    type: Literal["refund_status"] = "refund_status"
    customer_id: str
    order_id: str | None = None
    refunds: list[RefundLine] = Field(default_factory=list,
                                      description="refund_id, order_id, amount, method, status, expected_by.")
    total: float = 0.0


class ClaimProposalDecision(BaseDecision):
    """What the claims policy decides for a damaged, missing or never-arrived parcel."""

    type: Literal["claim_proposal"] = "claim_proposal"
    order_id: str
    kind: CaseKind
    eligible: bool
    resolution: CaseResolution | None = None
    needs_staff: bool = False
    missing_facts: list[str] = []
    refund_amount: float | None = None
    replacement_node_id: str | None = None
    replacement_eta: date | None = None
    refusals: list[Refusal] = []
    reason: str = ""


class CaseOpenedDecision(BaseDecision):
    """A claim or complaint opened as a support case."""

    type: Literal["case_opened"] = "case_opened"
    case_id: str
    kind: CaseKind
    order_id: str | None = None
    status: CaseStatus
    resolution: CaseResolution
    refund_id: str | None = None
    refund_amount: float | None = None
    replacement_order_id: str | None = None
    idempotency_key: str
    approved_by: str


class ExchangeProposalDecision(BaseDecision):
    """Whether a delivered item can be exchanged for another variant, from where and when."""

    type: Literal["exchange_proposal"] = "exchange_proposal"
    order_id: str
    line_no: int
    from_sku: str
    to_sku: str
    eligible: bool
    node_id: str | None = None
    eta: date | None = None
    price_difference: float = 0.0
    refusals: list[Refusal] = []
    reason: str = ""


class ExchangeCreatedDecision(BaseDecision):
    """An exchange that ran: the return and the replacement order."""

    type: Literal["exchange_created"] = "exchange_created"
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


class HandoffDecision(BaseDecision):
    """The conversation was queued for a person."""

    type: Literal["handoff"] = "handoff"
    reason: str
    handoff_id: int | str | None = None


class RefusalDecision(BaseDecision):
    """The turn refuses: a guard, a domain refusal or a declined approval."""

    type: Literal["refusal"] = "refusal"
    code: str
    message: str
    tool: ToolName | None = Field(None, description="The tool whose call was refused, when one was.")


Decision = Annotated[
    OrderStatusDecision
    | RerouteProposalDecision
    | RerouteExecutedDecision
    | RiskFlagDecision
    | PolicyAnswerDecision
    | AnalyticsResultDecision
    | ClarificationDecision
    | CustomerProfileDecision
    | AvailabilityDecision
    | CancelProposalDecision
    | OrderCancelledDecision
    | AddressChangeProposalDecision
    | AddressChangedDecision
    | ReturnProposalDecision
    | ReturnStartedDecision
    | RefundStatusDecision
    | ClaimProposalDecision
    | CaseOpenedDecision
    | ExchangeProposalDecision
    | ExchangeCreatedDecision
    | HandoffDecision
    | RefusalDecision,
    Field(discriminator="type"),
]
DECISION_ADAPTER: TypeAdapter[Decision] = TypeAdapter(Decision)
DECISIONS_ADAPTER: TypeAdapter[list[Decision]] = TypeAdapter(list[Decision])


def type_of(kind: type[BaseModel]) -> str:
    """The ``type`` discriminator value of one decision class."""
    return str(kind.model_fields["type"].default)


def union_types(union: Any) -> frozenset[str]:
    """Every ``type`` of a decision union (``Annotated[A | B | ..., Field(...)]``), read from the union."""
    return frozenset(type_of(member) for member in get_args(get_args(union)[0]))


#: Decision types that propose a write; an approval request takes its reason from the latest one.
PROPOSAL_TYPES = frozenset(type_of(kind) for kind in (
    RerouteProposalDecision, CancelProposalDecision, AddressChangeProposalDecision, ReturnProposalDecision,
    ClaimProposalDecision, ExchangeProposalDecision))

#: Tool error codes that mean "you may not have this": the turn refuses instead of answering.
REFUSAL_CODES = frozenset({"forbidden", "not_found", "policy_violation", "conflict", "rejected"})


def from_error(tool: str, error: Mapping[str, Any]) -> Sequence[BaseDecision]:
    """The decision a tool's error envelope supports: a clarification, a refusal, or none."""
    code = str(error.get("code") or "error")
    message = str(error.get("message") or "")
    if code == "invalid_input":
        field = error.get("field")
        return [ClarificationDecision(missing=[field] if field else [], question=message)]
    if code in REFUSAL_CODES:
        name = ToolName(tool) if tool in ToolName.__members__ else None
        return [RefusalDecision(code=code, message=message, tool=name)]
    return []


def dump(decision: BaseModel) -> dict[str, Any]:
    """A decision as the JSON dict kept in the graph state and sent on the wire."""
    return decision.model_dump(mode="json")
