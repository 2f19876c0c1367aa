"""Handoffs: queued once per open conversation, read by staff only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from promesa.domain.deps import Deps
from promesa.domain.handoffs import handoff_queue, queue_handoff
from promesa.errors import Forbidden
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.enums import HandoffStatus
from promesa.store.models import AuditEntry, Handoff


def test_a_thread_has_one_open_handoff(session, now, support):
    visitor = Deps(session, Principal(role=Role.anonymous, order_scope="PO-1"), now, Settings(_env_file=None))
    first = queue_handoff(visitor, thread_id="t-1", reason="wants a person", summary="asked twice")
    again = queue_handoff(visitor, thread_id="t-1", reason="wants a person", summary="asked twice")
    assert again == first
    assert session.scalar(select(func.count()).select_from(Handoff)) == 1
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1
    # once a person closed it, a new request opens a new one
    session.get(Handoff, first.handoff_id).status = HandoffStatus.closed
    assert queue_handoff(visitor, thread_id="t-1", reason="again", summary="").handoff_id != first.handoff_id
    staff = Deps(session, support, now, Settings(_env_file=None))
    assert [h.reason for h in handoff_queue(staff)] == ["again"]
    with pytest.raises(Forbidden):
        handoff_queue(visitor)


def test_a_staff_reply_is_authorized_in_the_domain_and_claims_the_ticket(session, now, support):
    from promesa.domain.handoffs import MAX_REPLY_CHARS, authorize_reply, get_handoff
    from promesa.errors import Conflict, InvalidInput, NotFound

    settings = Settings(_env_file=None)
    shopper = Deps(session, Principal(role=Role.anonymous, order_scope="PO-1"), now, settings)
    queued = queue_handoff(shopper, thread_id="t-9", reason="user_request", summary="")
    staff = Deps(session, support, now, settings)
    with pytest.raises(Forbidden):  # a shopper cannot write into a thread as staff
        authorize_reply(shopper, queued.handoff_id, "hello")
    for bad in ("   ", "x" * (MAX_REPLY_CHARS + 1), "bad\x00text"):
        with pytest.raises(InvalidInput) as caught:
            authorize_reply(staff, queued.handoff_id, bad)
        assert caught.value.field == "text"
    with pytest.raises(NotFound):
        authorize_reply(staff, 999, "hello")
    reply = authorize_reply(staff, queued.handoff_id, "  Hola, ya lo reviso.\n")
    assert (reply.thread_id, reply.order_id, reply.text) == ("t-9", "PO-1", "Hola, ya lo reviso.")
    assert get_handoff(staff, queued.handoff_id).status is HandoffStatus.claimed
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["handoff_claimed", "handoff_replied"]
    assert "Hola" not in str(session.scalars(select(AuditEntry.details)).all())  # text stays in the thread
    session.get(Handoff, queued.handoff_id).status = HandoffStatus.closed
    with pytest.raises(Conflict):
        authorize_reply(staff, queued.handoff_id, "too late")
