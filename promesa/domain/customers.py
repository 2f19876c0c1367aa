"""Customer identity resolution and the unified profile.

``find_customers`` accepts whatever a support agent pastes — an email, a phone in any format,
a social handle, an order id or a name — and returns ranked matches so the caller can ask
"which one?" when several people fit. ``get_profile`` merges one customer's identities,
addresses, orders and interactions.
"""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher

from sqlalchemy import func, select

from promesa.domain import access
from promesa.domain.deps import Deps
from promesa.domain.identity import classify, normalise_order_id
from promesa.domain.records import (
    CustomerMatch,
    CustomerProfile,
    IdentityView,
    InteractionView,
    OrderSummary,
)
from promesa.errors import InvalidInput, NotFound
from promesa.store.enums import IdentityKind, OrderStatus
from promesa.store.models import Address, Customer, Identity, Interaction, Order

MAX_MATCHES = 10
PROFILE_ORDERS = 50
PROFILE_INTERACTIONS = 50
#: Letters whose accented forms (é, ñ, ç, ü…) a LIKE pattern must not tell apart.
_ACCENTABLE = set("aeiouncy")


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation as spaces: 'Pérez-García' → 'perez garcia'."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in bare).split())


def _like_pattern(token: str) -> str:
    # '_' stands in for letters that may carry an accent in the stored name; the exact,
    # accent-insensitive comparison is done in Python on the few rows this pre-filter keeps
    return "%" + "".join("_" if ch in _ACCENTABLE else ch for ch in token) + "%"


def find_customers(deps: Deps, identifier: str) -> list[CustomerMatch]:
    """Customers matching an identifier, best first (staff only).

    Raises:
        Forbidden: the principal is not support, ops or system.
        InvalidInput: an empty identifier (``field='identifier'``).
    """
    access.ensure_staff(deps.principal, "searching customers")
    text = (identifier or "").strip()
    if not text:
        raise InvalidInput("an identifier is required", field="identifier")
    try:
        order_id = normalise_order_id(text)
    except InvalidInput:
        order_id = None
    if order_id is not None:
        return _by_order(deps, order_id)
    try:
        classified: tuple[IdentityKind | None, str] | None = classify(text)
    except InvalidInput:
        classified = None
    if classified is not None:
        kind, value = classified
        if kind is None:  # classify recognised an order id
            return _by_order(deps, value)
        matches = _by_identity(deps, kind, value)
        # a single word like 'juan' also reads as a handle: fall back to names
        if matches or kind is not IdentityKind.social or text.startswith("@"):
            return matches
    return _by_name(deps, text)


def _cities(deps: Deps, customer_ids: list[str]) -> dict[str, str]:
    rows = deps.session.execute(
        select(Address.customer_id, Address.city)
        .where(Address.customer_id.in_(customer_ids))
        .order_by(Address.customer_id, Address.id)
    )
    cities: dict[str, str] = {}
    for customer_id, city in rows:
        if customer_id is not None:  # always set: the query filters on it
            cities.setdefault(customer_id, city)
    return cities


def _by_order(deps: Deps, order_id: str) -> list[CustomerMatch]:
    row = deps.session.execute(
        select(Customer.id, Customer.name).join(Order, Order.customer_id == Customer.id)
        .where(Order.id == order_id)
    ).first()
    if row is None:
        return []
    city = _cities(deps, [row.id]).get(row.id)
    return [CustomerMatch(customer_id=row.id, name=row.name, city=city, matched_on="order")]


def _by_identity(deps: Deps, kind: IdentityKind, value: str) -> list[CustomerMatch]:
    rows = deps.session.execute(
        select(Customer.id, Customer.name).join(Identity, Identity.customer_id == Customer.id)
        .where(Identity.kind == kind, Identity.value == value)
    ).all()
    cities = _cities(deps, [r.id for r in rows])
    return [
        CustomerMatch(customer_id=r.id, name=r.name, city=cities.get(r.id), matched_on=kind.value)
        for r in rows
    ]


def _by_name(deps: Deps, text: str) -> list[CustomerMatch]:
    tokens = fold(text).split()
    if not tokens:
        raise InvalidInput(f"nothing to search for in {text!r}", field="identifier")
    query = select(Customer.id, Customer.name)
    for token in tokens:
        if len(token) > 1:
            query = query.where(Customer.name.ilike(_like_pattern(token)))
    wanted = " ".join(tokens)
    scored: list[tuple[float, str, str]] = []
    for row in deps.session.execute(query):
        name_tokens = fold(row.name).split()
        # every typed word must start a word of the name ('juan per' finds 'Juan Pérez')
        if all(any(n.startswith(t) for n in name_tokens) for t in tokens):
            score = SequenceMatcher(None, wanted, " ".join(name_tokens)).ratio()
            scored.append((round(score, 3), row.id, row.name))
    scored.sort(key=lambda item: (-item[0], item[1]))
    best = scored[:MAX_MATCHES]
    cities = _cities(deps, [cid for _s, cid, _n in best])
    return [
        CustomerMatch(customer_id=cid, name=name, city=cities.get(cid), matched_on="name",
                      score=score)
        for score, cid, name in best
    ]


def get_profile(deps: Deps, customer_id: str) -> CustomerProfile:
    """One customer's merged profile: identities, city, orders (recent first), interactions.

    Staff see everything; a customer sees their own profile without the staff's interaction
    notes (they are internal).

    Raises:
        Forbidden: anonymous, or a customer asking for someone else.
        NotFound: no such customer.
    """
    access.ensure_customer_visible(deps.principal, customer_id)
    customer = deps.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found", customer_id=customer_id)
    identities = [
        IdentityView(kind=i.kind, value=i.value, source=i.source, verified=i.verified)
        for i in deps.session.scalars(
            select(Identity).where(Identity.customer_id == customer_id).order_by(Identity.id)
        )
    ]
    orders = [
        OrderSummary(order_id=r.id, status=r.status, created_at=r.created_at,
                     promised_date=r.promised_date, total=float(r.total),
                     fulfillment_type=r.fulfillment_type)
        for r in deps.session.execute(
            select(Order.id, Order.status, Order.created_at, Order.promised_date, Order.total,
                   Order.fulfillment_type)
            .where(Order.customer_id == customer_id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(PROFILE_ORDERS)
        )
    ]
    lifetime = deps.session.scalar(
        select(func.coalesce(func.sum(Order.total), 0)).where(
            Order.customer_id == customer_id, Order.status != OrderStatus.cancelled
        )
    )
    interactions: list[InteractionView] = []
    if deps.principal.is_staff:
        interactions = [
            InteractionView(channel=i.channel.value, occurred_at=i.occurred_at, summary=i.summary,
                            order_id=i.order_id)
            for i in deps.session.scalars(
                select(Interaction).where(Interaction.customer_id == customer_id)
                .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
                .limit(PROFILE_INTERACTIONS)
            )
        ]
    return CustomerProfile(
        customer_id=customer.id,
        name=customer.name,
        locale=customer.locale,
        city=_cities(deps, [customer_id]).get(customer_id),
        identities=identities,
        orders=orders,
        interactions=interactions,
        lifetime_value=float(lifetime or 0),
    )
