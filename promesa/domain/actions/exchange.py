"""Exchanges: a delivered item for another variant (size, colour) of the same product.

The item must be returnable now (the return rules of :mod:`promesa.domain.actions.returns`),
the new SKU must share the product's ``product_group``, cost no more than was paid (a cheaper
variant refunds the difference; a dearer one is a return and a new purchase, per the policy's
"exchanges"), and some node must have it available to promise. The best node is the one whose
shipment arrives first (then the nearest), computed by the reroute code. Executing it authorises
the return of the old item (an RMA) and creates a replacement order, already paid (total 0),
with the new variant reserved at that node.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from promesa.domain.actions import common, replacement, returns
from promesa.domain.actions.records import ExchangeProposal, ExchangeResult, RefundQuote, Refusal, ReturnItem
from promesa.domain.deps import Deps
from promesa.errors import InvalidInput, PolicyViolation
from promesa.store.enums import RefundMethod, RefundReason, RefundStatus, ReturnMethod, ReturnStatus
from promesa.store.models import Order, OrderLine, Product, ReturnAuthorization, ReturnLine

ACTION_EXCHANGE = "exchange_item"


def _refused(order: Order, line: OrderLine, to_sku: str, refusal: Refusal) -> ExchangeProposal:
    return ExchangeProposal(order_id=order.id, line_no=line.line_no, from_sku=line.sku, to_sku=to_sku,
                            quantity=line.quantity, eligible=False, refusals=[refusal], reason=refusal.reason)


def _assess(deps: Deps, order: Order, line_no: int, to_sku: str) -> ExchangeProposal:
    line = deps.session.scalar(select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.line_no == line_no))
    if line is None:
        raise InvalidInput(f"order {order.id} has no line {line_no}", field="line_no")
    new = deps.session.get(Product, to_sku)
    if new is None:
        raise InvalidInput(f"no product {to_sku}", field="to_sku")
    old = common.product(deps, line.sku)
    quote, refusal = returns.judge_line(deps, order, line, old, ReturnItem(line_no=line_no), common.today(deps))
    if refusal is not None:
        return _refused(order, line, to_sku, refusal)
    assert quote is not None  # judge_line answers a quote or a refusal, never neither
    quantity = quote.quantity  # the units not yet returned (or exchanged) on this line
    if old.product_group is None or old.product_group != new.product_group or new.sku == old.sku:
        return _refused(order, line, to_sku, Refusal(
            line_no=line_no, code="not_a_variant", alternatives=["return it and buy the other product"],
            reason=f"{to_sku} is not another size or colour of {old.name}"))
    paid = Decimal(line.unit_price) * quantity
    price = Decimal(new.price) * quantity
    if price > paid:
        return _refused(order, line, to_sku, Refusal(
            line_no=line_no, code="price_higher", alternatives=["return it and buy the new variant"],
            reason=f"{to_sku} costs {price} {order.currency}, more than the {paid} paid"))
    best = replacement.best_source(deps, order, [replacement.Item(to_sku, quantity)])
    if best is None:
        return _refused(order, line, to_sku, Refusal(
            line_no=line_no, code="out_of_stock", alternatives=["return it for a refund", "ask again later"],
            reason=f"no node has {quantity} of {to_sku} available to send"))
    node_id, eta = best.node_id, best.eta
    difference = paid - price
    refund = None
    if difference > 0:
        refund = RefundQuote(amount=min(difference, common.refundable(deps, order)), currency=order.currency,
                             method=RefundMethod.original_payment,
                             expected_by=common.refund_date(deps, RefundMethod.original_payment))
    return ExchangeProposal(
        order_id=order.id, line_no=line_no, from_sku=line.sku, to_sku=to_sku, variant=new.variant,
        quantity=quantity, eligible=True, node_id=node_id, eta=eta,
        price_difference=difference, refund=refund,
        reason=(f"sends {quantity} × {to_sku} ({new.variant or new.name}) from {node_id}, arriving "
                f"{eta}; return line {line_no} at a store or by carrier"),
    )


def propose_exchange(deps: Deps, order_id: str, *, line_no: int, to_sku: str) -> ExchangeProposal:
    """Whether line ``line_no`` can be exchanged for ``to_sku``, from which node and when."""
    order = common.load_order(deps, order_id)
    return _assess(deps, order, line_no, to_sku)


def exchange_item(deps: Deps, *, order_id: str, line_no: int, to_sku: str, idempotency_key: str,
                  method: ReturnMethod = ReturnMethod.store_dropoff, approved_by: str | None = None,
                  note: str | None = None) -> ExchangeResult:
    """Authorise the return and create the replacement order (new variant reserved); once per key."""
    key = common.check_key(idempotency_key)
    approved_by = approved_by or deps.principal.label()
    order = common.load_order(deps, order_id, lock=True)

    def work() -> ExchangeResult:
        p = _assess(deps, order, line_no, to_sku)
        if not p.eligible or p.node_id is None or p.eta is None:
            raise PolicyViolation(p.reason, order_id=order_id, refusals=[r.model_dump(mode="json") for r in p.refusals])
        rmas = deps.session.scalar(select(func.count()).select_from(ReturnAuthorization)
                                   .where(ReturnAuthorization.order_id == order_id)) or 0
        dropoff = returns.dropoff_store(deps, order, None) if method is ReturnMethod.store_dropoff else None
        rma = ReturnAuthorization(id=f"RMA-{order_id}-{rmas + 1}", order_id=order_id, customer_id=order.customer_id,
                                  created_at=deps.now, status=ReturnStatus.authorized, method=method,
                                  dropoff_node_id=dropoff, reason=f"exchange for {to_sku}")
        deps.session.add(rma)
        deps.session.flush()
        line_id = deps.session.scalar(select(OrderLine.id).where(OrderLine.order_id == order_id,
                                                                 OrderLine.line_no == line_no))
        deps.session.add(ReturnLine(return_id=rma.id, order_line_id=line_id, quantity=p.quantity,
                                    condition="unopened", refund_amount=p.price_difference))
        # the new variant reserved and the paid replacement order, in this same transaction
        new_id = replacement.create(deps, order, [replacement.Item(to_sku, p.quantity)],
                                    replacement.Source(p.node_id, p.eta),
                                    note=f"exchange for {order_id} line {line_no} ({rma.id}); already paid")
        refund = None
        if p.refund is not None:
            refund = common.add_refund(deps, order, p.refund.amount, reason=RefundReason.return_,
                                       method=p.refund.method, status=RefundStatus.pending,
                                       expected_by=p.refund.expected_by, return_id=rma.id)
        deps.session.flush()
        return ExchangeResult(order_id=order_id, line_no=line_no, rma_id=rma.id, new_order_id=new_id, to_sku=to_sku,
                              node_id=p.node_id, eta=p.eta, refund_id=refund.id if refund else None,
                              idempotency_key=key, approved_by=approved_by, executed_at=deps.now)

    return common.run_once(deps, key=key, action=ACTION_EXCHANGE, entity_id=order_id, kind=ExchangeResult,
                           work=work, audit_details=lambda r: {"approved_by": approved_by, "note": note,
                                                               "rma_id": r.rma_id, "new_order_id": r.new_order_id})
