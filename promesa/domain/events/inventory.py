"""Inventory events: POS sales, receipts, transfers, counts, shrink, reservations, releases.

Every change is one conditional ``UPDATE`` whose ``WHERE`` states the rule (``on_hand -
reserved >= qty`` for a sale), so on PostgreSQL two writers racing for the last units are
ordered by the row lock and the loser's update matches no row: a typed ``Conflict``, never a
position below zero. Moves of on-hand are kept in ``inventory_moves`` at the event's time; a
cycle count sets on-hand to what it counted plus the moves after it, and a move older than the
latest count is already counted (stale). So the position ends the same in any arrival order.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result, case, func, select, update

from promesa.domain.events.context import ApplyContext, Change, Effect
from promesa.domain.events.payloads import (
    CycleCount,
    PosSale,
    Receipt,
    Reservation,
    Shrink,
    Transfer,
)
from promesa.errors import Conflict, InvalidInput, NotFound
from promesa.store.models import InventoryMove, InventoryPosition, Node, Product

POS = InventoryPosition



def _rows(done: Result[Any]) -> int:
    """The rows a guarded UPDATE changed (an UPDATE's result is a cursor result)."""
    return cast("CursorResult[Any]", done).rowcount

def _check_refs(ctx: ApplyContext, node_id: str, sku: str, node_field: str = "node_id") -> None:
    session = ctx.deps.session
    if session.get(Node, node_id) is None:
        raise NotFound(f"node {node_id} not found", field=f"data.{node_field}")
    if session.get(Product, sku) is None:
        raise NotFound(f"product {sku} not found", field="data.sku")


def _latest_count(ctx: ApplyContext, node_id: str, sku: str) -> Any:
    return ctx.deps.session.scalar(
        select(func.max(InventoryMove.occurred_at)).where(
            InventoryMove.node_id == node_id, InventoryMove.sku == sku,
            InventoryMove.counted.is_not(None))
    )


def _ensure_position(ctx: ApplyContext, node_id: str, sku: str) -> None:
    session = ctx.deps.session
    if session.get(POS, (node_id, sku)) is None:
        with session.begin_nested():
            session.add(POS(node_id=node_id, sku=sku, on_hand=0, reserved=0, safety_stock=0))
            session.flush()


def _lock(ctx: ApplyContext, node_id: str, sku: str) -> None:
    ctx.deps.session.execute(select(POS.node_id).where(POS.node_id == node_id, POS.sku == sku)
                             .with_for_update())


def position_change(ctx: ApplyContext, node_id: str, sku: str) -> Change:
    """The position's on-hand, reserved and available-to-promise now, as a change to announce."""
    row = ctx.deps.session.execute(
        select(POS.on_hand, POS.reserved, POS.safety_stock)
        .where(POS.node_id == node_id, POS.sku == sku)
        .execution_options(populate_existing=True)
    ).one()
    atp = max(0, row.on_hand - row.reserved - row.safety_stock)
    return Change("inventory", f"{node_id}/{sku}", {"node_id": node_id, "sku": sku,
                  "on_hand": row.on_hand, "reserved": row.reserved, "atp": atp})


def allowed(on_hand: int, reserved: int, delta: int, guard: str) -> bool:
    """Whether a position may take ``delta`` on-hand (the rule :func:`move` states in SQL)."""
    if delta >= 0:
        return True
    available = on_hand - reserved if guard == "unreserved" else on_hand
    return available >= -delta


def move(ctx: ApplyContext, node_id: str, sku: str, delta: int, *, guard: str = "unreserved",
         field: str = "data.quantity") -> bool:
    """Add ``delta`` to on-hand at the event's time; False when a later count already has it.

    A negative delta needs stock: ``guard`` "unreserved" (on_hand − reserved, a sale or a
    transfer out) or "on_hand" (shrink and shipped units, which may be reserved ones).

    Raises:
        Conflict: not enough stock (the position is unchanged).
    """
    session = ctx.deps.session
    _lock(ctx, node_id, sku)
    counted_at = _latest_count(ctx, node_id, sku)
    if counted_at is not None and counted_at >= ctx.at:
        return False
    statement = update(POS).where(POS.node_id == node_id, POS.sku == sku)
    if delta < 0:  # the rule of allowed(), stated to the database so the row lock orders racers
        available = POS.on_hand - POS.reserved if guard == "unreserved" else POS.on_hand
        statement = statement.where(available >= -delta)
    done = session.execute(statement.values(on_hand=POS.on_hand + delta)
                           .execution_options(synchronize_session=False))
    if _rows(done) != 1:
        raise Conflict(f"{node_id} does not have {-delta} of {sku} to take", field=field,
                       node_id=node_id, sku=sku)
    session.add(InventoryMove(source=ctx.envelope.source, event_id=ctx.envelope.id, node_id=node_id,
                              sku=sku, occurred_at=ctx.at, on_hand_delta=delta))
    return True


def pos_sale(ctx: ApplyContext, data: PosSale) -> Effect:
    """Units sold over a store's counter leave on-hand (never below what is reserved)."""
    _check_refs(ctx, data.node_id, data.sku)
    if ctx.deps.session.get(POS, (data.node_id, data.sku)) is None:
        raise Conflict(f"{data.node_id} holds no {data.sku}", field="data.sku")
    applied = move(ctx, data.node_id, data.sku, -data.quantity)
    return Effect("inventory", f"{data.node_id}/{data.sku}", applied,
                  [position_change(ctx, data.node_id, data.sku)])


def receipt(ctx: ApplyContext, data: Receipt) -> Effect:
    """Units received add to on-hand (a missing position is created)."""
    _check_refs(ctx, data.node_id, data.sku)
    _ensure_position(ctx, data.node_id, data.sku)
    applied = move(ctx, data.node_id, data.sku, data.quantity)
    return Effect("inventory", f"{data.node_id}/{data.sku}", applied,
                  [position_change(ctx, data.node_id, data.sku)])


def transfer(ctx: ApplyContext, data: Transfer) -> Effect:
    """Units move between two nodes: out of one's on-hand, into the other's."""
    if data.from_node_id == data.to_node_id:
        raise InvalidInput("a transfer needs two different nodes", field="data.to_node_id")
    _check_refs(ctx, data.from_node_id, data.sku, "from_node_id")
    _check_refs(ctx, data.to_node_id, data.sku, "to_node_id")
    if ctx.deps.session.get(POS, (data.from_node_id, data.sku)) is None:
        raise Conflict(f"{data.from_node_id} holds no {data.sku}", field="data.from_node_id")
    _ensure_position(ctx, data.to_node_id, data.sku)
    # lock both ends in one fixed order, so two opposite transfers cannot deadlock
    for node_id in sorted((data.from_node_id, data.to_node_id)):
        _lock(ctx, node_id, data.sku)
    out = move(ctx, data.from_node_id, data.sku, -data.quantity)
    came = move(ctx, data.to_node_id, data.sku, data.quantity)
    changes = [position_change(ctx, n, data.sku) for n in (data.from_node_id, data.to_node_id)]
    return Effect("inventory", f"{data.from_node_id}->{data.to_node_id}/{data.sku}", out or came, changes)


def shrink(ctx: ApplyContext, data: Shrink) -> Effect:
    """Damaged, lost, stolen or expired units leave on-hand."""
    _check_refs(ctx, data.node_id, data.sku)
    if ctx.deps.session.get(POS, (data.node_id, data.sku)) is None:
        raise Conflict(f"{data.node_id} holds no {data.sku}", field="data.sku")
    applied = move(ctx, data.node_id, data.sku, -data.quantity, guard="on_hand")
    return Effect("inventory", f"{data.node_id}/{data.sku}", applied,
                  [position_change(ctx, data.node_id, data.sku)], note=data.reason.value)


def cycle_count(ctx: ApplyContext, data: CycleCount) -> Effect:
    """On-hand becomes the count plus the moves applied after the count's time (floored at 0)."""
    _check_refs(ctx, data.node_id, data.sku)
    _ensure_position(ctx, data.node_id, data.sku)
    _lock(ctx, data.node_id, data.sku)
    session = ctx.deps.session
    counted_at = _latest_count(ctx, data.node_id, data.sku)
    key = f"{data.node_id}/{data.sku}"
    if counted_at is not None and counted_at >= ctx.at:
        return Effect("inventory", key, False, [position_change(ctx, data.node_id, data.sku)])
    later = session.scalar(
        select(func.coalesce(func.sum(InventoryMove.on_hand_delta), 0)).where(
            InventoryMove.node_id == data.node_id, InventoryMove.sku == data.sku,
            InventoryMove.occurred_at > ctx.at, InventoryMove.on_hand_delta.is_not(None))
    ) or 0
    on_hand = max(0, data.counted + int(later))
    session.execute(update(POS).where(POS.node_id == data.node_id, POS.sku == data.sku)
                    .values(on_hand=on_hand).execution_options(synchronize_session=False))
    session.add(InventoryMove(source=ctx.envelope.source, event_id=ctx.envelope.id,
                              node_id=data.node_id, sku=data.sku, occurred_at=ctx.at,
                              counted=data.counted))
    return Effect("inventory", key, True, [position_change(ctx, data.node_id, data.sku)])


def reserve(ctx: ApplyContext, node_id: str, sku: str, quantity: int, field: str = "data.quantity") -> None:
    """Hold ``quantity`` against available-to-promise (on_hand − reserved − safety stock).

    Raises:
        Conflict: the position cannot cover it (unchanged).
    """
    done = ctx.deps.session.execute(
        update(POS).where(POS.node_id == node_id, POS.sku == sku,
                          POS.on_hand - POS.reserved - POS.safety_stock >= quantity)
        .values(reserved=POS.reserved + quantity).execution_options(synchronize_session=False))
    if _rows(done) != 1:
        raise Conflict(f"{node_id} has fewer than {quantity} of {sku} available to promise",
                       field=field, node_id=node_id, sku=sku)


def unreserve(ctx: ApplyContext, node_id: str, sku: str, quantity: int) -> None:
    """Release up to ``quantity`` of a position's reservations (never below zero)."""
    ctx.deps.session.execute(
        update(POS).where(POS.node_id == node_id, POS.sku == sku)
        .values(reserved=case((POS.reserved >= quantity, POS.reserved - quantity), else_=0))
        .execution_options(synchronize_session=False))


def reservation(ctx: ApplyContext, data: Reservation) -> Effect:
    """A channel holds units against available-to-promise; a typed conflict when too few are free."""
    _check_refs(ctx, data.node_id, data.sku)
    if ctx.deps.session.get(POS, (data.node_id, data.sku)) is None:
        raise Conflict(f"{data.node_id} holds no {data.sku}", field="data.sku")
    reserve(ctx, data.node_id, data.sku, data.quantity)
    return Effect("inventory", f"{data.node_id}/{data.sku}", True,
                  [position_change(ctx, data.node_id, data.sku)])


def release(ctx: ApplyContext, data: Reservation) -> Effect:
    """A channel gives held units back to available-to-promise."""
    _check_refs(ctx, data.node_id, data.sku)
    done = ctx.deps.session.execute(
        update(POS).where(POS.node_id == data.node_id, POS.sku == data.sku,
                          POS.reserved >= data.quantity)
        .values(reserved=POS.reserved - data.quantity).execution_options(synchronize_session=False))
    if _rows(done) != 1:
        raise Conflict(f"{data.node_id} has fewer than {data.quantity} of {data.sku} reserved",
                       field="data.quantity")
    return Effect("inventory", f"{data.node_id}/{data.sku}", True,
                  [position_change(ctx, data.node_id, data.sku)])
