"""Capacity and customer events: a node's capacity for a date, a node closing or opening, a
customer's new identifier.

Capacity and opening *set* state, so each is guarded by its watermark: the newest override of
a node-day wins whatever order they arrive in.
"""

from __future__ import annotations

from sqlalchemy import select

from promesa.domain.events.context import ApplyContext, Change, Effect
from promesa.domain.events.payloads import (
    CapacityOverride,
    IdentifierAdded,
    NodeStatusChange,
)
from promesa.domain.identity import normalise
from promesa.errors import Conflict, InvalidInput, NotFound
from promesa.store.models import Customer, Identity, Node, NodeCapacity


def _node(ctx: ApplyContext, node_id: str) -> Node:
    node = ctx.deps.session.get(Node, node_id)
    if node is None:
        raise NotFound(f"node {node_id} not found", field="data.node_id")
    return node


def override(ctx: ApplyContext, data: CapacityOverride) -> Effect:
    """Set a node's capacity for a day (orders, units), unless a newer override came first."""
    _node(ctx, data.node_id)
    key = f"{data.node_id}/{data.day.isoformat()}"
    if not ctx.advance(f"capacity:{key}"):
        return Effect("node", data.node_id, False)
    session = ctx.deps.session
    row = session.get(NodeCapacity, (data.node_id, data.day))
    if row is None:
        session.add(NodeCapacity(node_id=data.node_id, day=data.day, orders=data.orders,
                                 units=data.units, reason=data.reason))
    else:
        row.orders, row.units, row.reason = data.orders, data.units, data.reason
    session.flush()
    return Effect("node", data.node_id, True, [Change("capacity", key, {
        "node_id": data.node_id, "day": data.day.isoformat(), "orders": data.orders, "units": data.units})])


def _set_active(ctx: ApplyContext, data: NodeStatusChange, active: bool) -> Effect:
    node = _node(ctx, data.node_id)
    if not ctx.advance(f"node:{node.id}:active"):
        return Effect("node", node.id, False)
    node.active = active
    ctx.deps.session.flush()
    return Effect("node", node.id, True, [Change("node", node.id, {"active": active})], note=data.reason)


def closed(ctx: ApplyContext, data: NodeStatusChange) -> Effect:
    """Close a node to new allocations, unless a newer open/close event came first."""
    return _set_active(ctx, data, False)


def opened(ctx: ApplyContext, data: NodeStatusChange) -> Effect:
    """Open a node to allocations again, unless a newer open/close event came first."""
    return _set_active(ctx, data, True)


def identifier_added(ctx: ApplyContext, data: IdentifierAdded) -> Effect:
    """Link another identifier (email, phone, loyalty id) to a known customer."""
    session = ctx.deps.session
    if session.get(Customer, data.customer_id) is None:
        raise NotFound(f"customer {data.customer_id} not found", field="data.customer_id")
    try:
        value = normalise(data.kind, data.value)
    except InvalidInput as exc:  # it names the kind; point it at the payload field
        raise InvalidInput(exc.message, field="data.value") from None
    owner = session.scalar(select(Identity.customer_id).where(Identity.kind == data.kind,
                                                              Identity.value == value))
    if owner == data.customer_id:
        return Effect("customer", data.customer_id, False)
    if owner is not None:  # identity resolution decides merges, not a sender
        raise Conflict(f"that {data.kind.value} belongs to another customer", field="data.value")
    session.add(Identity(customer_id=data.customer_id, kind=data.kind, value=value,
                         source=ctx.envelope.source[:32], verified=data.verified))
    session.flush()
    return Effect("customer", data.customer_id, True,
                  [Change("customer", data.customer_id, {"identity": data.kind.value})])
