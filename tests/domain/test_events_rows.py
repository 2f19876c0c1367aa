"""``insert_rows`` writes exactly the rows given, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from promesa.domain.events.rows import insert_rows
from promesa.store.models import AuditEntry, IngestedEvent

AT = datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=-6)))


def test_rows_land_with_their_types_nulls_and_json(engine):
    rows = [{"source": "/s", "event_id": f"e-{i}", "type": "promesa.inventory.receipt.v1",
             "occurred_at": AT + timedelta(minutes=i), "sequence": i if i % 2 else None,
             "received_at": AT, "sender": "system:promesa", "applied": i % 3 != 0,
             "result": {"id": f"e-{i}", "changes": [{"kind": "inventory", "on_hand": i}], "note": 'a "quoted" \\ é'}}
            for i in range(7)]
    with Session(engine) as session, session.begin():
        insert_rows(session, IngestedEvent, rows)
        insert_rows(session, IngestedEvent, [])  # nothing to write: no statement
    with Session(engine) as session:
        stored = session.scalars(select(IngestedEvent).order_by(IngestedEvent.occurred_at)).all()
        got = [{c: getattr(r, c) for c in rows[0]} for r in stored]
    assert got == rows
    assert got[0]["occurred_at"].utcoffset() == timedelta(0) and got[0]["occurred_at"] == AT


def test_a_serial_key_is_filled_in(engine):
    row = {"occurred_at": datetime.now(UTC), "actor_role": "system", "actor_subject": None,
           "action": "event.receipt", "entity_type": "inventory", "entity_id": "N/S", "details": {}}
    with Session(engine) as session, session.begin():
        insert_rows(session, AuditEntry, [row, {**row, "entity_id": "N/T"}])
    with Session(engine) as session:
        ids = session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
    assert len(ids) == 2 and ids[0] < ids[1]


def test_a_naive_datetime_is_refused(engine):
    row = {"occurred_at": datetime(2026, 11, 20, 9, 0), "actor_role": "system", "actor_subject": None,
           "action": "event.receipt", "entity_type": "inventory", "entity_id": "N/S", "details": {}}
    with Session(engine) as session, pytest.raises(Exception, match="naive datetime"):
        insert_rows(session, AuditEntry, [row])
