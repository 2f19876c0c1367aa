"""The typed decisions of the self-service actions (cancel, address change, return, refund
status, claims, complaints): one proposal and one result record per action, built only from the
tool results of promesa.domain.actions. :mod:`agent.decisions` puts them in the union.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Decision(BaseModel):
    model_config = ConfigDict(frozen=True)


class CancelProposalDecision(_Decision):
    """Whether an order (or lines) can be cancelled: what would change, or why not (rule 1)."""

    type: Literal["cancel_proposal"] = "cancel_proposal"
    order_id: str
    eligible: bool
    line_nos: list[int] = []
    whole_order: bool = False
    refund_amount: float | None = None
    refund_expected_by: date | None = None
    refusals: list[dict[str, Any]] = Field(default_factory=list, description="code, line_no, reason, alternatives.")
    reason: str = ""


class OrderCancelledDecision(_Decision):
    type: Literal["order_cancelled"] = "order_cancelled"
    order_id: str
    order_status: str
    line_nos: list[int] = []
    released: list[dict[str, Any]] = []
    refund_id: str | None = None
    refund_amount: float | None = None
    idempotency_key: str
    approved_by: str


class AddressChangeProposalDecision(_Decision):
    type: Literal["address_change_proposal"] = "address_change_proposal"
    order_id: str
    eligible: bool
    city: str | None = None
    eta: date | None = None
    previous_promised_date: date | None = None
    promised_date: date | None = None
    keeps_promise: bool = False
    alternatives: list[dict[str, Any]] = []
    refusals: list[dict[str, Any]] = []
    reason: str = ""


class AddressChangedDecision(_Decision):
    type: Literal["address_changed"] = "address_changed"
    order_id: str
    address_id: str
    promised_date: date
    eta: date | None = None
    idempotency_key: str
    approved_by: str


class ReturnProposalDecision(_Decision):
    type: Literal["return_proposal"] = "return_proposal"
    order_id: str
    eligible: bool
    line_nos: list[int] = []
    method: str | None = None
    dropoff_node_id: str | None = None
    refund_amount: float | None = None
    refund_method: str | None = None
    refund_expected_by: date | None = None
    seller: str | None = None
    refusals: list[dict[str, Any]] = []
    reason: str = ""


class ReturnStartedDecision(_Decision):
    type: Literal["return_started"] = "return_started"
    order_id: str
    rma_id: str
    method: str
    dropoff_node_id: str | None = None
    line_nos: list[int] = []
    refund_id: str
    refund_amount: float
    refund_method: str
    refund_expected_by: date
    idempotency_key: str
    approved_by: str


class RefundStatusDecision(_Decision):
    type: Literal["refund_status"] = "refund_status"
    customer_id: str
    order_id: str | None = None
    refunds: list[dict[str, Any]] = Field(default_factory=list,
                                          description="refund_id, order_id, amount, method, status, expected_by.")
    total: float = 0.0


class ClaimProposalDecision(_Decision):
    type: Literal["claim_proposal"] = "claim_proposal"
    order_id: str
    kind: str
    eligible: bool
    resolution: str | None = None
    needs_staff: bool = False
    missing_facts: list[str] = []
    refund_amount: float | None = None
    replacement_node_id: str | None = None
    replacement_eta: date | None = None
    refusals: list[dict[str, Any]] = []
    reason: str = ""


class CaseOpenedDecision(_Decision):
    type: Literal["case_opened"] = "case_opened"
    case_id: str
    kind: str
    order_id: str | None = None
    status: str
    resolution: str
    refund_id: str | None = None
    refund_amount: float | None = None
    replacement_order_id: str | None = None
    idempotency_key: str
    approved_by: str


class ExchangeProposalDecision(_Decision):
    type: Literal["exchange_proposal"] = "exchange_proposal"
    order_id: str
    line_no: int
    from_sku: str
    to_sku: str
    eligible: bool
    node_id: str | None = None
    eta: date | None = None
    price_difference: float = 0.0
    refusals: list[dict[str, Any]] = []
    reason: str = ""


class ExchangeCreatedDecision(_Decision):
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


def _refusals(r: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: x.get(k) for k in ("code", "line_no", "reason", "alternatives")} for x in r.get("refusals") or []]


def _money(quote: dict[str, Any] | None, key: str = "amount") -> Any:
    return (quote or {}).get(key)


def _cancel_proposal(r: dict[str, Any]) -> list[_Decision]:
    return [CancelProposalDecision(
        order_id=r["order_id"], eligible=r["eligible"], line_nos=[ln["line_no"] for ln in r.get("lines", [])],
        whole_order=r.get("whole_order", False), refund_amount=_money(r.get("refund")),
        refund_expected_by=_money(r.get("refund"), "expected_by"), refusals=_refusals(r), reason=r.get("reason", ""),
    )]


def _cancelled(r: dict[str, Any]) -> list[_Decision]:
    return [OrderCancelledDecision(
        order_id=r["order_id"], order_status=r["order_status"], line_nos=[c["line_no"] for c in r.get("cancelled", [])],
        released=r.get("released", []), refund_id=r.get("refund_id"), refund_amount=_money(r.get("refund")),
        idempotency_key=r["idempotency_key"], approved_by=r["approved_by"],
    )]


def _address_proposal(r: dict[str, Any]) -> list[_Decision]:
    return [AddressChangeProposalDecision(
        order_id=r["order_id"], eligible=r["eligible"], city=(r.get("new_address") or {}).get("city"),
        eta=r.get("eta"), previous_promised_date=r.get("previous_promised_date"),
        promised_date=r.get("promised_date"), keeps_promise=r.get("keeps_promise", False),
        alternatives=r.get("alternatives", []), refusals=_refusals(r), reason=r.get("reason", ""),
    )]


def _address_changed(r: dict[str, Any]) -> list[_Decision]:
    return [AddressChangedDecision.model_validate(r)]


def _return_proposal(r: dict[str, Any]) -> list[_Decision]:
    refund = r.get("refund")
    return [ReturnProposalDecision(
        order_id=r["order_id"], eligible=r["eligible"], line_nos=[q["line_no"] for q in r.get("lines", [])],
        method=r.get("method"), dropoff_node_id=r.get("dropoff_node_id"), refund_amount=_money(refund),
        refund_method=_money(refund, "method"), refund_expected_by=_money(refund, "expected_by"),
        seller=r.get("seller"), refusals=_refusals(r), reason=r.get("reason", ""),
    )]


def _return_started(r: dict[str, Any]) -> list[_Decision]:
    refund = r["refund"]
    return [ReturnStartedDecision(
        order_id=r["order_id"], rma_id=r["rma_id"], method=r["method"], dropoff_node_id=r.get("dropoff_node_id"),
        line_nos=[q["line_no"] for q in r.get("lines", [])], refund_id=r["refund_id"], refund_amount=refund["amount"],
        refund_method=refund["method"], refund_expected_by=refund["expected_by"],
        idempotency_key=r["idempotency_key"], approved_by=r["approved_by"],
    )]


def _refund_status(r: dict[str, Any]) -> list[_Decision]:
    keys = ("refund_id", "order_id", "reason", "amount", "method", "status", "expected_by", "return_id", "case_id")
    return [RefundStatusDecision(customer_id=r["customer_id"], order_id=r.get("order_id"), total=r.get("total", 0),
                                 refunds=[{k: v.get(k) for k in keys} for v in r.get("refunds", [])])]


def _claim_proposal(r: dict[str, Any]) -> list[_Decision]:
    return [ClaimProposalDecision(
        order_id=r["order_id"], kind=r["kind"], eligible=r["eligible"], resolution=r.get("resolution"),
        needs_staff=r.get("needs_staff", False), missing_facts=r.get("missing_facts", []),
        refund_amount=_money(r.get("refund")), replacement_node_id=r.get("replacement_node_id"),
        replacement_eta=r.get("replacement_eta"), refusals=_refusals(r), reason=r.get("reason", ""),
    )]


def _case(r: dict[str, Any]) -> list[_Decision]:
    return [CaseOpenedDecision(
        case_id=r["case_id"], kind=r["kind"], order_id=r.get("order_id"), status=r["status"],
        resolution=r["resolution"], refund_id=r.get("refund_id"), refund_amount=_money(r.get("refund")),
        replacement_order_id=r.get("replacement_order_id"), idempotency_key=r["idempotency_key"], approved_by=r["approved_by"],
    )]



def _exchange_proposal(r: dict[str, Any]) -> list[_Decision]:
    return [ExchangeProposalDecision.model_validate({**r, "refusals": _refusals(r)})]


def _exchange_created(r: dict[str, Any]) -> list[_Decision]:
    return [ExchangeCreatedDecision.model_validate(r)]


ACTION_BUILDERS = {
    "propose_cancel": _cancel_proposal,
    "cancel_order": _cancelled,
    "propose_address_change": _address_proposal,
    "change_address": _address_changed,
    "propose_return": _return_proposal,
    "start_return": _return_started,
    "get_refund_status": _refund_status,
    "propose_claim": _claim_proposal,
    "open_claim": _case,
    "file_complaint": _case,
    "propose_exchange": _exchange_proposal,
    "exchange_item": _exchange_created,
}
