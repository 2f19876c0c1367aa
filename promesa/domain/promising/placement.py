"""Placing an order on a promise: stock and a node-day slot taken with the promise, or a new date.

1. Who: a customer places only their own orders (staff and the system any customer's).
2. The plan is computed again under lock — the plan's nodes (``SELECT … FOR UPDATE``, in id
   order so two checkouts never deadlock) and their stock positions — so no other placement
   can take the slot between the check and the write. SQLite has one writer at a time; the
   write lock is taken before the first read instead, so the first plan is already the one
   under lock (planning twice there would compute the same plan twice).
3. If the fresh plan delivers later than the date the shopper accepted, nothing is written and
   the result is a ``requote`` with the new plan to accept: never a silently broken promise.
4. Otherwise the order is written by the ``order.created`` event handler (``ingest``) with each
   line allocated to its planned node and ship-by day, in this transaction: the stock
   reservation, the node-load slot (by trigger), the promised date and the audit entry commit
   together, with the idempotency key's execution row: placing the same key again answers
   ``duplicate`` with the same order (a concurrent second submit of one key is a Conflict).
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from promesa.domain.deps import Deps
from promesa.domain.events.ingest import ingest
from promesa.domain.promising.checkout import plan_checkout
from promesa.domain.promising.records import (
    CartLine,
    CheckoutPlan,
    PlacementResult,
    PlacementStatus,
    Policy,
)
from promesa.errors import Conflict, Forbidden, InvalidInput, NotFound
from promesa.principal import Principal, Role
from promesa.store.enums import Channel, FulfillmentType, ServiceLevel
from promesa.store.models import ActionExecution, Address, InventoryPosition, Node, Order, Product

#: The principal and CloudEvents source checkout writes orders as.
CHECKOUT = Principal(role=Role.system, subject="checkout")
CHECKOUT_SOURCE = "/promesa/checkout"
#: Re-plans after locking, at most (a plan moving to nodes not yet locked locks those too).
MAX_LOCK_ROUNDS = 3


class PlaceOrder(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    customer_id: str = Field(min_length=1, max_length=32)
    lines: list[CartLine] = Field(min_length=1, max_length=50)
    ship_to_id: str | None = Field(None, max_length=32, description="The customer's address to ship to.")
    pickup_node_id: str | None = Field(None, max_length=32, description="Or: the store to collect at.")
    service_level: ServiceLevel = ServiceLevel.standard
    accepted_delivery_date: date = Field(description="The latest delivery date the shopper was shown.")
    idempotency_key: str = Field(min_length=8, max_length=100)
    channel: Channel = Channel.web


#: Checkout order numbers: 8 digits from 80000000 (world generators number from far below).
CHECKOUT_NUMBERS = (80_000_000, 20_000_000)
ACTION_CHECKOUT = "checkout"


def _execution_key(customer_id: str, key: str) -> str:
    digest = hashlib.sha256(f"{customer_id}\0{key}".encode()).hexdigest()[:40]
    return f"{ACTION_CHECKOUT}:{digest}"


def _new_order_id(session: Session, execution_key: str) -> str:
    """An order number derived from the key, the next candidate while one is taken."""
    start, span = CHECKOUT_NUMBERS
    for attempt in range(100):
        digest = hashlib.sha256(f"{execution_key}\0{attempt}".encode()).digest()
        candidate = f"PO-{start + int.from_bytes(digest[:8], 'big') % span}"
        if session.get(Order, candidate) is None:
            return candidate
    raise Conflict("no free order number", field="idempotency_key")


def _authorize(principal: Principal, customer_id: str) -> None:
    if principal.is_staff:
        return
    if principal.role is Role.customer and principal.subject == customer_id:
        return
    raise Forbidden("you may place orders only for yourself", field="customer_id")


def _destination(deps: Deps, request: PlaceOrder) -> tuple[str, tuple[float, float]] | None:
    """The postal code and point to plan for (None for pickup)."""
    if (request.ship_to_id is None) == (request.pickup_node_id is None):
        raise InvalidInput("give ship_to_id or pickup_node_id (one of them)", field="ship_to_id")
    if request.ship_to_id is None:
        return None
    address = deps.session.get(Address, request.ship_to_id)
    if address is None or address.customer_id != request.customer_id:
        raise NotFound(f"address {request.ship_to_id} not found", field="ship_to_id")
    return address.postal_code, (address.lat, address.lon)


def _plan(deps: Deps, request: PlaceOrder, where: tuple[str, tuple[float, float]] | None,
          policy: Policy) -> CheckoutPlan:
    return plan_checkout(deps, request.lines, where[0] if where else None, service_level=request.service_level,
                         pickup_node_id=request.pickup_node_id, policy=policy,
                         destination=where[1] if where else None)


def _lock(deps: Deps, plan: CheckoutPlan, held: set[str]) -> None:
    """Lock the plan's nodes not yet held, then the stock positions they ship, in key order."""
    session = deps.session
    wanted = sorted({s.node_id for s in plan.shipments} - held)
    if wanted:
        session.execute(select(Node.id).where(Node.id.in_(wanted)).order_by(Node.id).with_for_update())
        held.update(wanted)
    keys = sorted((s.node_id, ln.sku) for s in plan.shipments for ln in s.lines)
    for node_id, sku in keys:
        session.execute(select(InventoryPosition.on_hand).where(
            InventoryPosition.node_id == node_id, InventoryPosition.sku == sku).with_for_update())


def _prices(session: Session, plan: CheckoutPlan) -> dict[str, Decimal]:
    """The unit price of every SKU the plan ships (planning refused an unknown SKU already)."""
    prices: dict[str, Decimal] = {}
    for sku in sorted({ln.sku for s in plan.shipments for ln in s.lines}):
        product = session.get(Product, sku)
        if product is None:
            raise NotFound(f"product {sku} not found", field="lines")
        prices[sku] = product.price
    return prices


def _event(request: PlaceOrder, order_id: str, plan: CheckoutPlan, prices: dict[str, Decimal]) -> dict[str, object]:
    lines = [{"sku": ln.sku, "quantity": ln.quantity, "unit_price": str(prices[ln.sku]),
              "node_id": s.node_id, "ship_by": s.ship_date.isoformat()}
             for s in plan.shipments for ln in s.lines]
    pickup = request.pickup_node_id is not None
    data: dict[str, object] = {"order_id": order_id, "customer_id": request.customer_id, "channel": request.channel.value,
            "fulfillment_type": (FulfillmentType.pickup if pickup else FulfillmentType.ship).value,
            "promised_date": plan.latest_delivery.isoformat(), "lines": lines}
    if pickup:
        data["pickup_node_id"] = request.pickup_node_id
    else:
        data["ship_to_id"] = request.ship_to_id
        service = next((s.service_id for s in plan.shipments if s.service_id), None)
        if service:
            data["service_id"] = service
    return data


def _relock(deps: Deps, request: PlaceOrder, where: tuple[str, tuple[float, float]] | None, policy: Policy,
            plan: CheckoutPlan) -> CheckoutPlan:
    """Lock the plan's nodes and stock, re-plan, until the plan stays on locked nodes."""
    held: set[str] = set()
    for _ in range(MAX_LOCK_ROUNDS):
        _lock(deps, plan, held)
        deps.session.expire_all()  # read the load and stock as they are now that we hold the locks
        fresh = _plan(deps, request, where, policy)
        settled = {s.node_id for s in fresh.shipments} <= held
        plan = fresh
        if settled:
            return plan
    raise Conflict("the plan kept moving while it was being placed; try again", field="lines")


def place_order(deps: Deps, request: PlaceOrder, policy: Policy = Policy.capacity_aware) -> PlacementResult:
    """Place ``request`` on a fresh plan in the caller's transaction (see the module docstring)."""
    _authorize(deps.principal, request.customer_id)
    session = deps.session
    execution_key = _execution_key(request.customer_id, request.idempotency_key)
    done = session.get(ActionExecution, execution_key)
    if done is not None:
        existing = session.get(Order, done.entity_id)
        return PlacementResult(status=PlacementStatus.duplicate, order_id=done.entity_id,
                               promised_date=existing.promised_date if existing else None,
                               total_mxn=existing.total if existing else None)
    postal_code = _destination(deps, request)
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:  # inside a savepoint too: the enclosing transaction then holds the lock
        session.execute(text("UPDATE event_watermarks SET sequence = sequence WHERE 0"))
    plan = _plan(deps, request, postal_code, policy)
    # SQLite: this transaction holds the database's only write lock, so nothing can move
    # between this plan and the write; a second plan "under lock" would be the same plan
    if not sqlite:
        plan = _relock(deps, request, postal_code, policy, plan)
    if plan.latest_delivery > request.accepted_delivery_date:
        return PlacementResult(
            status=PlacementStatus.requote, plan=plan,
            reason=f"the quoted date no longer holds: the earliest delivery is now "
                   f"{plan.latest_delivery.isoformat()}")
    order_id = _new_order_id(session, execution_key)
    prices = _prices(session, plan)
    raw = {"specversion": "1.0", "id": f"checkout-{order_id}", "source": CHECKOUT_SOURCE,
           "type": "promesa.order.created.v1", "time": deps.now.isoformat(),
           "data": _event(request, order_id, plan, prices)}
    result = ingest(Deps(session=session, principal=CHECKOUT, now=deps.now, settings=deps.settings), raw)
    if result.status != "accepted":
        error = result.error
        raise Conflict(error.reason if error else "the order could not be placed",
                       field=(error.field if error else None) or "lines")
    session.add(ActionExecution(key=execution_key, action=ACTION_CHECKOUT, entity_id=order_id,
                                executed_at=deps.now, actor=deps.principal.label(),
                                result={"order_id": order_id, "promised_date": plan.latest_delivery.isoformat()}))
    session.flush()
    order = session.get(Order, order_id)
    return PlacementResult(status=PlacementStatus.placed, order_id=order_id,
                           promised_date=plan.latest_delivery, plan=plan,
                           total_mxn=order.total if order else None)
