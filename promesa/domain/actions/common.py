"""What every self-service action shares: who may act, the order under lock, money, run-once.

* ``load_order`` applies the access rules (promesa.domain.access) at proposal *and* execution:
  a customer acts on their own orders only, staff on any, an anonymous visitor never writes.
* ``refundable`` is what was paid (the order total; the world records no separate payments)
  minus every refund already recorded, so refunds can never exceed what was paid.
* ``run_once`` executes a write at most once per idempotency key, inside a SAVEPOINT, and
  stores its result so a replayed confirmation returns the first answer and changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from promesa.domain import access, audit
from promesa.domain.calendar import add_working_days
from promesa.domain.deps import Deps
from promesa.domain.policy import REFUND_DAYS
from promesa.domain.records import Record
from promesa.errors import Conflict, Forbidden, InvalidInput, NotFound
from promesa.principal import Role
from promesa.store.enums import RefundMethod, RefundReason, RefundStatus
from promesa.store.models import ActionExecution, Order, Product, Refund

R = TypeVar("R", bound=Record)

#: Business days (Monday to Friday) in which refunds are counted (policy "refund-timing").
BUSINESS_DAYS = "01234"
#: The policy's timing row for each refund method: the original payment is a card here
#: because the world keeps no payment records (every order is treated as paid by card).
_TIMING_ROW = {RefundMethod.original_payment: "card", RefundMethod.store_credit: "store_credit"}


def ensure_may_act(deps: Deps, order: Order) -> None:
    """The order is the customer's own (or the principal is staff); visitors may not write."""
    access.ensure_order_visible(deps.principal, order_id=order.id, customer_id=order.customer_id)
    if deps.principal.role is Role.anonymous:
        raise Forbidden("sign in to change an order; a verified visitor may only look at it",
                        role=deps.principal.role.value)


def load_order(deps: Deps, order_id: str, *, lock: bool = False) -> Order:
    """The order the principal may act on (NotFound for a missing *or* someone else's order)."""
    order = deps.session.get(Order, order_id, with_for_update=lock, populate_existing=lock)
    if order is None:
        raise access.order_not_found(order_id)
    ensure_may_act(deps, order)
    return order


def product(deps: Deps, sku: str) -> Product:
    """The catalogue row of a SKU an order line already names (its foreign key keeps it there).

    Raises:
        NotFound: no such product.
    """
    found = deps.session.get(Product, sku)
    if found is None:
        raise NotFound(f"product {sku} not found", sku=sku)
    return found


def today(deps: Deps) -> date:
    """The business day of ``deps.now`` in the configured timezone."""
    return deps.now.astimezone(deps.settings.tz).date()


def refund_date(deps: Deps, method: RefundMethod, start: date | None = None) -> date:
    """The latest day a refund issued on ``start`` (default today) reaches the customer."""
    _fastest, slowest = REFUND_DAYS[_TIMING_ROW[method]]
    return add_working_days(start or today(deps), slowest, BUSINESS_DAYS)


def refunded(deps: Deps, order_id: str) -> Decimal:
    """What has been refunded on ``order_id`` so far, in every refund method."""
    total = deps.session.scalar(select(func.coalesce(func.sum(Refund.amount), 0))
                                .where(Refund.order_id == order_id))
    return Decimal(str(total or 0))


def refundable(deps: Deps, order: Order) -> Decimal:
    """What may still be refunded on ``order``: what was paid minus what was refunded."""
    return max(Decimal(0), Decimal(order.total) - refunded(deps, order.id))


def add_refund(deps: Deps, order: Order, amount: Decimal, *, reason: RefundReason,
               method: RefundMethod, status: RefundStatus, expected_by: date,
               return_id: str | None = None, case_id: str | None = None) -> Refund | None:
    """Record a refund, capped at what is still refundable (None when nothing is left)."""
    amount = min(Decimal(amount), refundable(deps, order)).quantize(Decimal("0.01"))
    if amount <= 0:
        return None
    count = deps.session.scalar(select(func.count()).select_from(Refund)
                                .where(Refund.order_id == order.id)) or 0
    refund = Refund(id=f"RF-{order.id}-{count + 1}", order_id=order.id, return_id=return_id,
                    case_id=case_id, reason=reason, amount=amount, currency=order.currency,
                    method=method, status=status, created_at=deps.now, expected_by=expected_by)
    deps.session.add(refund)
    deps.session.flush()
    return refund


def check_key(key: str) -> str:
    """``key`` when it is a usable idempotency key (1–128 characters).

    Raises:
        InvalidInput: the key is empty or too long."""
    if not key or len(key) > 128:
        raise InvalidInput("an idempotency key of 1–128 characters is required", field="idempotency_key")
    return key


def replay(deps: Deps, key: str, action: str, entity_id: str, kind: type[R]) -> R | None:
    """The stored result of ``key``, or None; a key reused for another action is a Conflict."""
    done = deps.session.get(ActionExecution, key, populate_existing=True)
    if done is None:
        return None
    if done.action != action or done.entity_id != entity_id:
        raise Conflict(f"idempotency key {key!r} was already used for {done.action} on {done.entity_id}",
                       idempotency_key=key)
    return kind.model_validate({**done.result, "replayed": True})


def run_once(deps: Deps, *, key: str, action: str, entity_id: str, kind: type[R],
             work: Callable[[], R], audit_details: Callable[[R], dict[str, object]]) -> R:
    """Run ``work`` once for ``key``: in a SAVEPOINT, audited, its result stored under the key.

    Call it with the entity already locked, so a concurrent execution of the same key waits
    and then finds the stored result here.
    """
    found = replay(deps, key, action, entity_id, kind)
    if found is not None:
        return found
    try:
        with deps.session.begin_nested():
            result = work()
            audit.record(deps, action, "order", entity_id, audit_details(result))
            deps.session.add(ActionExecution(
                key=key, action=action, entity_id=entity_id, executed_at=deps.now,
                actor=deps.principal.label(), result=result.model_dump(mode="json", exclude={"replayed"}),
            ))
            deps.session.flush()
    except IntegrityError:
        # the same key committed by a concurrent execution: answer with its result
        deps.session.expire_all()
        found = replay(deps, key, action, entity_id, kind)
        if found is None:
            raise
        return found
    return result


def digest(*parts: object) -> str:
    """A short, stable hash of ``parts`` (10 hex characters) for ids and keys."""
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:10]
