"""Returns: an RMA for delivered items inside their window, with method, refund and its date.

The rules are the returns policy's, with its numbers from :mod:`promesa.domain.policy`:

* only delivered (or collected) lines, each unit at most once;
* the window runs from the delivery day: ``RETURN_WINDOW_DAYS``, electronics
  ``RETURN_WINDOW_ELECTRONICS_DAYS``; marketplace items follow their seller, never shorter than
  ``RETURN_WINDOW_MARKETPLACE_DAYS`` (the world records no seller windows, so the minimum holds);
* categories that cannot be returned (underwear, swimwear, earrings, personal care, perishable,
  personalised, downloadable) and damaged items are not a return: the refusal points to a
  damaged-item claim; items with signs of use are refused (policy "condition");
* the customer drops the parcel at a pickup store (the nearest, unless one is named) or books a
  carrier pickup; the refund (pending until the item is received) goes to the original payment
  or to store credit, and its date counts the policy's business days from the hand-over.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from promesa.domain import eta
from promesa.domain.actions import common
from promesa.domain.actions.records import (
    RefundQuote,
    Refusal,
    ReturnItem,
    ReturnLineQuote,
    ReturnProposal,
    ReturnResult,
)
from promesa.domain.calendar import add_working_days, distance_km
from promesa.domain.deps import Deps
from promesa.domain.policy import RETURN_WINDOW_MARKETPLACE_DAYS
from promesa.errors import InvalidInput, PolicyViolation
from promesa.store.enums import (
    ItemCondition,
    LineStatus,
    RefundMethod,
    RefundReason,
    RefundStatus,
    ReturnMethod,
    ReturnStatus,
    TrackingEventType,
)
from promesa.store.models import (
    Address,
    Node,
    Order,
    OrderLine,
    Product,
    ReturnAuthorization,
    ReturnLine,
    Shipment,
    TrackingEvent,
)

ACTION_RETURN = "start_return"
#: Categories the policy excludes from returns unless they arrived defective (English and the
#: demo catalogue's Spanish names).
NON_RETURNABLE = frozenset({
    "underwear", "ropa interior", "swimwear", "trajes de baño", "earrings", "aretes",
    "personal care", "personal_care", "cuidado personal", "belleza", "perishable", "perecederos",
    "personalised", "personalizados", "downloadable", "digital",
})
#: Working days between booking a carrier pickup and the parcel reaching us (drop-off: same day).
_HANDOVER_DAYS = {ReturnMethod.store_dropoff: 0, ReturnMethod.carrier_pickup: 1}


def delivered_day(deps: Deps, order: Order, line: OrderLine) -> date | None:
    """The local day the line was delivered or collected (its shipment, else the tracking)."""
    session = deps.session
    moment = None
    if line.shipment_id:
        moment = session.scalar(select(Shipment.delivered_at).where(Shipment.id == line.shipment_id))
    if moment is None:
        moment = session.scalar(select(func.max(Shipment.delivered_at)).where(Shipment.order_id == order.id))
    if moment is None:
        moment = session.scalar(select(func.max(TrackingEvent.occurred_at)).where(
            TrackingEvent.order_id == order.id,
            TrackingEvent.type.in_([TrackingEventType.delivered, TrackingEventType.picked_up_by_customer])))
    return moment.astimezone(deps.settings.tz).date() if moment else None


def window_days(product: Product) -> int:
    """The product's return window in days (its category's, or the marketplace's when longer)."""
    days = eta.return_window_days(frozenset({product.category}))
    if product.marketplace_seller:
        days = max(days, RETURN_WINDOW_MARKETPLACE_DAYS)
    return days


def _returned(deps: Deps, line_id: int) -> int:
    return int(deps.session.scalar(select(func.coalesce(func.sum(ReturnLine.quantity), 0))
                                   .where(ReturnLine.order_line_id == line_id)) or 0)


def judge_line(deps: Deps, order: Order, line: OrderLine, product: Product, item: ReturnItem,
           today: date) -> tuple[ReturnLineQuote | None, Refusal | None]:
    """Whether ``item`` of ``line`` may be returned ``today``: its quote, or the refusal saying why not.

    Exactly one of the pair is set."""
    no = line.line_no
    if line.status is not LineStatus.delivered:
        hint = ["cancel it while it is not picked"] if line.status in (
            LineStatus.allocated, LineStatus.backordered) else ["refuse the delivery at the door"]
        return None, Refusal(line_no=no, code="not_delivered", alternatives=hint,
                             reason=f"line {no} is {line.status.value}; it can be returned once delivered")
    day = delivered_day(deps, order, line)
    if day is None:
        return None, Refusal(line_no=no, code="no_delivery_date", alternatives=["ask support to check"],
                             reason=f"line {no} is marked delivered but no delivery date is recorded")
    ends = day + timedelta(days=window_days(product))
    category = product.category.casefold()
    if item.condition is ItemCondition.damaged:
        return None, Refusal(line_no=no, code="damaged_is_a_claim", alternatives=["report it as damaged"],
                             reason=f"line {no} arrived damaged: that is a damage claim, not a return")
    if category in NON_RETURNABLE:
        return None, Refusal(line_no=no, code="category_excluded",
                             alternatives=["report it as damaged if it arrived defective"],
                             reason=f"line {no} ({product.category}) cannot be returned unless it arrived defective")
    if item.condition is ItemCondition.used:
        return None, Refusal(line_no=no, code="item_used", alternatives=["a warranty claim if it is defective"],
                             reason=f"line {no} shows signs of use; returns must be complete and unused")
    if today > ends:
        return None, Refusal(line_no=no, code="window_closed", alternatives=["a warranty claim if it is defective"],
                             reason=f"line {no}'s return window ({window_days(product)} days from "
                                    f"delivery on {day}) ended on {ends}")
    left = line.quantity - _returned(deps, line.id)
    qty = item.quantity or left
    if left <= 0 or qty > left:
        return None, Refusal(line_no=no, code="already_returned",
                             reason=f"line {no} has {max(left, 0)} unit(s) left to return, not {qty}")
    return ReturnLineQuote(line_no=no, sku=line.sku, quantity=qty, condition=item.condition,
                           window_ends=ends, amount=Decimal(line.unit_price) * qty), None


def dropoff_store(deps: Deps, order: Order, node_id: str | None) -> str:
    """The store that takes the return: ``node_id`` if given, else the one nearest the order's address
    (the first by id when the order has none).

    Raises:
        InvalidInput: ``node_id`` is not an active pickup store, or no store takes drop-offs."""
    if node_id:
        node = deps.session.get(Node, node_id)
        if node is None or not node.pickup or not node.active:
            raise InvalidInput(f"{node_id} is not a store that takes returns", field="dropoff_node_id")
        return node.id
    address = deps.session.get(Address, order.ship_to_id) if order.ship_to_id else None
    stores = deps.session.scalars(select(Node).where(Node.pickup.is_(True), Node.active.is_(True))
                                  .order_by(Node.id)).all()
    if not stores:
        raise InvalidInput("no store takes drop-offs; choose a carrier pickup", field="method")
    if address is None:
        return stores[0].id
    return min(stores, key=lambda n: (distance_km(address.lat, address.lon, n.lat, n.lon), n.id)).id


def _assess(deps: Deps, order: Order, items: list[ReturnItem] | None, method: ReturnMethod,
            refund_method: RefundMethod, dropoff_node_id: str | None) -> ReturnProposal:
    rows = deps.session.execute(
        select(OrderLine, Product).join(Product, Product.sku == OrderLine.sku)
        .where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)).all()
    by_no = {ln.line_no: (ln, p) for ln, p in rows}
    wanted = items if items is not None else [
        ReturnItem(line_no=ln.line_no) for ln, _p in rows if ln.status is LineStatus.delivered]
    if not wanted:
        wanted = [ReturnItem(line_no=ln.line_no) for ln, _p in rows]
    unknown = sorted({i.line_no for i in wanted} - set(by_no))
    if unknown:
        raise InvalidInput(f"order {order.id} has no line(s) {unknown}", field="items")
    today = common.today(deps)
    quotes, refusals = [], []
    for item in wanted:
        quote, refusal = judge_line(deps, order, *by_no[item.line_no], item, today)
        quotes += [quote] if quote else []
        refusals += [refusal] if refusal else []
    node = dropoff_store(deps, order, dropoff_node_id) if method is ReturnMethod.store_dropoff else None
    sellers = sorted({p.marketplace_seller for ln, p in rows if p.marketplace_seller
                      and ln.line_no in {q.line_no for q in quotes}})
    if refusals:
        return ReturnProposal(order_id=order.id, eligible=False, lines=quotes, method=method,
                              dropoff_node_id=node, refusals=refusals,
                              reason="; ".join(r.reason for r in refusals))
    amount = min(sum((q.amount for q in quotes), Decimal(0)), common.refundable(deps, order))
    if amount <= 0:
        return ReturnProposal(order_id=order.id, eligible=False, lines=quotes, method=method,
                              dropoff_node_id=node, reason=f"order {order.id} has been refunded in full",
                              refusals=[Refusal(code="refunded_in_full", reason="nothing left to refund")])
    received = add_working_days(today, _HANDOVER_DAYS[method], common.BUSINESS_DAYS)
    refund = RefundQuote(amount=amount, currency=order.currency, method=refund_method,
                         expected_by=common.refund_date(deps, refund_method, received))
    how = f"drop it at {node}" if node else "a carrier picks it up"
    return ReturnProposal(
        order_id=order.id, eligible=True, lines=quotes, method=method, dropoff_node_id=node,
        refund=refund, seller=", ".join(sellers) or None,
        reason=(f"returns line(s) {[q.line_no for q in quotes]} of {order.id}: {how}; {amount} "
                f"{order.currency} to {refund_method.value} by {refund.expected_by}"),
    )


def propose_return(deps: Deps, order_id: str, *, items: list[ReturnItem] | None = None,
                   method: ReturnMethod = ReturnMethod.store_dropoff,
                   refund_method: RefundMethod = RefundMethod.original_payment,
                   dropoff_node_id: str | None = None) -> ReturnProposal:
    """What a return of ``items`` (default: every delivered line) would authorise, or why not."""
    order = common.load_order(deps, order_id)
    return _assess(deps, order, items, method, refund_method, dropoff_node_id)


def start_return(deps: Deps, *, order_id: str, idempotency_key: str, items: list[ReturnItem] | None = None,
                 method: ReturnMethod = ReturnMethod.store_dropoff,
                 refund_method: RefundMethod = RefundMethod.original_payment,
                 dropoff_node_id: str | None = None, approved_by: str | None = None,
                 note: str | None = None) -> ReturnResult:
    """Create the RMA and its pending refund after confirmation; once per idempotency key.

    Raises:
        PolicyViolation: a line is not returnable now (details carry ``refusals``).
    """
    key = common.check_key(idempotency_key)
    approved_by = approved_by or deps.principal.label()
    order = common.load_order(deps, order_id, lock=True)

    def work() -> ReturnResult:
        # the order row is locked, so counting returned units and refunds here is exact
        p = _assess(deps, order, items, method, refund_method, dropoff_node_id)
        if not p.eligible or p.refund is None:
            raise PolicyViolation(p.reason, order_id=order_id,
                                  refusals=[r.model_dump(mode="json") for r in p.refusals])
        count = deps.session.scalar(select(func.count()).select_from(ReturnAuthorization)
                                    .where(ReturnAuthorization.order_id == order_id)) or 0
        rma = ReturnAuthorization(id=f"RMA-{order_id}-{count + 1}", order_id=order_id,
                                  customer_id=order.customer_id, created_at=deps.now,
                                  status=ReturnStatus.authorized, method=method,
                                  dropoff_node_id=p.dropoff_node_id, reason=note)
        deps.session.add(rma)
        deps.session.flush()
        ids = {no: id_ for no, id_ in deps.session.execute(
            select(OrderLine.line_no, OrderLine.id).where(OrderLine.order_id == order_id))}
        for q in p.lines:
            deps.session.add(ReturnLine(return_id=rma.id, order_line_id=ids[q.line_no], quantity=q.quantity,
                                        condition=q.condition, refund_amount=q.amount))
        refund = common.add_refund(deps, order, p.refund.amount, reason=RefundReason.return_,
                                   method=refund_method, status=RefundStatus.pending,
                                   expected_by=p.refund.expected_by, return_id=rma.id)
        assert refund is not None  # _assess checked something is left to refund
        return ReturnResult(order_id=order_id, rma_id=rma.id, method=method,
                            dropoff_node_id=p.dropoff_node_id, lines=p.lines, refund_id=refund.id,
                            refund=p.refund.model_copy(update={"amount": refund.amount}),
                            idempotency_key=key, approved_by=approved_by, executed_at=deps.now)

    return common.run_once(
        deps, key=key, action=ACTION_RETURN, entity_id=order_id, kind=ReturnResult, work=work,
        audit_details=lambda r: {"approved_by": approved_by, "note": note, "rma_id": r.rma_id,
                                 "lines": [q.line_no for q in r.lines], "refund_id": r.refund_id},
    )
