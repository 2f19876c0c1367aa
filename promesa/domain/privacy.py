"""Data rights (LFPDPPP ARCO / GDPR): export everything held about a customer; erase it.

Erasure is an approved action with four eyes: a support agent *requests* it (with a reason),
and a *different* staff member (support, ops or system) approves it; the approval executes it
once (idempotent by request). Requests live in the audit log (``privacy_erasure_requested``)
and the execution in ``action_executions``, so no new table is needed.

Erasing a customer, in one transaction:

* the customer row goes; a pseudonymous customer (``ERASED-…``) takes over the orders, which
  the law requires to keep (amounts, dates, lines) — their notes are cleared, and their
  addresses lose the street and keep only a coarse place (city, state, a rounded point);
* identities and interactions are deleted (after which every identifier resolves to nothing);
* handoffs keep that a handoff happened, with the pseudonym and no summary;
* audit entries keep that an action happened: the customer's ids in them become the pseudonym
  and any other identifier (email, phone, name, street) becomes ``[erased]``.

Conversation threads live in the checkpoint store, above the domain: :mod:`agent.privacy`
exports and deletes them. The policy index never holds personal data (policy documents only)
and logs are redacted when written (:mod:`promesa.logsafe`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, or_, select, update

from promesa.domain import access, audit
from promesa.domain.deps import Deps
from promesa.domain.records import Record
from promesa.errors import Forbidden, InvalidInput, NotFound
from promesa.principal import Role
from promesa.store.db import rows_matched
from promesa.store.models import (
    ActionExecution,
    Address,
    AuditEntry,
    Customer,
    Handoff,
    Identity,
    Interaction,
    Notice,
    Order,
    OrderLine,
)

ERASED = "[erased]"
REQUESTED = "privacy_erasure_requested"
ERASED_ACTION = "privacy_erasure"
REQUEST_ENTITY = "privacy_request"


class PrivacyExport(Record):
    """Everything the database holds about one customer (threads are added by the agent)."""

    customer_id: str
    generated_at: datetime
    profile: dict[str, Any]
    identities: list[dict[str, Any]]
    addresses: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    interactions: list[dict[str, Any]]
    handoffs: list[dict[str, Any]]
    audit: list[dict[str, Any]]


class ErasureRequest(Record):
    request_id: str
    customer_id: str
    requested_by: str
    reason: str
    requested_at: datetime


class ErasureResult(Record):
    request_id: str
    pseudonym: str
    requested_by: str
    approved_by: str
    executed_at: datetime
    removed: dict[str, int]
    order_ids: list[str]
    thread_ids: list[str] = []


def _row(obj: Any) -> dict[str, Any]:
    """A model row as JSON values (enums, dates and decimals as strings)."""
    out = {c.key: getattr(obj, c.key) for c in obj.__mapper__.column_attrs}
    # json.loads is typed Any; the dumps of a dict loads back as a dict
    row: dict[str, Any] = json.loads(json.dumps(out, default=lambda v: getattr(v, "value", None) or str(v)))
    return row


def _customer(deps: Deps, customer_id: str) -> Customer:
    customer = deps.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found", customer_id=customer_id)
    return customer


def identifiers(deps: Deps, customer_id: str) -> list[str]:
    """The strings that identify the person: id, name, identity values, streets (longest first)."""
    customer = _customer(deps, customer_id)
    values = {customer.id, customer.name}
    values.update(deps.session.scalars(select(Identity.value).where(Identity.customer_id == customer_id)))
    values.update(deps.session.scalars(select(Address.line1).where(Address.customer_id == customer_id)))
    return sorted((v for v in values if v and len(v) >= 3), key=len, reverse=True)


def _stored_forms(value: str) -> set[str]:
    """How ``value`` may appear inside stored JSON: as is, and with non-ASCII escaped (json.dumps default)."""
    return {value, json.dumps(value)[1:-1]}


def _audit_about(deps: Deps, customer_id: str, order_ids: list[str], idents: list[str]) -> Any:
    details = cast(AuditEntry.details, String)
    return select(AuditEntry).where(or_(
        AuditEntry.entity_id.in_([customer_id, *order_ids]),
        AuditEntry.entity_id.contains(customer_id),
        AuditEntry.actor_subject.in_([customer_id, *order_ids]),
        *(details.contains(form) for value in idents for form in _stored_forms(value)),
    )).order_by(AuditEntry.id)


def export_customer(deps: Deps, customer_id: str) -> PrivacyExport:
    """Everything held about ``customer_id`` in the database (support, ops and system only)."""
    access.ensure_staff(deps.principal, "a privacy export")
    session = deps.session
    customer = _customer(deps, customer_id)
    idents = identifiers(deps, customer_id)
    orders = session.scalars(select(Order).where(Order.customer_id == customer_id).order_by(Order.id)).all()
    order_ids = [o.id for o in orders]
    lines = session.scalars(select(OrderLine).where(OrderLine.order_id.in_(order_ids))).all()
    by_order: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_order.setdefault(line.order_id, []).append(_row(line))
    handoffs = session.scalars(select(Handoff).where(or_(
        Handoff.customer_id == customer_id, Handoff.order_id.in_(order_ids),
    )).order_by(Handoff.id)).all()
    entries = session.scalars(_audit_about(deps, customer_id, order_ids, idents)).all()
    audit.record(deps, "privacy_export", "customer", customer_id, {})
    return PrivacyExport(
        customer_id=customer_id,
        generated_at=deps.now,
        profile=_row(customer),
        identities=[_row(i) for i in session.scalars(select(Identity).where(Identity.customer_id == customer_id))],
        addresses=[_row(a) for a in session.scalars(select(Address).where(Address.customer_id == customer_id))],
        orders=[{**_row(o), "lines": by_order.get(o.id, [])} for o in orders],
        interactions=[_row(i) for i in session.scalars(
            select(Interaction).where(Interaction.customer_id == customer_id).order_by(Interaction.id))],
        handoffs=[_row(h) for h in handoffs],
        audit=[_row(e) for e in entries],
    )


def request_erasure(deps: Deps, customer_id: str, *, reason: str) -> ErasureRequest:
    """Support asks for a customer's erasure; another staff member must approve it."""
    if deps.principal.role is not Role.support:
        raise Forbidden("erasure is requested by support", role=deps.principal.role.value)
    if not reason.strip():
        raise InvalidInput("say why (e.g. the customer's request and how it was verified)", field="reason")
    _customer(deps, customer_id)
    digest = hashlib.sha256(f"{customer_id}:{deps.now.isoformat()}:{deps.principal.label()}".encode())
    request_id = f"ER-{digest.hexdigest()[:12]}"
    audit.record(deps, REQUESTED, REQUEST_ENTITY, request_id,
                 {"customer_id": customer_id, "reason": reason[:500], "requested_by": deps.principal.label()})
    return ErasureRequest(request_id=request_id, customer_id=customer_id, requested_by=deps.principal.label(),
                          reason=reason[:500], requested_at=deps.now)


def pending_erasures(deps: Deps) -> list[ErasureRequest]:
    """Requests not executed yet, oldest first (staff only)."""
    access.ensure_staff(deps.principal, "the erasure queue")
    done = set(deps.session.scalars(select(ActionExecution.entity_id).where(ActionExecution.action == ERASED_ACTION)))
    rows = deps.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == REQUEST_ENTITY, AuditEntry.action == REQUESTED).order_by(AuditEntry.id))
    return [_request(e) for e in rows if e.entity_id not in done]


def _request(entry: AuditEntry) -> ErasureRequest:
    d = entry.details
    return ErasureRequest(request_id=entry.entity_id, customer_id=d["customer_id"], requested_by=d["requested_by"],
                          reason=d.get("reason", ""), requested_at=entry.occurred_at)


class ErasureSubject(Record):
    """Whom an approvable request erases, and the strings that identify them."""

    request: ErasureRequest
    identifiers: list[str]
    order_ids: list[str]


def executed_erasure(deps: Deps, request_id: str) -> ErasureResult | None:
    """The result of erasure request ``request_id`` if it was executed, else None."""
    done = deps.session.get(ActionExecution, f"{ERASED_ACTION}:{request_id}")
    return ErasureResult.model_validate(done.result) if done is not None else None


def erasure_subject(deps: Deps, request_id: str) -> ErasureSubject:
    """Check that ``deps.principal`` may approve ``request_id``; whom it erases.

    Raises:
        Forbidden: not staff, or the approver is the requester (four eyes).
        NotFound: no such request (or its customer is already gone).
    """
    access.ensure_staff(deps.principal, "approving an erasure")
    entry = deps.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == REQUEST_ENTITY, AuditEntry.entity_id == request_id,
        AuditEntry.action == REQUESTED)).first()
    if entry is None:
        raise NotFound(f"erasure request {request_id} not found", request_id=request_id)
    request = _request(entry)
    if request.requested_by == deps.principal.label():
        raise Forbidden("an erasure needs a second person: another staff member approves it",
                        role=deps.principal.role.value)
    order_ids = list(deps.session.scalars(select(Order.id).where(Order.customer_id == request.customer_id)))
    return ErasureSubject(request=request, identifiers=identifiers(deps, request.customer_id), order_ids=order_ids)


def approve_erasure(deps: Deps, request_id: str, *, thread_ids: list[str] | None = None) -> ErasureResult:
    """A second staff member approves and executes a request (once; a repeat returns the result).

    ``thread_ids`` are the conversation threads the agent layer deleted for it (ids only).

    Raises:
        Forbidden: not staff, or the approver is the requester (four eyes).
        NotFound: no such request.
    """
    access.ensure_staff(deps.principal, "approving an erasure")
    key = f"{ERASED_ACTION}:{request_id}"
    done = executed_erasure(deps, request_id)
    if done is not None:
        return done
    request = erasure_subject(deps, request_id).request
    pseudonym = "ERASED-" + hashlib.sha256(f"{request_id}:{request.customer_id}".encode()).hexdigest()[:10]
    with deps.session.begin_nested():
        removed, order_ids = _erase(deps, request.customer_id, pseudonym)
        result = ErasureResult(request_id=request_id, pseudonym=pseudonym, requested_by=request.requested_by,
                               approved_by=deps.principal.label(), executed_at=deps.now, removed=removed,
                               order_ids=order_ids, thread_ids=sorted(thread_ids or []))
        # the action is kept, the person is not: only the pseudonym and who decided
        audit.record(deps, ERASED_ACTION, "customer", pseudonym,
                     {"request_id": request_id, "requested_by": request.requested_by,
                      "approved_by": deps.principal.label()})
        deps.session.add(ActionExecution(key=key, action=ERASED_ACTION, entity_id=request_id,
                                         executed_at=deps.now, actor=deps.principal.label(),
                                         result=result.model_dump(mode="json")))
        deps.session.flush()
    return result


def _literal(replacement: str) -> Callable[[re.Match[str]], str]:
    """A ``re.sub`` replacement inserting ``replacement`` as is (no backslash escapes)."""
    return lambda _match: replacement


def _scrub(value: Any, replace: dict[str, str]) -> Any:
    """``value`` (JSON) with every identifier replaced, at any depth.

    Whole tokens only: erasing ``C-1`` leaves another customer's ``C-10`` alone.
    """
    text = json.dumps(value, ensure_ascii=False)
    for old, new in replace.items():
        token = re.escape(json.dumps(old, ensure_ascii=False)[1:-1])
        text = re.sub(rf"(?<![0-9A-Za-z]){token}(?![0-9A-Za-z])", _literal(new), text)
    return json.loads(text)


def _erase(deps: Deps, customer_id: str, pseudonym: str) -> tuple[dict[str, int], list[str]]:
    session = deps.session
    customer = _customer(deps, customer_id)
    idents = identifiers(deps, customer_id)
    replace = {v: (pseudonym if v == customer_id else ERASED) for v in idents}
    order_ids = list(session.scalars(select(Order.id).where(Order.customer_id == customer_id).order_by(Order.id)))
    entries = session.scalars(_audit_about(deps, customer_id, order_ids, idents)).all()
    session.add(Customer(id=pseudonym, name=ERASED, locale=customer.locale, created_at=customer.created_at))
    session.flush()
    removed: dict[str, int] = {}
    removed["orders_anonymised"] = rows_matched(session, (
        update(Order).where(Order.customer_id == customer_id).values(customer_id=pseudonym, note=None)
        .execution_options(synchronize_session=False)))
    # addresses are re-keyed (their ids may embed the customer's) and keep only a coarse place
    addresses = session.scalars(select(Address).where(Address.customer_id == customer_id)
                                .order_by(Address.id)).all()
    for n, address in enumerate(addresses, start=1):
        coarse = Address(id=f"{pseudonym}-A{n}", customer_id=pseudonym, line1=ERASED, city=address.city,
                         state=address.state, postal_code=address.postal_code, country=address.country,
                         lat=round(address.lat, 1), lon=round(address.lon, 1))
        session.add(coarse)
        session.flush()
        session.execute(update(Order).where(Order.ship_to_id == address.id).values(ship_to_id=coarse.id)
                        .execution_options(synchronize_session=False))
        session.delete(address)
    removed["addresses_coarsened"] = len(addresses)
    removed["identities"] = rows_matched(session, delete(Identity).where(Identity.customer_id == customer_id))
    removed["interactions"] = rows_matched(
        session, delete(Interaction).where(Interaction.customer_id == customer_id))
    # notices hold the recipient's address and words about their order: nothing of them stays
    removed["notices"] = rows_matched(session, delete(Notice).where(Notice.customer_id == customer_id))
    handoffs = session.scalars(select(Handoff).where(
        or_(Handoff.customer_id == customer_id, Handoff.order_id.in_(order_ids)))).all()
    for handoff in handoffs:  # that a handoff happened stays; who and what was said goes
        handoff.customer_id, handoff.summary = pseudonym, ERASED
        handoff.thread_id = _scrub(handoff.thread_id, replace)
    removed["handoffs_anonymised"] = len(handoffs)
    for entry in entries:
        entry.entity_id = _scrub(entry.entity_id, replace)
        if entry.actor_subject is not None:
            entry.actor_subject = _scrub(entry.actor_subject, replace)
        entry.details = _scrub(entry.details, replace)
    removed["audit_entries_pseudonymised"] = len(entries)
    actor = f"customer:{customer_id}"
    executions = session.scalars(select(ActionExecution).where(or_(
        ActionExecution.entity_id.in_(order_ids), ActionExecution.actor == actor))).all()
    for execution in executions:
        execution.actor = execution.actor.replace(customer_id, pseudonym)
        execution.result = _scrub(execution.result, replace)
    session.flush()
    session.expunge(customer)  # no relationship bookkeeping: every child was moved or deleted above
    session.execute(delete(Customer).where(Customer.id == customer_id))
    return removed, order_ids
