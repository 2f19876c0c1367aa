"""Sending what is due: scheduled notices whose quiet hours are over, one attempt each run."""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import select

from promesa.domain import audit
from promesa.domain.deps import Deps
from promesa.domain.notices.senders import Sender, SendError
from promesa.domain.records import Record
from promesa.store.enums import NoticeStatus
from promesa.store.models import Notice

#: Attempts before a notice is marked failed (and shown to staff).
MAX_ATTEMPTS = 5


class DispatchReport(Record):
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    errors: list[str] = Field(default_factory=list)


def send_due(deps: Deps, sender: Sender, limit: int = 500) -> DispatchReport:
    """Send every scheduled notice due at ``deps.now`` (rows locked: two workers never double-send)."""
    query = (select(Notice).where(Notice.status == NoticeStatus.scheduled, Notice.send_after <= deps.now)
             .order_by(Notice.send_after, Notice.id).limit(limit).with_for_update(skip_locked=True))
    sent = failed = retrying = 0
    errors: list[str] = []
    for notice in deps.session.scalars(query).all():
        notice.attempts += 1
        try:
            sender.send(notice)
        except SendError as exc:
            notice.last_error = str(exc)[:500]
            errors.append(f"notice {notice.id}: {exc}")
            if notice.attempts >= MAX_ATTEMPTS:
                notice.status = NoticeStatus.failed
                failed += 1
            else:
                retrying += 1
            continue
        notice.status, notice.sent_at, notice.last_error = NoticeStatus.sent, deps.now, None
        audit.record(deps, "notice.sent", "order", notice.order_id,
                     {"notice_id": notice.id, "channel": notice.channel.value})
        sent += 1
    deps.session.flush()
    return DispatchReport(sent=sent, failed=failed, retrying=retrying, errors=errors[:20])
