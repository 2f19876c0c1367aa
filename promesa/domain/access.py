"""Who may see which order or customer: the one place every service asks (DESIGN rule 3).

* support, ops and system see every order and customer;
* a customer sees their own orders and their own profile only;
* an anonymous visitor sees the one order in their ``order_scope`` and no profile.

Refusals are chosen so they leak nothing:

* an order the principal may not see raises :class:`NotFound` with exactly the message of an
  order that does not exist (``order_not_found``), so probing ids tells a customer or visitor
  nothing about other people's orders;
* a customer or profile request outside one's rights raises :class:`Forbidden` (the caller
  already names a customer id; refusing it says nothing about that customer).
"""

from __future__ import annotations

from promesa.errors import Forbidden, NotFound
from promesa.principal import Principal, Role


def order_not_found(order_id: str) -> NotFound:
    """The one error for a missing *or* invisible order (identical in both cases)."""
    return NotFound(f"order {order_id} not found", order_id=order_id)


def can_see_order(principal: Principal, *, order_id: str, customer_id: str) -> bool:
    """True when ``principal`` may see the order ``order_id`` of ``customer_id``."""
    if principal.is_staff:
        return True
    if principal.role is Role.customer:
        return principal.subject is not None and principal.subject == customer_id
    if principal.role is Role.anonymous:
        return principal.order_scope is not None and principal.order_scope == order_id
    return False


def ensure_order_visible(principal: Principal, *, order_id: str, customer_id: str) -> None:
    """Raise the not-found refusal unless the principal may see this order."""
    if not can_see_order(principal, order_id=order_id, customer_id=customer_id):
        raise order_not_found(order_id)


def can_see_customer(principal: Principal, customer_id: str) -> bool:
    """True when ``principal`` may see the profile and order list of ``customer_id``."""
    if principal.is_staff:
        return True
    return (
        principal.role is Role.customer
        and principal.subject is not None
        and principal.subject == customer_id
    )


def ensure_customer_visible(principal: Principal, customer_id: str) -> None:
    """Raise Forbidden unless ``principal`` may see ``customer_id`` (its own, or staff)."""
    if not can_see_customer(principal, customer_id):
        raise Forbidden("you may not see this customer", role=principal.role.value)


def ensure_staff(principal: Principal, action: str) -> None:
    """Raise Forbidden unless the principal is support, ops or system."""
    if not principal.is_staff:
        raise Forbidden(f"{action} is for support and operations staff", role=principal.role.value)
