"""Executing an approved reroute or pickup conversion: re-check, move reservations, record.

Runs in the caller's transaction (the tool or API commits); the work itself sits in a
SAVEPOINT so a refusal leaves nothing half-written. Reservations move with conditional
UPDATEs (``… WHERE on_hand - reserved - safety_stock >= qty``) on rows locked in a fixed order,
so concurrent executions can never take a position below zero. An idempotency key executed
before returns the stored result and changes nothing.
"""

from __future__ import annotations

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError

from promesa.domain import access, audit
from promesa.domain.deps import Deps
from promesa.domain.fulfillment.proposals import propose_reroute
from promesa.domain.fulfillment.records import RerouteExecution, RerouteOption, RerouteProposal
from promesa.domain.fulfillment.rights import ACTION_PICKUP, ACTION_REROUTE, ensure_may_request
from promesa.domain.reference import reference
from promesa.domain.ship_by import compute_ship_by
from promesa.errors import Conflict, InvalidInput, PolicyViolation
from promesa.principal import Principal
from promesa.store.db import rows_matched
from promesa.store.enums import FulfillmentType
from promesa.store.models import ActionExecution, Address, CarrierService, InventoryPosition, Order, OrderLine

__all__ = ["ACTION_PICKUP", "ACTION_REROUTE", "convert_to_pickup", "execute_reroute", "record_rejection"]


class _Stale(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _replay(deps: Deps, key: str, order_id: str, option_id: str) -> RerouteExecution | None:
    done = deps.session.get(ActionExecution, key)
    if done is None:
        return None
    if done.entity_id != order_id or done.result.get("option_id") != option_id:
        raise Conflict(
            f"idempotency key {key!r} was already used for {done.action} on {done.entity_id}",
            idempotency_key=key,
        )
    return RerouteExecution.model_validate({**done.result, "replayed": True})


def _stale(deps: Deps, order_id: str, option_id: str, why: str, consent: bool) -> Conflict:
    fresh = propose_reroute(deps, order_id, consent_pickup=consent)
    return Conflict(
        f"option {option_id} is no longer possible: {why}",
        option_id=option_id, proposal=fresh.model_dump(mode="json"),
    )


def _find(proposal: RerouteProposal, option_id: str) -> RerouteOption | None:
    return next((o for o in proposal.options if o.option_id == option_id), None)


def _move(deps: Deps, order: Order, option: RerouteOption) -> list[dict[str, object]]:
    """Move the option's lines and their reservations; raises _Stale when stock ran out."""
    session = deps.session
    lines_by_no = {
        ln.line_no: ln
        for ln in session.scalars(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
            .with_for_update().execution_options(populate_existing=True)
        )
    }
    plan: list[tuple[OrderLine, str]] = [
        (lines_by_no[no], part.node_id) for part in option.detail for no in part.line_nos
    ]
    ready_day = {no: part.ship_day for part in option.detail for no in part.line_nos}
    reserve: dict[tuple[str, str], int] = {}
    release: dict[tuple[str, str], int] = {}
    for line, node_id in plan:
        if line.allocated_node_id == node_id:
            continue
        reserve[(node_id, line.sku)] = reserve.get((node_id, line.sku), 0) + line.quantity
        if line.allocated_node_id:
            key = (line.allocated_node_id, line.sku)
            release[key] = release.get(key, 0) + line.quantity
    # one lock order for every execution, so two racing executions cannot deadlock
    for node_id, sku in sorted(set(reserve) | set(release)):
        session.execute(
            select(InventoryPosition.node_id).where(
                InventoryPosition.node_id == node_id, InventoryPosition.sku == sku
            ).with_for_update()
        )
    pos = InventoryPosition
    for (node_id, sku), qty in sorted(reserve.items()):
        matched = rows_matched(
            session,
            update(pos)
            .where(pos.node_id == node_id, pos.sku == sku,
                   pos.on_hand - pos.reserved - pos.safety_stock >= qty)
            .values(reserved=pos.reserved + qty)
            .execution_options(synchronize_session=False),
        )
        if matched != 1:
            raise _Stale(f"{node_id} no longer has {qty} of {sku} available to promise")
    for (node_id, sku), qty in sorted(release.items()):
        session.execute(
            update(pos)
            .where(pos.node_id == node_id, pos.sku == sku)
            .values(reserved=case((pos.reserved >= qty, pos.reserved - qty), else_=0))
            .execution_options(synchronize_session=False)
        )
    ref = reference(session)
    if option.kind == "pickup":
        order.fulfillment_type = FulfillmentType.pickup
        order.pickup_node_id = option.nodes[0]
    elif option.kind == "upgrade_service" and option.service_id:
        order.service_id = option.service_id
    service = session.get(CarrierService, order.service_id) if order.service_id else None
    carrier = ref.carriers[service.carrier_id] if service else None
    destination = None
    if order.ship_to_id:
        address = session.get(Address, order.ship_to_id)
        destination = (address.lat, address.lon) if address else None
    moved = []
    for line, node_id in plan:
        node = ref.nodes[node_id]
        ship_by = compute_ship_by(
            promised=order.promised_date, node=node, fulfillment_type=order.fulfillment_type,
            destination=destination, pickup_node_id=order.pickup_node_id, service=service,
            delivery_weekdays=carrier.delivery_weekdays if carrier else None,
        )
        if option.kind == "pickup":
            # the shopper was told the day it is ready: the store's queue owes it that day,
            # so the order's status and ETA say the same as the proposal that was accepted
            ship_by = min(ship_by, ready_day[line.line_no])
        moved.append({"line_no": line.line_no, "sku": line.sku, "quantity": line.quantity,
                      "from_node": line.allocated_node_id, "to_node": node_id,
                      "ship_by": ship_by.isoformat()})
        line.allocated_node_id = node_id
        line.ship_by = ship_by
    return moved


def _execute(deps: Deps, *, order_id: str, option_id: str, key: str, approved_by: str | None,
             action: str, consent: bool, note: str | None = None,
             requested_by: Principal | None = None) -> RerouteExecution:
    if not key or len(key) > 128:
        raise InvalidInput("an idempotency key of 1–128 characters is required", field="idempotency_key")
    # authorized again at execution: for whoever executes (the approver) and whoever asked
    ensure_may_request(deps, deps.principal, action=action, order_id=order_id)
    if requested_by is not None:
        ensure_may_request(deps, requested_by, action=action, order_id=order_id)
    approved_by = approved_by or deps.principal.label()  # no separate approver: whoever executes
    replay = _replay(deps, key, order_id, option_id)
    if replay is not None:
        return replay
    proposal = propose_reroute(deps, order_id, consent_pickup=consent)
    option = _find(proposal, option_id)
    if option is None or not option.executable:
        raise Conflict(
            f"option {option_id} is no longer possible for {order_id}: {proposal.reason}",
            option_id=option_id, proposal=proposal.model_dump(mode="json"),
        )
    order = deps.session.get(Order, order_id, with_for_update=True, populate_existing=True)
    assert order is not None  # propose_reroute found it
    try:
        with deps.session.begin_nested():
            moved = _move(deps, order, option)
            execution = RerouteExecution(
                order_id=order_id, option_id=option_id, kind=option.kind, idempotency_key=key,
                approved_by=approved_by, executed_at=deps.now, moved=moved, eta=option.eta,
                service_id=option.service_id,
            )
            audit.record(deps, action, "order", order_id, {
                "option_id": option_id, "approved_by": approved_by, "eta": option.eta.isoformat(),
                "moved": moved, "proposal_id": proposal.proposal_id, "note": note,
                "requested_by": requested_by.label() if requested_by else approved_by,
            })
            deps.session.add(ActionExecution(
                key=key, action=action, entity_id=order_id, executed_at=deps.now,
                actor=deps.principal.label(), result=execution.model_dump(mode="json", exclude={"replayed"}),
            ))
            deps.session.flush()
    except _Stale as stale:
        deps.session.expire(order)
        raise _stale(deps, order_id, option_id, stale.message, consent) from None
    except IntegrityError:
        # the same key committed by a concurrent execution: answer with its result
        deps.session.expire_all()
        replay = _replay(deps, key, order_id, option_id)
        if replay is None:
            raise
        return replay
    return execution


def execute_reroute(deps: Deps, *, order_id: str, option_id: str, idempotency_key: str,
                    approved_by: str | None = None, note: str | None = None,
                    requested_by: Principal | None = None) -> RerouteExecution:
    """Apply an approved reroute option (staff only); same key twice returns the stored result.

    ``note`` is the approver's reason, kept in the audit log beside who approved;
    ``requested_by`` is who asked for it, authorized again here beside the executing principal.

    Raises:
        Forbidden: not support, ops or system.
        PolicyViolation: a line is already picked or beyond; a pickup option (use
            :func:`convert_to_pickup`, which needs consent).
        Conflict: the option is stale (details carry ``proposal``, a fresh one).
    """
    access.ensure_staff(deps.principal, "executing a reroute")
    if option_id.startswith("pickup:"):
        raise PolicyViolation("converting to pickup needs the customer's consent: use convert_to_pickup",
                              option_id=option_id)
    return _execute(deps, order_id=order_id, option_id=option_id, key=idempotency_key,
                    approved_by=approved_by, action=ACTION_REROUTE, consent=False, note=note,
                    requested_by=requested_by)


def convert_to_pickup(deps: Deps, *, order_id: str, node_id: str, idempotency_key: str,
                      consent: bool, approved_by: str | None = None,
                      note: str | None = None, requested_by: Principal | None = None) -> RerouteExecution:
    """Turn a shipped order into a pickup at ``node_id`` — only with the customer's consent.

    A customer may convert their own order; staff any order. Both the executing principal and
    ``requested_by`` (who asked, when it was someone else) must be allowed to.
    """
    if not consent:
        raise PolicyViolation("converting to pickup needs the customer's consent", order_id=order_id)
    return _execute(deps, order_id=order_id, option_id=f"pickup:{node_id}:pickup",
                    key=idempotency_key, approved_by=approved_by,
                    action=ACTION_PICKUP, consent=True, note=note, requested_by=requested_by)


def record_rejection(deps: Deps, *, action: str, order_id: str, rejected_by: str,
                     note: str | None) -> None:
    """Audit a write a person declined: nothing changes but who decided, and why."""
    audit.record(deps, f"{action}_rejected", "order", order_id,
                 {"rejected_by": rejected_by, "note": note})
