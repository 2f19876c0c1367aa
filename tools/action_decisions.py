"""The decisions the self-service records support (the ``decisions=`` of :mod:`tools.actions`).

Each function takes the typed record a domain service returned (promesa.domain.actions.records)
and projects it onto its decision; money stays a JSON number on the wire, as it always was.
"""

from __future__ import annotations

from collections.abc import Sequence

from promesa.domain.actions.records import (
    AddressChangeProposal,
    AddressChangeResult,
    CancelProposal,
    CancelResult,
    CaseResult,
    ClaimProposal,
    ExchangeProposal,
    ExchangeResult,
    RefundQuote,
    RefundStatusResult,
    ReturnProposal,
    ReturnResult,
)
from tools.decisions import (
    AddressChangedDecision,
    AddressChangeProposalDecision,
    BaseDecision,
    CancelProposalDecision,
    CaseOpenedDecision,
    ClaimProposalDecision,
    ExchangeCreatedDecision,
    ExchangeProposalDecision,
    OrderCancelledDecision,
    RefundLine,
    RefundStatusDecision,
    ReturnProposalDecision,
    ReturnStartedDecision,
)


def _amount(refund: RefundQuote | None) -> float | None:
    return float(refund.amount) if refund is not None else None


def cancel_proposal(p: CancelProposal) -> Sequence[BaseDecision]:
    """What a cancellation would change, or why not."""
    return [CancelProposalDecision(
        order_id=p.order_id, eligible=p.eligible, line_nos=[ln.line_no for ln in p.lines],
        whole_order=p.whole_order, refund_amount=_amount(p.refund),
        refund_expected_by=p.refund.expected_by if p.refund else None, refusals=p.refusals, reason=p.reason,
    )]


def cancelled(r: CancelResult) -> Sequence[BaseDecision]:
    """A cancellation that ran."""
    return [OrderCancelledDecision(
        order_id=r.order_id, order_status=r.order_status, line_nos=[c.line_no for c in r.cancelled],
        released=[dict(x) for x in r.released], refund_id=r.refund_id, refund_amount=_amount(r.refund),
        idempotency_key=r.idempotency_key, approved_by=r.approved_by,
    )]


def address_proposal(p: AddressChangeProposal) -> Sequence[BaseDecision]:
    """What a new address does to the promise, or why it cannot be used."""
    return [AddressChangeProposalDecision(
        order_id=p.order_id, eligible=p.eligible, city=p.new_address.city if p.new_address else None,
        eta=p.eta, previous_promised_date=p.previous_promised_date, promised_date=p.promised_date,
        keeps_promise=p.keeps_promise, alternatives=[dict(a) for a in p.alternatives], refusals=p.refusals,
        reason=p.reason,
    )]


def address_changed(r: AddressChangeResult) -> Sequence[BaseDecision]:
    """An address change that ran."""
    return [AddressChangedDecision(
        order_id=r.order_id, address_id=r.address_id, promised_date=r.promised_date, eta=r.eta,
        idempotency_key=r.idempotency_key, approved_by=r.approved_by,
    )]


def return_proposal(p: ReturnProposal) -> Sequence[BaseDecision]:
    """Whether the lines can be returned, how, and the refund."""
    refund = p.refund
    return [ReturnProposalDecision(
        order_id=p.order_id, eligible=p.eligible, line_nos=[q.line_no for q in p.lines], method=p.method,
        dropoff_node_id=p.dropoff_node_id, refund_amount=_amount(refund),
        refund_method=refund.method if refund else None, refund_expected_by=refund.expected_by if refund else None,
        seller=p.seller, refusals=p.refusals, reason=p.reason,
    )]


def return_started(r: ReturnResult) -> Sequence[BaseDecision]:
    """A return that was authorised, with its refund."""
    return [ReturnStartedDecision(
        order_id=r.order_id, rma_id=r.rma_id, method=r.method, dropoff_node_id=r.dropoff_node_id,
        line_nos=[q.line_no for q in r.lines], refund_id=r.refund_id, refund_amount=float(r.refund.amount),
        refund_method=r.refund.method, refund_expected_by=r.refund.expected_by,
        idempotency_key=r.idempotency_key, approved_by=r.approved_by,
    )]


def refund_status(r: RefundStatusResult) -> Sequence[BaseDecision]:
    """The refunds and their total."""
    refunds = [RefundLine(
        refund_id=v.refund_id, order_id=v.order_id, reason=v.reason, amount=float(v.amount), method=v.method,
        status=v.status, expected_by=v.expected_by, return_id=v.return_id, case_id=v.case_id,
    ) for v in r.refunds]
    return [RefundStatusDecision(customer_id=r.customer_id, order_id=r.order_id, total=float(r.total), refunds=refunds)]


def claim_proposal(p: ClaimProposal) -> Sequence[BaseDecision]:
    """What the claims policy decides, and which facts it still needs."""
    return [ClaimProposalDecision(
        order_id=p.order_id, kind=p.kind, eligible=p.eligible, resolution=p.resolution, needs_staff=p.needs_staff,
        missing_facts=p.missing_facts, refund_amount=_amount(p.refund), replacement_node_id=p.replacement_node_id,
        replacement_eta=p.replacement_eta, refusals=p.refusals, reason=p.reason,
    )]


def case_opened(r: CaseResult) -> Sequence[BaseDecision]:
    """A claim or complaint opened as a case."""
    return [CaseOpenedDecision(
        case_id=r.case_id, kind=r.kind, order_id=r.order_id, status=r.status, resolution=r.resolution,
        refund_id=r.refund_id, refund_amount=_amount(r.refund), replacement_order_id=r.replacement_order_id,
        idempotency_key=r.idempotency_key, approved_by=r.approved_by,
    )]


def exchange_proposal(p: ExchangeProposal) -> Sequence[BaseDecision]:
    """Whether the exchange works, from which node and when."""
    return [ExchangeProposalDecision(
        order_id=p.order_id, line_no=p.line_no, from_sku=p.from_sku, to_sku=p.to_sku, eligible=p.eligible,
        node_id=p.node_id, eta=p.eta, price_difference=float(p.price_difference), refusals=p.refusals,
        reason=p.reason,
    )]


def exchange_created(r: ExchangeResult) -> Sequence[BaseDecision]:
    """An exchange that ran."""
    return [ExchangeCreatedDecision(
        order_id=r.order_id, line_no=r.line_no, rma_id=r.rma_id, new_order_id=r.new_order_id, to_sku=r.to_sku,
        node_id=r.node_id, eta=r.eta, refund_id=r.refund_id, idempotency_key=r.idempotency_key,
        approved_by=r.approved_by,
    )]
