"""A channel's sellable quantity of a SKU, from the live positions (``GET /v1/availability``).

- ``web`` / ``app``: available-to-promise of every active node that ships or offers pickup;
- ``marketplace``: of the active distribution centres only (marketplace orders ship from DCs);
- ``store``: what one store may sell over the counter, on-hand minus reservations (the same
  rule a POS sale is held to), so ``node_id`` is required.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from promesa.domain.access import ensure_staff
from promesa.domain.deps import Deps
from promesa.domain.records import Record
from promesa.domain.reference import reference
from promesa.errors import InvalidInput, NotFound
from promesa.store.enums import Channel, NodeType
from promesa.store.models import InventoryPosition, Product


class NodeSellable(Record):
    node_id: str
    sellable: int


class Availability(Record):
    sku: str
    channel: Channel
    sellable: int
    nodes: list[NodeSellable]


def sellable(deps: Deps, sku: str, channel: Channel, node_id: str | None = None) -> Availability:
    """How many of ``sku`` ``channel`` may sell now (staff and event sources only).

    Raises:
        Forbidden: not staff or system.
        NotFound: unknown SKU or node.
        InvalidInput: ``store`` without ``node_id`` (field ``node_id``).
    """
    ensure_staff(deps.principal, "reading availability")
    if deps.session.get(Product, sku) is None:
        raise NotFound(f"product {sku} not found", field="sku")
    nodes = reference(deps.session).nodes
    if channel is Channel.store:
        if not node_id:
            raise InvalidInput("the store channel needs node_id", field="node_id")
        if node_id not in nodes:
            raise NotFound(f"node {node_id} not found", field="node_id")
    found = [NodeSellable(node_id=n, sellable=q) for n, q in _by_node(deps.session, sku, (channel,), node_id)[channel]]
    found.sort(key=lambda n: (-n.sellable, n.node_id))
    return Availability(sku=sku, channel=channel, sellable=sum(n.sellable for n in found), nodes=found)


#: The channels whose sellable quantity is announced as an outgoing event (web and app share
#: one rule, so ``web`` stands for both).
ONLINE = (Channel.web, Channel.marketplace)


def online_sellable(session: Session, sku: str) -> dict[Channel, int]:
    """The sellable quantity of ``sku`` on each :data:`ONLINE` channel (no access check: the
    domain's own use, inside a transaction that changed its stock)."""
    return {c: sum(q for _, q in rows) for c, rows in _by_node(session, sku, ONLINE).items()}


def _by_node(session: Session, sku: str, channels: tuple[Channel, ...],
             node_id: str | None = None) -> dict[Channel, list[tuple[str, int]]]:
    nodes = reference(session).nodes
    pos = InventoryPosition
    rows = session.execute(
        select(pos.node_id, pos.on_hand, pos.reserved, pos.safety_stock).where(pos.sku == sku)
    ).all()
    out: dict[Channel, list[tuple[str, int]]] = {c: [] for c in channels}
    for channel in channels:
        for row in rows:
            node = nodes.get(row.node_id)
            if node is None or not node.active:
                continue
            if channel is Channel.store:
                if row.node_id != node_id:
                    continue
                qty = row.on_hand - row.reserved
            elif channel is Channel.marketplace:
                if node.type is not NodeType.distribution_center or not node.ships:
                    continue
                qty = row.on_hand - row.reserved - row.safety_stock
            else:
                if not (node.ships or node.pickup):
                    continue
                qty = row.on_hand - row.reserved - row.safety_stock
            if qty > 0:
                out[channel].append((row.node_id, qty))
    return out
