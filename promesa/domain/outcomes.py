"""The outcome of an approved write, keyed by the action — the domain's truth for exactly-once.

An action is the tool, the order, the canonical arguments and the order's *state version*
(a digest of what the order looks like when the approval is requested). Two threads asking
for the same change of the same order in the same state ask for the same action; once it is
executed, the state moves on and a new request is a new action.

The outcome row is written in the write's own transaction, so after a crash at any instant
either both the change and its outcome exist or neither does. Callers read it to answer a
resumed or second approval with what happened, to refuse rejecting what already ran, and to
leave executed actions out of the approval list.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promesa.store.models import (
    ActionOutcome,
    AddressChange,
    Order,
    OrderLine,
    Refund,
    ReturnAuthorization,
    SupportCase,
)

#: The state version of an action that names no order (a complaint about the service).
NO_ORDER = "no-order"


def state_version(session: Session, order_id: str | None) -> str:
    """A digest of the order as a write would change it: the order row, its lines and the
    records actions add (returns, cases, refunds, address changes)."""
    if not order_id:
        return NO_ORDER
    order = session.get(Order, order_id, populate_existing=True)
    if order is None:
        return NO_ORDER
    lines = session.execute(
        select(OrderLine.line_no, OrderLine.status, OrderLine.allocated_node_id, OrderLine.quantity)
        .where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)
    ).all()
    counts = [
        session.scalar(select(func.count()).select_from(model).where(model.order_id == order_id))
        for model in (ReturnAuthorization, SupportCase, Refund, AddressChange)
    ]
    parts: list[Any] = [
        order.status, order.fulfillment_type, order.pickup_node_id, order.service_id,
        order.ship_to_id, order.promised_date, [list(row) for row in lines], counts,
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:40]


def action_key(action: str, order_id: str | None, args: dict[str, Any], version: str) -> str:
    """The key of one action: the same for every thread that asks for it in the same state."""
    canonical = json.dumps({"order": order_id, "args": args, "version": version},
                           sort_keys=True, default=str)
    return f"{action}:{hashlib.sha256(canonical.encode()).hexdigest()[:40]}"


def find(session: Session, key: str) -> ActionOutcome | None:
    """The executed outcome of ``key`` as committed now (never a stale cached row)."""
    return session.get(ActionOutcome, key, populate_existing=True)


def executed(session: Session, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` have been executed."""
    wanted = sorted(set(keys))
    if not wanted:
        return set()
    return set(session.scalars(select(ActionOutcome.action_key).where(ActionOutcome.action_key.in_(wanted))))


def record(session: Session, *, key: str, action: str, order_id: str | None, version: str,
           thread_id: str | None, decided_by: str, now: datetime, result: dict[str, Any]) -> ActionOutcome:
    """Store the outcome in the caller's transaction (once: an existing row is returned)."""
    existing = find(session, key)
    if existing is not None:
        return existing
    outcome = ActionOutcome(action_key=key, action=action, order_id=order_id, state_version=version,
                            thread_id=thread_id or None, decided_by=decided_by, executed_at=now,
                            result=result)
    session.add(outcome)
    session.flush()
    return outcome


def lock_order(session: Session, order_id: str | None) -> None:
    """Take the order's row lock (PostgreSQL), so a decision and an execution serialise."""
    if order_id:
        session.get(Order, order_id, with_for_update=True, populate_existing=True)


def describe(outcome: ActionOutcome) -> str:
    """What happened, in one sentence a person can act on."""
    order = f" on {outcome.order_id}" if outcome.order_id else ""
    return (f"{outcome.action}{order} was already executed, approved by {outcome.decided_by} "
            f"at {outcome.executed_at.isoformat(timespec='seconds')}")
