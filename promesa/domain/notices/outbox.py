"""The outbox: one notice per (order, trigger, channel), held through quiet hours.

``enqueue`` is idempotent: a second call for the same order and trigger finds the rows and
adds nothing (the unique key backs it against a concurrent writer). The recipient is the
customer's verified email (email) or phone (SMS, WhatsApp); a channel without one is skipped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from promesa.domain import access, audit
from promesa.domain.deps import Deps
from promesa.domain.notices.drafting import NoticeFields, draft, language_of
from promesa.domain.records import NoticeNote, Record
from promesa.errors import Conflict, NotFound
from promesa.store.enums import IdentityKind, NoticeChannel, NoticeKind, NoticeStatus, OrchestrationDecision
from promesa.store.models import Customer, Identity, Notice, OrchestrationAction

_CONTACT = {NoticeChannel.email: IdentityKind.email, NoticeChannel.sms: IdentityKind.phone,
            NoticeChannel.whatsapp: IdentityKind.phone}


class OfferState(StrEnum):
    """Where a notice's offer (a pickup the customer may accept) stands."""

    open = "open"
    accepted = "accepted"
    closed = "closed"


_OFFER = {OrchestrationDecision.awaiting_customer: OfferState.open, OrchestrationDecision.accepted: OfferState.accepted}


class NoticeView(Record):
    id: int
    order_id: str
    channel: NoticeChannel
    kind: NoticeKind
    language: str
    subject: str
    body: str
    status: NoticeStatus
    created_at: datetime
    send_after: datetime
    sent_at: datetime | None
    fields: NoticeFields | None = Field(None, description="The structured facts the text was drafted from.")
    offer: OfferState | None = Field(None, description="A pickup offer: whether the customer may still accept it.")


def view(notice: Notice, offer: OfferState | None = None) -> NoticeView:
    """The typed view of an outbox row (``offer``: the state of the pickup it offers, if any)."""
    return NoticeView(id=notice.id, order_id=notice.order_id, channel=notice.channel, kind=notice.kind,
                      language=notice.language, subject=notice.subject, body=notice.body,
                      status=notice.status, created_at=notice.created_at, send_after=notice.send_after,
                      sent_at=notice.sent_at, fields=NoticeFields.model_validate(notice.fields) if notice.fields else None,
                      offer=offer)


def after_quiet_hours(deps: Deps, moment: datetime) -> datetime:
    """``moment``, or the end of the quiet hours it falls in (customer time: the settings' zone)."""
    policy = deps.settings.notices
    local = moment.astimezone(deps.settings.tz)
    start, end = policy.quiet_start, policy.quiet_end
    t = local.time()
    quiet = (start <= t or t < end) if start > end else (start <= t < end)
    if not quiet:
        return moment
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=deps.settings.tz)


def enqueue(deps: Deps, *, order_id: str, customer_id: str, trigger_key: str, kind: NoticeKind,
            fields: NoticeFields) -> list[Notice]:
    """Draft the notice for every configured channel with a contact; existing ones are kept."""
    session = deps.session
    existing = session.scalars(select(Notice).where(Notice.order_id == order_id,
                                                    Notice.trigger_key == trigger_key)).all()
    if existing:
        return list(existing)
    customer = session.get(Customer, customer_id)
    if customer is None:
        return []
    language = language_of(customer.locale)
    subject, body = draft(kind, fields, language)
    policy = deps.settings.notices
    status = NoticeStatus.awaiting_approval if policy.require_approval else NoticeStatus.scheduled
    made: list[Notice] = []
    for channel in map(NoticeChannel, policy.channels):
        recipient = session.scalar(select(Identity.value).where(
            Identity.customer_id == customer_id, Identity.kind == _CONTACT[channel],
            Identity.verified.is_(True)).order_by(Identity.id).limit(1))
        if recipient is None:
            continue
        notice = Notice(order_id=order_id, customer_id=customer_id, trigger_key=trigger_key, channel=channel,
                        kind=kind, language=language, recipient=recipient, subject=subject, body=body,
                        fields=fields.model_dump(mode="json"), status=status, created_at=deps.now,
                        send_after=after_quiet_hours(deps, deps.now), attempts=0)
        try:
            with session.begin_nested():
                session.add(notice)
                session.flush()
        except IntegrityError:  # drafted meanwhile by a concurrent run: theirs stands
            continue
        made.append(notice)
    if made:
        audit.record(deps, "notice.drafted", "order", order_id,
                     {"trigger_key": trigger_key, "kind": kind.value, "channels": [n.channel.value for n in made],
                      "status": status.value})
    return made


def approve(deps: Deps, notice_id: int) -> NoticeView:
    """Staff release a notice that waits for approval (it then leaves after quiet hours)."""
    access.ensure_staff(deps.principal, "approving notices")
    notice = deps.session.get(Notice, notice_id, with_for_update=True)
    if notice is None:
        raise NotFound(f"notice {notice_id} not found", field="notice_id")
    if notice.status is not NoticeStatus.awaiting_approval:
        raise Conflict(f"notice {notice_id} is {notice.status.value}", field="notice_id")
    notice.status = NoticeStatus.scheduled
    notice.send_after = max(notice.send_after, after_quiet_hours(deps, deps.now))
    audit.record(deps, "notice.approved", "order", notice.order_id, {"notice_id": notice_id})
    deps.session.flush()
    return view(notice)


#: What the customer may read: a notice staff have not released (or withdrew) is not theirs yet.
SHOWN = (NoticeStatus.scheduled, NoticeStatus.sent, NoticeStatus.failed)


def latest_note(deps: Deps, order_id: str) -> NoticeNote | None:
    """The newest notice the customer may read about ``order_id`` (caller already saw the order)."""
    notice = deps.session.scalar(select(Notice).where(Notice.order_id == order_id, Notice.status.in_(SHOWN))
                                 .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(1))
    if notice is None:
        return None
    fields = NoticeFields.model_validate(notice.fields) if notice.fields else None
    return NoticeNote(kind=notice.kind, sent_on=notice.created_at.astimezone(deps.settings.tz).date(),
                      new_date=fields.new_date if fields else None, store_name=fields.store_name if fields else None,
                      pickup_ready=fields.pickup_ready if fields else None,
                      offer_open=_offer_state(deps, notice) is OfferState.open)


def customer_notices(deps: Deps, customer_id: str, limit: int = 20, language: str | None = None) -> list[NoticeView]:
    """The notices of a customer (newest first): what the widget and copilot show beside the chat.

    ``language`` ("es" or "en") re-drafts each from its fields in the conversation's language (the
    widget's, which may differ from the locale the notice was sent in).
    """
    access.ensure_customer_visible(deps.principal, customer_id)
    rows = deps.session.scalars(select(Notice).where(Notice.customer_id == customer_id, Notice.status.in_(SHOWN))
                                .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit))
    # one channel per notice is enough to show: the same words went to every channel
    seen: set[tuple[str, str]] = set()
    shown = []
    for notice in rows:
        if (notice.order_id, notice.trigger_key) in seen:
            continue
        seen.add((notice.order_id, notice.trigger_key))
        shown.append(_in(view(notice, _offer_state(deps, notice)), language))
    return shown


def _in(shown: NoticeView, language: str | None) -> NoticeView:
    if language is None or language == shown.language or shown.fields is None:
        return shown
    subject, body = draft(shown.kind, shown.fields, language)
    return shown.model_copy(update={"language": language, "subject": subject, "body": body})


def _offer_state(deps: Deps, notice: Notice) -> OfferState | None:
    if notice.kind is not NoticeKind.pickup_offer:
        return None
    decision = deps.session.scalar(select(OrchestrationAction.decision)
                                   .where(OrchestrationAction.key == notice.trigger_key))
    return _OFFER.get(decision, OfferState.closed) if decision is not None else OfferState.closed
