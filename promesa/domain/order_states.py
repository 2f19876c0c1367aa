"""Families of order statuses: where an order is in its life, named once for every module.

:class:`OrderStage` groups the :class:`~promesa.store.enums.OrderStatus` values into the four
stages the domain reasons about (before shipping, with the carrier, waiting at a pickup point,
closed), and the frozensets below are the status sets the services match on. A module asks
``status in CLOSED`` instead of spelling the statuses (or their strings) again.
"""

from __future__ import annotations

from enum import StrEnum

from promesa.store.enums import OrderStatus


class OrderStage(StrEnum):
    """The stage of an order's life an :class:`OrderStatus` belongs to."""

    pre_ship = "pre_ship"  # still at a node: nothing has left yet
    with_carrier = "with_carrier"  # handed to the carrier, not delivered (an exception too)
    awaiting_pickup = "awaiting_pickup"  # at the pickup store, waiting for the customer
    closed = "closed"  # delivered, picked up or cancelled: nothing more will happen to it


#: The stage of every order status (a test checks that no status is left out).
STAGE_OF: dict[OrderStatus, OrderStage] = {
    OrderStatus.created: OrderStage.pre_ship,
    OrderStatus.allocated: OrderStage.pre_ship,
    OrderStatus.picking: OrderStage.pre_ship,
    OrderStatus.packed: OrderStage.pre_ship,
    OrderStatus.shipped: OrderStage.with_carrier,
    OrderStatus.in_transit: OrderStage.with_carrier,
    OrderStatus.out_for_delivery: OrderStage.with_carrier,
    OrderStatus.exception: OrderStage.with_carrier,
    OrderStatus.ready_for_pickup: OrderStage.awaiting_pickup,
    OrderStatus.delivered: OrderStage.closed,
    OrderStatus.picked_up: OrderStage.closed,
    OrderStatus.cancelled: OrderStage.closed,
}


def statuses(stage: OrderStage) -> frozenset[OrderStatus]:
    """The order statuses of one stage."""
    return frozenset(status for status, of in STAGE_OF.items() if of is stage)


#: Not shipped yet: the lines are still at their nodes (address changes, reroutes).
PRE_SHIP = statuses(OrderStage.pre_ship)
#: With the carrier, delay exceptions included (claims, carrier-delay risk).
WITH_CARRIER = statuses(OrderStage.with_carrier)
#: Final: no event, trigger or action changes such an order any more.
CLOSED = statuses(OrderStage.closed)
#: The customer has the goods (delivered or picked up): returns and claims start from here.
HANDED_OVER = frozenset({OrderStatus.delivered, OrderStatus.picked_up})
