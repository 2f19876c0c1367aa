"""Order tools: status of one order, and the signed-in customer's own orders."""

from __future__ import annotations

from pydantic import BaseModel, Field

from promesa.domain.deps import Deps
from promesa.principal import Role
from tools.registry import ToolEnv, tool

ORDER_ID = Field(description="The order id, e.g. PO-5001.", min_length=1, max_length=32)


class OrderIdArgs(BaseModel):
    order_id: str = ORDER_ID


class NoArgs(BaseModel):
    pass


@tool(roles=[Role.customer, Role.support, Role.ops, Role.anonymous])
def get_order_status(deps: Deps, args: OrderIdArgs, env: ToolEnv) -> object:
    """Look up where an order is and whether it will arrive when promised.

    Returns the status, ETA, promised date, whether it is late or at risk and why, the carrier
    and the tracking timeline. Use it for any "where is my order" question. Customers only see
    their own orders; an order they may not see is reported as not found.
    """
    from promesa.domain import orders

    return orders.get_order_status(deps, args.order_id)


@tool(roles=[Role.customer])
def list_my_orders(deps: Deps, args: NoArgs, env: ToolEnv) -> object:
    """List the signed-in customer's own orders, newest first (id, status, promised date).

    Use it when the customer asks about "my order" without giving an order id.
    """
    from promesa.domain import orders

    return orders.list_orders(deps)
