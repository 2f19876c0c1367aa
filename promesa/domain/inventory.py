"""Available to promise: on hand − reserved − safety stock, floored at zero, per node.

Helpers here are shared by reroute proposals (which nodes can supply a set of lines) and the
``check_availability`` tool.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from promesa.domain.access import ensure_staff
from promesa.domain.calendar import distance_km
from promesa.domain.deps import Deps
from promesa.domain.records import AvailableToPromise, NodeStock
from promesa.domain.reference import reference
from promesa.errors import InvalidInput, NotFound
from promesa.store.models import InventoryPosition, Product

#: ATP as a SQL expression (floored at zero).
_RAW_ATP = InventoryPosition.on_hand - InventoryPosition.reserved - InventoryPosition.safety_stock
ATP_EXPR = case((_RAW_ATP > 0, _RAW_ATP), else_=0)

Location = tuple[float, float] | str | None


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    ).strip()


def resolve_location(session: Session, near: Location) -> tuple[float, float] | None:
    """Coordinates of ``near``: given as (lat, lon), or a city where Promesa has nodes."""
    if near is None:
        return None
    if isinstance(near, str):
        wanted = _fold(near)
        spots = [(n.lat, n.lon) for n in reference(session).nodes.values() if _fold(n.city) == wanted]
        if not spots:
            raise InvalidInput(f"no node in a city called {near!r}", field="near")
        return (sum(p[0] for p in spots) / len(spots), sum(p[1] for p in spots) / len(spots))
    lat, lon = near
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput("coordinates out of range", field="near")
    return (float(lat), float(lon))


def atp_by_node(session: Session, skus: Iterable[str]) -> dict[str, dict[str, int]]:
    """``{sku: {node_id: atp}}`` for active nodes with positive ATP: one query."""
    nodes = reference(session).nodes
    result: dict[str, dict[str, int]] = {}
    rows = session.execute(
        select(InventoryPosition.sku, InventoryPosition.node_id, ATP_EXPR).where(
            InventoryPosition.sku.in_(sorted(set(skus))), _RAW_ATP > 0
        )
    )
    for sku, node_id, atp in rows:
        node = nodes.get(node_id)
        if node is not None and node.active:
            result.setdefault(sku, {})[node_id] = int(atp)
    return result


def stock_and_on_hand(
    session: Session, skus: Iterable[str], at_nodes: Iterable[str] = ()
) -> tuple[dict[str, dict[str, int]], dict[tuple[str, str], int]]:
    """:func:`atp_by_node` of ``skus``, plus the on-hand of positions with ATP or at ``at_nodes``.

    One query; ``on_hand`` is keyed by (node, sku).
    """
    nodes = reference(session).nodes
    stock: dict[str, dict[str, int]] = {}
    on_hand: dict[tuple[str, str], int] = {}
    rows = session.execute(
        select(InventoryPosition.sku, InventoryPosition.node_id, InventoryPosition.on_hand, ATP_EXPR)
        .where(InventoryPosition.sku.in_(sorted(set(skus))),
               or_(_RAW_ATP > 0, InventoryPosition.node_id.in_(sorted(set(at_nodes)))))
    )
    for sku, node_id, held, atp in rows:
        on_hand[(node_id, sku)] = int(held)
        node = nodes.get(node_id)
        if atp > 0 and node is not None and node.active:
            stock.setdefault(sku, {})[node_id] = int(atp)
    return stock, on_hand


def nodes_covering(
    session: Session, demand: dict[str, int], at: tuple[float, float] | None = None
) -> list[tuple[str, float | None]]:
    """Nodes whose ATP covers every SKU of ``demand`` (sku → quantity), nearest first."""
    stock = atp_by_node(session, demand)
    candidates: set[str] | None = None
    for sku, quantity in demand.items():
        able = {n for n, atp in stock.get(sku, {}).items() if atp >= quantity}
        candidates = able if candidates is None else candidates & able
    nodes = reference(session).nodes
    ranked = [
        (n, None if at is None else distance_km(at[0], at[1], nodes[n].lat, nodes[n].lon))
        for n in (candidates or set())
    ]
    ranked.sort(key=lambda item: (item[1] if item[1] is not None else 0.0, item[0]))
    return ranked


def available_to_promise(
    deps: Deps, sku: str, *, near: Location = None, limit: int = 10
) -> AvailableToPromise:
    """Stock of ``sku`` that can still be promised, per node (nearest first when ``near`` given).

    ``total_atp`` sums every node; ``nodes`` lists at most ``limit`` of those with stock.
    """
    ensure_staff(deps.principal, "checking availability")
    if limit < 1:
        raise InvalidInput("limit must be at least 1", field="limit")
    if deps.session.get(Product, sku) is None:
        raise NotFound(f"product {sku} not found", sku=sku)
    at = resolve_location(deps.session, near)
    nodes = reference(deps.session).nodes
    stocks: list[NodeStock] = []
    for pos in deps.session.scalars(
        select(InventoryPosition).where(InventoryPosition.sku == sku)
    ):
        node = nodes.get(pos.node_id)
        atp = max(0, pos.on_hand - pos.reserved - pos.safety_stock)
        if node is None or not node.active or atp <= 0:
            continue
        stocks.append(
            NodeStock(
                node_id=node.id, node_name=node.name, node_type=node.type.value, city=node.city,
                on_hand=pos.on_hand, reserved=pos.reserved, safety_stock=pos.safety_stock, atp=atp,
                distance_km=None if at is None else round(distance_km(at[0], at[1], node.lat, node.lon), 1),
            )
        )
    if at is None:
        stocks.sort(key=lambda s: (-s.atp, s.node_id))
    else:
        stocks.sort(key=lambda s: (s.distance_km, s.node_id))
    return AvailableToPromise(sku=sku, total_atp=sum(s.atp for s in stocks), nodes=stocks[:limit])
