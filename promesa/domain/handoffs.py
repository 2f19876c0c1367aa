"""Handoffs: a conversation queued for a person, and the queue the support copilot works from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from promesa.domain import access, audit
from promesa.domain.deps import Deps
from promesa.domain.records import Record
from promesa.errors import Conflict, InvalidInput, NotFound
from promesa.principal import Role
from promesa.store.enums import HandoffStatus
from promesa.store.models import Customer, Handoff
from promesa.text import has_controls


class HandoffQueued(Record):
    handoff_id: int
    reason: str
    thread_id: str
    status: str


class HandoffView(Record):
    handoff_id: int
    created_at: datetime
    thread_id: str
    customer_id: str | None
    order_id: str | None
    reason: str
    summary: str
    status: HandoffStatus


def queue_handoff(deps: Deps, *, thread_id: str, reason: str, summary: str) -> HandoffQueued:
    """Queue a handoff for the principal's conversation and audit it (no approval needed).

    Idempotent by thread: while a conversation has an open handoff, asking again (a retried or
    resumed turn, a second "I want a person") returns that handoff instead of queueing another.

    Raises:
        NotFound: a customer principal whose record does not exist (erased after the token
            was issued): the handoff would name no one, and the insert would break its key.
    """
    principal = deps.principal
    if principal.role is Role.customer and deps.session.get(Customer, principal.subject) is None:
        raise NotFound(f"customer {principal.subject} not found", field="customer_id")
    open_one = deps.session.scalars(
        select(Handoff).where(Handoff.thread_id == thread_id[:64], Handoff.status == HandoffStatus.open)
        .order_by(Handoff.id).limit(1)
    ).first()
    if open_one is not None:
        return HandoffQueued(handoff_id=open_one.id, reason=open_one.reason,
                             thread_id=open_one.thread_id, status=open_one.status.value)
    row = Handoff(
        created_at=deps.now,
        thread_id=thread_id[:64],
        customer_id=principal.subject if principal.role is Role.customer else None,
        order_id=principal.order_scope,
        reason=reason[:200],
        summary=summary,
    )
    deps.session.add(row)
    deps.session.flush()
    audit.record(deps, "handoff_requested", "thread", thread_id[:64], {"reason": reason[:200]})
    return HandoffQueued(handoff_id=row.id, reason=row.reason, thread_id=row.thread_id, status=row.status.value)


def handoff_queue(
    deps: Deps, *, status: HandoffStatus | None = HandoffStatus.open, limit: int = 100
) -> list[HandoffView]:
    """Handoffs waiting for a person, oldest first (the order they should be taken).

    Raises:
        Forbidden: the principal is not staff.
        InvalidInput: ``limit`` outside 1…MAX_ROWS.
    """
    access.ensure_staff(deps.principal, "reading the handoff queue")
    audit.check_limit(limit)
    query = select(Handoff).order_by(Handoff.created_at, Handoff.id).limit(limit)
    if status is not None:
        query = query.where(Handoff.status == status)
    return [_view(h) for h in deps.session.scalars(query)]


#: Which status each step of working a handoff moves it to, and from which statuses.
_STEPS = {
    "claim": (HandoffStatus.claimed, frozenset({HandoffStatus.open})),
    "resolve": (HandoffStatus.closed, frozenset({HandoffStatus.open, HandoffStatus.claimed})),
}


_AUDIT_ACTION = {"claim": "handoff_claimed", "resolve": "handoff_resolved"}


def get_handoff(deps: Deps, handoff_id: int) -> HandoffView:
    """One handoff for staff (its thread id leads to the transcript).

    Raises:
        Forbidden: the principal is not staff.
        NotFound: no handoff with that id.
    """
    access.ensure_staff(deps.principal, "reading a handoff")
    row = deps.session.get(Handoff, handoff_id)
    if row is None:
        raise NotFound(f"no handoff {handoff_id}", field="handoff_id")
    return _view(row)


def advance_handoff(deps: Deps, handoff_id: int, step: str, note: str = "") -> HandoffView:
    """Claim (open -> claimed) or resolve (open/claimed -> closed) a handoff, audited.

    Idempotent: repeating the step that brought the handoff to its status returns it unchanged
    (a double click, a retried request); any other move from a later status is a Conflict.

    Raises:
        Forbidden: the principal is not staff.
        NotFound: no handoff with that id.
        Conflict: the step is not possible from the handoff's status (resolved already).
    """
    access.ensure_staff(deps.principal, "working a handoff")
    target, allowed_from = _STEPS[step]
    row = deps.session.get(Handoff, handoff_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no handoff {handoff_id}", field="handoff_id")
    if row.status is target:
        return _view(row)
    if row.status not in allowed_from:
        raise Conflict(f"handoff {handoff_id} is {row.status.value}; it cannot be {step}ed", field="handoff_id")
    row.status = target
    deps.session.flush()
    audit.record(deps, _AUDIT_ACTION[step], "thread", row.thread_id,
                 {"handoff_id": row.id, "note": note[:500]} if note else {"handoff_id": row.id})
    return _view(row)


#: Longest reply a person may send into a customer's conversation.
MAX_REPLY_CHARS = 2000


class StaffReply(Record):
    """A staff reply the domain allowed into a handed-off conversation (and where it goes)."""

    handoff_id: int
    thread_id: str
    customer_id: str | None
    order_id: str | None
    text: str
    sent_at: datetime


def authorize_reply(deps: Deps, handoff_id: int, text: str) -> StaffReply:
    """Allow a staff member's reply into the customer's conversation of a handoff, audited.

    Replying to an open handoff claims it (the person who answers owns the ticket). The text is
    stored in the conversation, not in the audit trail, so an erasure that deletes the thread
    deletes the reply too.

    Raises:
        Forbidden: the principal is not staff.
        NotFound: no handoff with that id.
        InvalidInput: the text is empty, too long or holds control characters (field ``text``).
        Conflict: the handoff is closed (its conversation has been handed back).
    """
    access.ensure_staff(deps.principal, "replying to a customer")
    clean = text.strip()
    if not clean:
        raise InvalidInput("the reply is empty", field="text")
    if len(clean) > MAX_REPLY_CHARS:
        raise InvalidInput(f"a reply holds at most {MAX_REPLY_CHARS} characters", field="text")
    if has_controls(clean):
        raise InvalidInput("the reply holds control characters", field="text")
    row = deps.session.get(Handoff, handoff_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no handoff {handoff_id}", field="handoff_id")
    if row.status is HandoffStatus.closed:
        raise Conflict(f"handoff {handoff_id} is closed; the customer can ask again", field="handoff_id")
    if row.status is HandoffStatus.open:
        row.status = HandoffStatus.claimed
        audit.record(deps, _AUDIT_ACTION["claim"], "thread", row.thread_id, {"handoff_id": row.id})
    deps.session.flush()
    audit.record(deps, "handoff_replied", "thread", row.thread_id, {"handoff_id": row.id, "chars": len(clean)})
    return StaffReply(handoff_id=row.id, thread_id=row.thread_id, customer_id=row.customer_id,
                      order_id=row.order_id, text=clean, sent_at=deps.now)


def _view(h: Handoff) -> HandoffView:
    return HandoffView(
        handoff_id=h.id, created_at=h.created_at, thread_id=h.thread_id,
        customer_id=h.customer_id, order_id=h.order_id, reason=h.reason, summary=h.summary,
        status=h.status,
    )
