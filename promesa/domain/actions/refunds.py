"""Refund status: every refund of a customer (or one order) with amount, method, state and date."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from promesa.domain import access
from promesa.domain.actions.records import RefundStatusResult, RefundView
from promesa.domain.deps import Deps
from promesa.errors import InvalidInput
from promesa.principal import Role
from promesa.store.models import Order, Refund


def refund_status(deps: Deps, *, order_id: str | None = None, customer_id: str | None = None) -> RefundStatusResult:
    """The refunds of ``order_id``, else of ``customer_id`` (a customer: their own), newest first.

    Raises:
        NotFound: the order is missing or not the principal's.
        Forbidden: another customer's refunds.
        InvalidInput: staff named neither an order nor a customer.
    """
    query = select(Refund).order_by(Refund.created_at.desc(), Refund.id.desc())
    owner: str | None
    if order_id:
        order = deps.session.get(Order, order_id)
        if order is None:
            raise access.order_not_found(order_id)
        access.ensure_order_visible(deps.principal, order_id=order.id, customer_id=order.customer_id)
        owner = order.customer_id
        query = query.where(Refund.order_id == order_id)
    else:
        owner = customer_id or (deps.principal.subject if deps.principal.role is Role.customer else None)
        if not owner:
            raise InvalidInput("name the order or the customer", field="customer_id")
        access.ensure_customer_visible(deps.principal, owner)
        query = query.join(Order, Order.id == Refund.order_id).where(Order.customer_id == owner)
    views = [
        RefundView(refund_id=r.id, order_id=r.order_id, reason=r.reason, amount=r.amount, currency=r.currency,
                   method=r.method, status=r.status, created_at=r.created_at, expected_by=r.expected_by,
                   return_id=r.return_id, case_id=r.case_id)
        for r in deps.session.scalars(query)
    ]
    return RefundStatusResult(customer_id=owner, order_id=order_id, refunds=views,
                              total=sum((v.amount for v in views), Decimal(0)))
