"""Offers the customer must accept: a pickup that keeps the promise a delivery will miss.

Switching a delivery to a store pickup changes what the customer does (they go to a store), so
neither the autonomy policy nor a staff approval may run it (DESIGN rule 4: the customer's
explicit confirmation of their own order). The orchestrator, or staff approving such an option,
*offers* it instead: the action waits as ``awaiting_customer`` and a ``pickup_offer`` notice
tells the customer the late delivery date and the store's ready date. The customer's "yes"
(the widget's button on that notice) converts the order with their consent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from promesa.domain import audit
from promesa.domain.deps import Deps
from promesa.domain.fulfillment.execution import convert_to_pickup
from promesa.domain.fulfillment.records import RerouteOption, RerouteProposal
from promesa.domain.orchestration.notify import tell
from promesa.domain.records import Record
from promesa.errors import Conflict, Forbidden, NotFound
from promesa.principal import Role
from promesa.store.enums import NoticeKind, OrchestrationDecision
from promesa.store.models import Node, Notice, OrchestrationAction, Order, OrderLine

PICKUP = "pickup"


class OfferAccepted(Record):
    """A pickup offer the customer accepted: where and when the order is ready now."""

    order_id: str
    action_id: int
    node_id: str
    store_name: str
    ready_date: date
    replayed: bool = False


def pickup_offer(proposal: RerouteProposal) -> RerouteOption | None:
    """The best pickup that keeps the promise and waits only for the customer's consent."""
    return next((o for o in proposal.options
                 if o.kind == PICKUP and o.meets_promise and not o.filtered_out and o.needs_consent), None)


def delivery_eta(proposal: RerouteProposal | None, fallback: date | None) -> date | None:
    """When the order arrives at the customer's address as things stand (no consent needed)."""
    if proposal is not None:
        deliveries = [o.eta for o in proposal.options if o.kind != PICKUP and o.executable]
        if deliveries:
            return min(deliveries)
        if proposal.current_eta:
            return proposal.current_eta
    return fallback


def stranded_fallback(proposal: RerouteProposal) -> RerouteOption | None:
    """The earliest executable option when the allocated node cannot ship at all (its stock is
    gone) and nothing keeps the promise: a late delivery beats none, so a person decides it."""
    if proposal.current_eta is not None or proposal.problem is None:
        return None
    movable = [o for o in proposal.options if o.executable]
    return min(movable, key=lambda o: (o.eta, o.cost_delta_mxn, o.option_id), default=None)


def snapshot(deps: Deps, order: Order) -> dict[str, Any]:
    """What an action changes on the order, kept so staff can put it back."""
    lines = deps.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    return {"service_id": order.service_id,
            "lines": [{"line_no": ln.line_no, "node_id": ln.allocated_node_id,
                       "ship_by": ln.ship_by.isoformat() if ln.ship_by else None} for ln in lines]}


def offer(deps: Deps, row: OrchestrationAction, order: Order, option: RerouteOption, late_eta: date | None,
          why: str) -> int:
    """Turn ``row`` into an offer of ``option`` to the customer; the number of notices drafted."""
    row.decision, row.option_id = OrchestrationDecision.awaiting_customer, option.option_id
    row.detail = f"{why}; offered to the customer, who must accept it"[:2000]
    return tell(deps, order, row.trigger, row.key, NoticeKind.pickup_offer, late_eta,
                store_id=option.nodes[0], pickup_ready=option.eta)


def _node_of(option_id: str) -> str:
    """The store of a pickup option id (``pickup:<node>:pickup``)."""
    parts = option_id.split(":")
    if len(parts) != 3 or parts[0] != PICKUP:
        raise Conflict(f"{option_id} is not a pickup offer", field="notice_id")
    return parts[1]


def accept(deps: Deps, notice_id: int) -> OfferAccepted:
    """The signed-in customer accepts the pickup their notice offers (their consent); idempotent.

    Raises:
        Forbidden: not a signed-in customer (staff cannot consent for them).
        NotFound: no such notice, or not this customer's (the same error either way).
        Conflict: the notice offers nothing, the offer was answered otherwise, or the store can
            no longer hold the order (details carry a fresh proposal).
    """
    principal = deps.principal
    if principal.role is not Role.customer or principal.subject is None:
        raise Forbidden("only the customer can accept a pickup offer", role=principal.role.value)
    notice = deps.session.get(Notice, notice_id)
    if notice is None or notice.customer_id != principal.subject:
        raise NotFound(f"notice {notice_id} not found", field="notice_id")
    row = deps.session.scalar(select(OrchestrationAction).where(OrchestrationAction.key == notice.trigger_key)
                              .with_for_update())
    if row is None or notice.kind is not NoticeKind.pickup_offer:
        raise Conflict(f"notice {notice_id} offers nothing to accept", field="notice_id")
    node_id = _node_of(row.option_id or "")
    if row.decision not in (OrchestrationDecision.awaiting_customer, OrchestrationDecision.accepted):
        raise Conflict(f"the offer in notice {notice_id} is {row.decision.value}", field="notice_id")
    order = deps.session.get(Order, row.order_id, with_for_update=True)
    if order is None:
        raise NotFound(f"notice {notice_id} not found", field="notice_id")
    before = snapshot(deps, order)
    done = convert_to_pickup(deps, order_id=row.order_id, node_id=node_id, idempotency_key=f"orch:{row.key}"[:128],
                             consent=True, approved_by=principal.label(),
                             note=f"accepted the pickup offered in notice {notice_id}")
    if row.decision is OrchestrationDecision.awaiting_customer:
        row.before, row.decision = before, OrchestrationDecision.accepted
        row.decided_by, row.decided_at = principal.label(), deps.now
        audit.record(deps, "orchestration.accepted", "order", row.order_id,
                     {"action_id": row.id, "notice_id": notice_id, "option_id": row.option_id})
    deps.session.flush()
    store = deps.session.get(Node, node_id)
    return OfferAccepted(order_id=row.order_id, action_id=row.id, node_id=node_id,
                         store_name=store.name if store else node_id, ready_date=done.eta, replayed=done.replayed)
