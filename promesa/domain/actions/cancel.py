"""Cancelling an order or some of its lines while nothing of them is picked.

Eligibility follows the cancellations policy: a line cancels free of charge before picking
(allocated or backordered); a pickup order also until it is collected. A picked, packed, shipped
or delivered line cannot be cancelled, and the refusal names the line, its state and what the
customer can do instead (refuse the delivery, return it). Cancelling releases the line's
reservation at its node (the ``node_load`` triggers drop its capacity use) and records the refund
to the original payment method, issued at once.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, update

from promesa.domain.actions import common
from promesa.domain.actions.records import (
    CancelProposal,
    CancelResult,
    LineChange,
    RefundQuote,
    Refusal,
)
from promesa.domain.deps import Deps
from promesa.domain.policy import RETURN_WINDOW_DAYS
from promesa.errors import InvalidInput, PolicyViolation
from promesa.store.db import rows_matched
from promesa.store.enums import (
    RESERVING_LINE_STATES,
    FulfillmentType,
    LineStatus,
    OrderStatus,
    RefundMethod,
    RefundReason,
    RefundStatus,
)
from promesa.store.models import InventoryPosition, Order, OrderLine

ACTION_CANCEL = "cancel_order"
#: Line states a cancellation may always take back (nothing picked yet).
CANCELLABLE = frozenset({LineStatus.allocated, LineStatus.backordered})
_RETURN_HINT = f"return it within {RETURN_WINDOW_DAYS} days of delivery, without paying the return shipping"


def _refusal(order: Order, line: OrderLine) -> Refusal | None:
    """Why ``line`` cannot be cancelled now (None when it can)."""
    if line.status in CANCELLABLE:
        return None
    if (order.fulfillment_type is FulfillmentType.pickup and order.status is OrderStatus.ready_for_pickup
            and line.status in RESERVING_LINE_STATES):
        return None  # a pickup order cancels until it is collected (policy "pickup-and-same-day")
    no = line.line_no
    if line.status is LineStatus.cancelled:
        return Refusal(line_no=no, code="already_cancelled", reason=f"line {no} is already cancelled")
    if line.status in (LineStatus.picked, LineStatus.packed):
        return Refusal(
            line_no=no, code="line_picked",
            reason=f"line {no} ({line.sku}) is already {line.status.value}; it can't be cancelled",
            alternatives=["refuse the delivery at the door", _RETURN_HINT],
        )
    if line.status is LineStatus.shipped:
        return Refusal(
            line_no=no, code="line_shipped",
            reason=f"line {no} ({line.sku}) has shipped; a shipped order can't be cancelled",
            alternatives=["refuse the delivery at the door", "return it once delivered"],
        )
    return Refusal(
        line_no=no, code="line_delivered",
        reason=f"line {no} ({line.sku}) was delivered; it can't be cancelled",
        alternatives=["start a return inside the return window"],
    )


def _select(order: Order, lines: list[OrderLine], line_nos: list[int] | None) -> list[OrderLine]:
    if line_nos is None:
        return [ln for ln in lines if ln.status is not LineStatus.cancelled] or lines
    if not line_nos:
        raise InvalidInput("name at least one line, or none for the whole order", field="line_nos")
    known = {ln.line_no: ln for ln in lines}
    unknown = sorted(set(line_nos) - set(known))
    if unknown:
        raise InvalidInput(f"order {order.id} has no line(s) {unknown}", field="line_nos")
    return [known[no] for no in sorted(set(line_nos))]


def _assess(deps: Deps, order: Order, lines: list[OrderLine], line_nos: list[int] | None) -> CancelProposal:
    selected = _select(order, lines, line_nos)
    refusals = [r for r in (_refusal(order, ln) for ln in selected) if r is not None]
    changes = [
        LineChange(line_no=ln.line_no, sku=ln.sku, quantity=ln.quantity, status=ln.status.value,
                   node_id=ln.allocated_node_id, amount=Decimal(ln.unit_price) * ln.quantity)
        for ln in selected
    ]
    chosen = {ln.line_no for ln in selected}
    whole = all(ln.status is LineStatus.cancelled or ln.line_no in chosen for ln in lines)
    if order.status is OrderStatus.cancelled:
        refusals = [Refusal(code="order_cancelled", reason=f"order {order.id} is already cancelled")]
    if refusals:
        open_nos = [ln.line_no for ln in lines
                    if order.status is not OrderStatus.cancelled and _refusal(order, ln) is None]
        reason = "; ".join(r.reason for r in refusals)
        if open_nos:
            reason += f". Line(s) {open_nos} can still be cancelled on their own"
        return CancelProposal(order_id=order.id, eligible=False, lines=changes, whole_order=whole,
                              refusals=refusals, reason=reason)
    amount = common.refundable(deps, order) if whole else min(
        sum((c.amount for c in changes), Decimal(0)), common.refundable(deps, order))
    method = RefundMethod.original_payment
    refund = RefundQuote(amount=amount, currency=order.currency, method=method,
                         expected_by=common.refund_date(deps, method)) if amount > 0 else None
    what = f"the whole order {order.id}" if whole else f"line(s) {sorted(chosen)} of {order.id}"
    money = f"; {amount} {order.currency} back to the original payment by {refund.expected_by}" if refund else ""
    return CancelProposal(order_id=order.id, eligible=True, lines=changes, whole_order=whole,
                          refund=refund, reason=f"cancels {what}{money}")


def _lines(deps: Deps, order_id: str, *, lock: bool) -> list[OrderLine]:
    query = select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(deps.session.scalars(query))


def propose_cancel(deps: Deps, order_id: str, *, line_nos: list[int] | None = None) -> CancelProposal:
    """What cancelling ``order_id`` (or ``line_nos``) would change, or precisely why it can't.

    Raises:
        NotFound: the order does not exist or is not the principal's.
        Forbidden: an anonymous visitor.
        InvalidInput: unknown line numbers.
    """
    order = common.load_order(deps, order_id)
    return _assess(deps, order, _lines(deps, order_id, lock=False), line_nos)


def _release(deps: Deps, lines: list[OrderLine]) -> list[dict[str, object]]:
    """Give back the reservations of ``lines`` at their nodes (rows locked in a fixed order)."""
    wanted: dict[tuple[str, str], int] = {}
    for ln in lines:
        if ln.status in RESERVING_LINE_STATES and ln.allocated_node_id:
            key = (ln.allocated_node_id, ln.sku)
            wanted[key] = wanted.get(key, 0) + ln.quantity
    released = []
    pos = InventoryPosition
    for node_id, sku in sorted(wanted):
        held = deps.session.scalar(select(pos.reserved).where(pos.node_id == node_id, pos.sku == sku)
                                   .with_for_update())
        qty = min(wanted[(node_id, sku)], held or 0)
        if qty:
            deps.session.execute(update(pos).where(pos.node_id == node_id, pos.sku == sku)
                                 .values(reserved=pos.reserved - qty)
                                 .execution_options(synchronize_session=False))
        released.append({"node_id": node_id, "sku": sku, "quantity": qty})
    return released


def cancel_order(deps: Deps, *, order_id: str, idempotency_key: str, line_nos: list[int] | None = None,
                 approved_by: str | None = None, note: str | None = None) -> CancelResult:
    """Cancel the order (or ``line_nos``) after confirmation; the same key twice changes nothing.

    Re-checks every line under lock: a line picked since the proposal is refused with its reason.

    Raises:
        NotFound / Forbidden / InvalidInput: as :func:`propose_cancel`.
        PolicyViolation: a selected line can no longer be cancelled (details carry ``refusals``).
    """
    key = common.check_key(idempotency_key)
    approved_by = approved_by or deps.principal.label()
    order = common.load_order(deps, order_id, lock=True)

    def work() -> CancelResult:
        lines = _lines(deps, order_id, lock=True)
        proposal = _assess(deps, order, lines, line_nos)
        if not proposal.eligible:
            raise PolicyViolation(proposal.reason, order_id=order_id,
                                  refusals=[r.model_dump(mode="json") for r in proposal.refusals])
        chosen = [ln for ln in lines if ln.line_no in {c.line_no for c in proposal.lines}]
        for ln in chosen:
            # guarded: a pick committed by another transaction makes this match nothing
            done = rows_matched(deps.session, (
                update(OrderLine).where(OrderLine.id == ln.id, OrderLine.status == ln.status)
                .values(status=LineStatus.cancelled).execution_options(synchronize_session=False)))
            if done != 1:
                raise PolicyViolation(f"line {ln.line_no} changed while cancelling; it can't be cancelled",
                                      order_id=order_id, line_no=ln.line_no)
        released = _release(deps, chosen)
        for ln in chosen:
            deps.session.expire(ln)
        if proposal.whole_order:
            order.status = OrderStatus.cancelled
        refund = None
        if proposal.refund is not None:
            refund = common.add_refund(
                deps, order, proposal.refund.amount, reason=RefundReason.cancellation,
                method=proposal.refund.method, status=RefundStatus.issued,
                expected_by=proposal.refund.expected_by)
        return CancelResult(
            order_id=order_id, order_status=order.status.value, cancelled=proposal.lines,
            released=released, refund_id=refund.id if refund else None,
            refund=proposal.refund if refund else None, idempotency_key=key,
            approved_by=approved_by, executed_at=deps.now,
        )

    return common.run_once(
        deps, key=key, action=ACTION_CANCEL, entity_id=order_id, kind=CancelResult, work=work,
        audit_details=lambda r: {"approved_by": approved_by, "note": note,
                                 "lines": [c.line_no for c in r.cancelled], "released": r.released,
                                 "refund_id": r.refund_id},
    )
