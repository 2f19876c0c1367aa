"""Self-service writes as requests (DESIGN rules 3 and 4): authorized for whoever asked, when it
is asked, and described for the approval card.

The proposal services already refuse an order the asker may not act on (``NotFound``, the same
as a missing order). Here an ineligible proposal is refused too, so a request that would only
fail at execution never reaches a person; and at execution the *requester* is checked again
beside the approver, so an approval can never widen what the asker may do.
"""

from __future__ import annotations

from decimal import Decimal

from promesa.domain.actions import common
from promesa.domain.actions.records import (
    AddressChangeProposal,
    CancelProposal,
    ClaimProposal,
    ExchangeProposal,
    LineChange,
    RefundQuote,
    ReturnProposal,
)
from promesa.domain.deps import Deps
from promesa.domain.fulfillment.rights import Change, ChangeField, WriteRequest
from promesa.errors import PolicyViolation
from promesa.principal import Principal

Proposal = CancelProposal | AddressChangeProposal | ReturnProposal | ClaimProposal | ExchangeProposal


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _line(change: LineChange, field: ChangeField, verb: str) -> Change:
    """One line the action takes: its number, quantity, SKU and amount."""
    return Change(field=field, line_nos=[change.line_no], old=change.sku, quantity=change.quantity,
                  amount=float(change.amount), currency="MXN",
                  text=f"{verb} line {change.line_no}: {change.quantity} × {change.sku} ({_money(change.amount, 'MXN')})")


def _refund(refund: RefundQuote | None) -> list[Change]:
    if refund is None or refund.amount <= 0:
        return []
    return [Change(field=ChangeField.refund, new=refund.method.value, new_date=refund.expected_by,
                   amount=float(refund.amount), currency=refund.currency,
                   text=f"refund {_money(refund.amount, refund.currency)} to {refund.method.value.replace('_', ' ')} "
                   f"by {refund.expected_by.isoformat()}")]


def _changes(proposal: Proposal) -> list[Change]:
    """One record per thing that changes, from the proposal's own typed fields."""
    changes: list[Change] = []
    if isinstance(proposal, CancelProposal):
        changes = [_line(c, ChangeField.cancel, "cancel") for c in proposal.lines]
    elif isinstance(proposal, ReturnProposal):
        changes = [Change(field=ChangeField.return_, line_nos=[q.line_no], old=q.sku, quantity=q.quantity,
                          new=proposal.method.value,
                          text=f"return line {q.line_no}: {q.quantity} × {q.sku} ({q.condition.value}), "
                          f"{proposal.method.value.replace('_', ' ')}") for q in proposal.lines]
    elif isinstance(proposal, ExchangeProposal):
        changes = [Change(field=ChangeField.exchange, line_nos=[proposal.line_no], old=proposal.from_sku,
                          new=proposal.to_sku, quantity=proposal.quantity, new_date=proposal.eta,
                          text=f"exchange line {proposal.line_no}: {proposal.quantity} × {proposal.from_sku} → "
                          f"{proposal.to_sku}" + (f", shipped from {proposal.node_id}" if proposal.node_id else "")
                          + (f", new ETA {proposal.eta.isoformat()}" if proposal.eta else ""))]
    elif isinstance(proposal, AddressChangeProposal) and proposal.new_address is not None:
        address = proposal.new_address
        changes = [Change(field=ChangeField.address, new=f"{address.line1}, {address.postal_code}",
                          text=f"deliver to {address.line1}, {address.postal_code}")]
        if proposal.eta is not None:
            changes.append(Change(field=ChangeField.eta, new_date=proposal.eta,
                                  old_date=proposal.promised_date or proposal.previous_promised_date,
                                  text=f"new ETA {proposal.eta.isoformat()}"))
    elif isinstance(proposal, ClaimProposal) and proposal.resolution is not None:
        changes = [Change(field=ChangeField.claim, old=proposal.kind.value, new=proposal.resolution.value,
                          text=f"open a {proposal.kind.value} claim: {proposal.resolution.value}")]
    refund = _refund(proposal.refund if not isinstance(proposal, AddressChangeProposal) else None)
    return changes + refund or [Change(field=ChangeField.note, text=proposal.reason)]


def request_action(deps: Deps, *, action: str, order_id: str | None, proposal: Proposal) -> WriteRequest:
    """The authorized request for ``action`` on ``order_id``, built from its proposal.

    ``proposal`` was computed for ``deps.principal`` (the asker), so access is already checked.

    Raises:
        PolicyViolation: the proposal says the action is not possible; the reason is the domain's.
    """
    if not proposal.eligible:
        raise PolicyViolation(proposal.reason, order_id=order_id, action=action)
    return WriteRequest(
        action=action,
        order_id=order_id or "",
        requested_by=deps.principal.label(),
        changes=_changes(proposal),
        summary=proposal.reason,
    )


def ensure_requester_may_act(deps: Deps, requester: Principal | None, order_id: str | None) -> None:
    """At execution: the person who asked may still act on the order, whoever approved it.

    Raises:
        NotFound / Forbidden: as ``common.load_order`` for the requester.
    """
    if requester is None or order_id is None:
        return
    common.load_order(Deps(session=deps.session, principal=requester, now=deps.now, settings=deps.settings),
                      order_id)
