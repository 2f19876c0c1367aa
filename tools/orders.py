"""Order tools: status of one order, and the signed-in customer's own orders."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field, RootModel

from promesa.domain.deps import Deps
from promesa.domain.records import OrderStatusView, OrderSummary
from promesa.principal import Role
from tools.decisions import BaseDecision, OrderStatusDecision
from tools.registry import ToolEnv, tool

ORDER_ID = Field(description="The order id, e.g. PO-5001.", min_length=1, max_length=32)


class OrderIdArgs(BaseModel):
    order_id: str = ORDER_ID


class NoArgs(BaseModel):
    pass


class OrderSummaries(RootModel[list[OrderSummary]]):
    """A customer's orders, newest first (the JSON is the list itself)."""


def order_status_decisions(view: OrderStatusView) -> Sequence[BaseDecision]:
    """An order's status is one ``order_status`` decision with the view's own fields."""
    return [OrderStatusDecision.model_validate(view.model_dump(include=set(OrderStatusDecision.model_fields)))]


@tool(roles=[Role.customer, Role.support, Role.ops, Role.anonymous], returns=OrderStatusView,
      decisions=order_status_decisions)
def get_order_status(deps: Deps, args: OrderIdArgs, env: ToolEnv) -> OrderStatusView:
    """Look up where an order is and whether it will arrive when promised.

    Returns the status, ETA, promised date, whether it is late or at risk and why, the carrier
    and the tracking timeline. Use it for any "where is my order" question. Customers only see
    their own orders; an order they may not see is reported as not found.
    """
    from promesa.domain import orders
    from promesa.domain.notices.outbox import latest_note

    view = orders.get_order_status(deps, args.order_id)
    # a customer already told about this order: the answer continues from that notice
    return view.model_copy(update={"notice": latest_note(deps, view.order_id)})


@tool(roles=[Role.customer], returns=OrderSummaries)
def list_my_orders(deps: Deps, args: NoArgs, env: ToolEnv) -> OrderSummaries:
    """List the signed-in customer's own orders, newest first (id, status, promised date).

    Use it when the customer asks about "my order" without giving an order id.
    """
    from promesa.domain import orders

    return OrderSummaries(orders.list_orders(deps))
