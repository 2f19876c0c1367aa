"""Store helpers: the matched-row count of a guarded write, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from promesa.store.db import rows_matched
from promesa.store.models import Customer


def _customers(session: Session, *ids: str) -> None:
    session.add_all([Customer(id=i, name=i, created_at=datetime(2026, 1, 1, tzinfo=UTC)) for i in ids])
    session.commit()


def test_a_guarded_update_counts_only_the_rows_still_matching(session):
    _customers(session, "C-1", "C-2", "C-3")
    renamed = rows_matched(session, update(Customer).where(Customer.id.in_(["C-1", "C-2"]), Customer.name != "x")
                           .values(name="x").execution_options(synchronize_session=False))
    again = rows_matched(session, update(Customer).where(Customer.id == "C-1", Customer.name != "x")
                         .values(name="y").execution_options(synchronize_session=False))
    assert (renamed, again) == (2, 0)


def test_a_delete_counts_the_rows_it_removed(session):
    _customers(session, "C-1", "C-2")
    assert rows_matched(session, delete(Customer).where(Customer.id == "C-2")) == 1
    assert rows_matched(session, delete(Customer).where(Customer.id == "C-9")) == 0
