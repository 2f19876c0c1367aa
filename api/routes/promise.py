"""Promising: delivery options for a product page, a cart's plan, and placing the order.

Quotes and plans are public (a shopper sees them before signing in; they show dates, store
names and prices, no stock counts). Placing needs a customer (their own order) or staff. A
placement whose quote went stale answers ``status: requote`` with the new plan to accept.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from api.deps import DomainDeps, NowDep, SessionDep, SettingsDep
from api.schemas import Body, errors
from promesa.domain.deps import Deps
from promesa.domain.promising.checkout import plan_checkout
from promesa.domain.promising.placement import PlaceOrder, place_order
from promesa.domain.promising.quote import MAX_QUANTITY, quote
from promesa.domain.promising.records import CartLine, CheckoutPlan, PlacementResult, PromiseQuote
from promesa.errors import InvalidInput
from promesa.principal import Principal, Role
from promesa.store.enums import ServiceLevel

router = APIRouter(prefix="/v1/promise", tags=["promise"])
VISITOR = Principal(role=Role.anonymous)


class LineBody(Body):
    sku: str = Field(min_length=1, max_length=32)
    quantity: int = Field(ge=1, le=MAX_QUANTITY)


class CheckoutBody(Body):
    lines: list[LineBody] = Field(min_length=1, max_length=50)
    postal_code: str | None = Field(None, max_length=10, description="Where it ships (not for pickup).")
    service_level: ServiceLevel = ServiceLevel.standard
    pickup_node_id: str | None = Field(None, max_length=32, description="Collect at this store instead.")


class PlaceBody(CheckoutBody):
    customer_id: str | None = Field(None, max_length=32, description="Staff only; a customer places their own.")
    ship_to_id: str | None = Field(None, max_length=32)
    accepted_delivery_date: date = Field(description="The latest delivery date the shopper accepted.")
    idempotency_key: str = Field(min_length=8, max_length=100)


def _lines(body: CheckoutBody) -> list[CartLine]:
    return [CartLine(sku=ln.sku, quantity=ln.quantity) for ln in body.lines]


@router.get("", response_model=PromiseQuote, responses=errors(not_found="No such product"))
def promise(
    session: SessionDep, now: NowDep, settings: SettingsDep,
    sku: Annotated[str, Query(min_length=1, max_length=32)],
    postal_code: Annotated[str, Query(min_length=1, max_length=10)],
    qty: Annotated[int, Query(ge=1, le=MAX_QUANTITY)] = 1,
) -> PromiseQuote:
    """Ship (per service level), same-day and pickup options of ``qty`` × ``sku`` with their dates."""
    return quote(Deps(session=session, principal=VISITOR, now=now, settings=settings), sku, qty, postal_code)


@router.post("/checkout", response_model=CheckoutPlan,
             responses=errors(not_found="A line's product or the pickup store does not exist",
                              conflict="No node or store can promise the cart as asked"))
def checkout(body: CheckoutBody, session: SessionDep, now: NowDep, settings: SettingsDep) -> CheckoutPlan:
    """The cart's shipment plan: one node or a split, each with ship and delivery dates and cost."""
    deps = Deps(session=session, principal=VISITOR, now=now, settings=settings)
    return plan_checkout(deps, _lines(body), body.postal_code, service_level=body.service_level,
                         pickup_node_id=body.pickup_node_id)


@router.post("/orders", response_model=PlacementResult,
             responses=errors(not_found="A line's product, the address or the pickup store does not exist",
                              conflict="No node can promise the cart any more, or the plan kept moving"))
def place(body: PlaceBody, deps: DomainDeps) -> PlacementResult:
    """Place the cart: stock and capacity reserved with the promise, or a new date to accept."""
    customer_id = body.customer_id
    if deps.principal.role is Role.customer:
        customer_id = customer_id or deps.principal.subject
    if not customer_id:
        raise InvalidInput("staff name the customer the order is for", field="customer_id")
    request = PlaceOrder.model_validate({
        "customer_id": customer_id, "lines": _lines(body), "ship_to_id": body.ship_to_id,
        "pickup_node_id": body.pickup_node_id, "service_level": body.service_level,
        "accepted_delivery_date": body.accepted_delivery_date, "idempotency_key": body.idempotency_key})
    return place_order(deps, request)
