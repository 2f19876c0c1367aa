"""Who may ask for a fulfillment write, and what exactly it would change (DESIGN rules 3 and 4).

A write is authorized twice, here in the domain: when it is *proposed* (for the principal who
asked, before anything reaches an approval queue) and when it is *executed* (for the requester
and for the approver). A customer may only ask for writes on their own orders; a reroute is for
staff only; an anonymous visitor asks for none. A refusal of someone else's order is the same
``NotFound`` as an order that does not exist, so a refused request tells the asker nothing.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from promesa.domain import access
from promesa.domain.deps import Deps
from promesa.domain.fulfillment.proposals import propose_reroute
from promesa.domain.records import Record
from promesa.errors import Forbidden
from promesa.principal import Principal, Role
from promesa.store.models import Order

ACTION_REROUTE = "execute_reroute"
ACTION_PICKUP = "convert_to_pickup"


class ChangeField(StrEnum):
    """What one change of a write is about (the approval card words each one per locale)."""

    source = "source"  # lines leave another node (``old`` node -> ``new`` node)
    eta = "eta"  # the new ETA (``new_date``) against the promise (``old_date``)
    pickup = "pickup"  # delivery becomes a pickup at ``new``
    cancel = "cancel"
    return_ = "return"
    exchange = "exchange"
    address = "address"
    claim = "claim"
    refund = "refund"
    unavailable = "unavailable"  # the asked option is not (or no longer) among the proposal's
    note = "note"  # nothing itemised: the proposal's own reason


class Change(Record):
    """One thing a write changes, with typed values (dates as dates); ``text`` says it in English."""

    field: ChangeField
    line_nos: list[int] = []
    old: str | None = Field(None, description="The value before (a node, a SKU), when there is one.")
    new: str | None = Field(None, description="The value after (a node, a SKU, a service, a method).")
    old_date: date | None = None
    new_date: date | None = None
    amount: float | None = Field(None, description="Money, in ``currency``.")
    currency: str | None = None
    quantity: int | None = None
    text: str = Field(description="The change in English (logs, the offline model, any UI that does not localise).")


class WriteRequest(Record):
    """An authorized request for a write: who asked, on what, and what it would change."""

    action: str
    order_id: str
    requested_by: str = Field(description="Principal label of whoever asked.")
    changes: list[Change] = Field(description="What exactly changes if it is approved, one record each.")
    summary: str = Field(description="One sentence for the approval card.")


def ensure_may_request(deps: Deps, principal: Principal, *, action: str, order_id: str) -> Order:
    """Refuse unless ``principal`` may ask for ``action`` on ``order_id``; returns the order.

    Raises:
        NotFound: the order does not exist or is not the principal's (identical messages).
        Forbidden: the role may not ask for this action at all.
    """
    if action == ACTION_REROUTE and not principal.is_staff:
        raise Forbidden("rerouting an order is for support and operations staff", role=principal.role.value)
    if action == ACTION_PICKUP and principal.role not in (Role.customer, Role.support, Role.ops, Role.system):
        raise Forbidden("converting to pickup needs a signed-in customer or staff", role=principal.role.value)
    if action not in (ACTION_REROUTE, ACTION_PICKUP):
        raise Forbidden(f"{action} is not a write anyone may request", role=principal.role.value)
    order = deps.session.get(Order, order_id)
    if order is None:
        raise access.order_not_found(order_id)
    if principal.role is Role.customer:
        # a customer asks only about their own orders; an order scope never widens that
        if principal.subject != order.customer_id:
            raise access.order_not_found(order_id)
    else:
        access.ensure_order_visible(principal, order_id=order.id, customer_id=order.customer_id)
    return order


def describe_request(deps: Deps, *, action: str, order_id: str, option_id: str) -> WriteRequest:
    """Authorize ``deps.principal``'s request and describe the change for the approval card.

    The description is computed now from the current proposal; execution re-checks everything.
    """
    ensure_may_request(deps, deps.principal, action=action, order_id=order_id)
    proposal = propose_reroute(deps, order_id, consent_pickup=action == ACTION_PICKUP)
    option = next((o for o in proposal.options if o.option_id == option_id), None)
    who = deps.principal.label()
    if option is None:
        changes = [Change(field=ChangeField.unavailable, new=option_id,
                          text=f"{option_id} is not among the current options for {order_id}; "
                          "execution will re-check and refuse it if it is still not possible")]
        summary = f"{who} asks for {action} on {order_id} ({option_id})"
    else:
        changes = [
            Change(field=ChangeField.source, line_nos=part.line_nos, old=proposal.current_node, new=part.node_id,
                   text=f"lines {', '.join(map(str, part.line_nos))}: from {proposal.current_node or 'unallocated'} "
                   f"to {part.node_id}" + (" for pickup" if option.kind == "pickup" else f" via {part.service_id}"))
            for part in option.detail
        ]
        changes.append(Change(field=ChangeField.eta, old_date=proposal.promised_date, new_date=option.eta,
                              text=f"new ETA {option.eta.isoformat()} (promise {proposal.promised_date.isoformat()})"))
        if option.kind == "pickup":
            changes.append(Change(field=ChangeField.pickup, new=option.nodes[0],
                                  text=f"delivery becomes a pickup at {option.nodes[0]}"))
        summary = f"{who} asks for {action} on {order_id}: {option.kind} via {'+'.join(option.nodes)}"
    return WriteRequest(action=action, order_id=order_id, requested_by=who, changes=changes, summary=summary)
