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
