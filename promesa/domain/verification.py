"""Anonymous order verification: an order id plus a detail only its customer knows.

A visitor who proves they know an order (its email or phone; a postal code only as a second
factor) gets a token scoped to that order alone
(``Principal(role=anonymous, order_scope=order_id)``, minted by the API from the
:class:`VerifiedOrder` returned here). Every way of failing — unknown order, wrong email,
wrong phone, wrong postal code — raises the same :class:`Forbidden`, so the error never says
which part was wrong or whether the order exists.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from promesa.domain.deps import Deps
from promesa.domain.identity import normalise_email, normalise_order_id, normalise_phone
from promesa.domain.records import VerifiedDetail, VerifiedOrder
from promesa.errors import Forbidden, InvalidInput
from promesa.principal import Principal, Role
from promesa.store.enums import IdentityKind
from promesa.store.models import Address, Identity, Node, Order

FAILED = "the order and the details given do not match"


def _postal(raw: str) -> str:
    value = re.sub(r"[\s-]", "", raw).upper()
    if not re.fullmatch(r"[0-9A-Z]{4,10}", value):
        raise InvalidInput(f"not a postal code: {raw!r}", field="postal_code")
    return value


def verify_order(
    deps: Deps,
    order_id: str,
    *,
    email: str | None = None,
    phone: str | None = None,
    postal_code: str | None = None,
) -> VerifiedOrder:
    """Check that the visitor knows ``order_id`` and every detail given about it.

    The customer's email or phone (any format) is required; a postal code (the order's
    ship-to or pickup store) counts only beside one of them. Every given detail must match.

    Raises:
        InvalidInput: no detail given (``field='details'``), or a malformed order id, email,
            phone or postal code (``field`` names it).
        Forbidden: the order does not exist or a detail does not match (one message for all).
    """
    if not any(v and v.strip() for v in (email, phone, postal_code)):
        raise InvalidInput("give the order's email or phone", field="details")
    oid = normalise_order_id(order_id or "")
    given: dict[VerifiedDetail, str] = {}
    if email and email.strip():
        given["email"] = normalise_email(email)
    if phone and phone.strip():
        given["phone"] = normalise_phone(phone)
    if postal_code and postal_code.strip():
        given["postal_code"] = _postal(postal_code)
    if not ({"email", "phone"} & set(given)):
        # a postal code is shared by thousands of orders: never enough on its own
        raise InvalidInput("a postal code verifies only together with the order's email or phone",
                           field="details")

    order = deps.session.execute(
        select(Order.customer_id, Address.postal_code.label("ship_postal"),
               Node.postal_code.label("pickup_postal"))
        .select_from(Order)
        .outerjoin(Address, Address.id == Order.ship_to_id)
        .outerjoin(Node, Node.id == Order.pickup_node_id)
        .where(Order.id == oid)
    ).first()
    if order is None:
        raise Forbidden(FAILED)
    known: dict[str, set[str]] = {"email": set(), "phone": set(), "postal_code": set()}
    for postal in (order.ship_postal, order.pickup_postal):
        if postal:
            known["postal_code"].add(_postal(postal))
    if "email" in given or "phone" in given:
        for kind, value in deps.session.execute(
            select(Identity.kind, Identity.value).where(
                Identity.customer_id == order.customer_id,
                Identity.kind.in_([IdentityKind.email, IdentityKind.phone]),
            )
        ):
            known[kind.value].add(value)
    if not all(value in known[field] for field, value in given.items()):
        raise Forbidden(FAILED)
    return VerifiedOrder(order_id=oid, customer_id=order.customer_id,
                         matched_on=sorted(given))


def scoped_principal(verified: VerifiedOrder) -> Principal:
    """The principal a verified visitor acts as: anonymous, this one order only."""
    return Principal(role=Role.anonymous, order_scope=verified.order_id)
