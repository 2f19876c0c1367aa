"""Orders for the panels: one order's status and ETA, and the caller's own orders.

Authorization is the services' (DESIGN rule 3): an order the caller may not see is a 404,
exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import DomainDeps
from api.schemas import ERRORS, ErrorResponse
from promesa.domain.orders import MAX_LIST_LIMIT, get_order_status, list_orders
from promesa.domain.records import OrderStatusView, OrderSummary

router = APIRouter(prefix="/v1", tags=["orders"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse, "description": "No such order (or not yours)"}}


@router.get("/orders/{order_id}", response_model=OrderStatusView, responses={**ERRORS, **NOT_FOUND})
def order_status(
    order_id: Annotated[str, Path(max_length=40)], deps: DomainDeps
) -> OrderStatusView:
    """Where the order is, its ETA, whether the promise holds and why."""
    return get_order_status(deps, order_id)


@router.get("/me/orders", response_model=list[OrderSummary], responses=ERRORS)
def my_orders(
    deps: DomainDeps,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST_LIMIT)] = 20,
) -> list[OrderSummary]:
    """The caller's orders, newest first (a verified visitor: their one order)."""
    return list_orders(deps, limit=limit)
