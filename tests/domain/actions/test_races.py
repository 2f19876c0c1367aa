"""Races on one order line (PostgreSQL): a cancel and a pick, or two cancels — one wins, the
other gets the reason. The second transaction is started only once the first holds its locks,
and the first commits only once the second is seen waiting on a lock (no sleeps, no timing)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text, update
from sqlalchemy.orm import Session

from promesa.domain.actions.cancel import cancel_order
from promesa.errors import PolicyViolation
from promesa.store.enums import LineStatus
from promesa.store.models import InventoryPosition, OrderLine, Refund
from tests.domain.actions.world import ANA, SUPPORT, build, deps

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("PROMESA_TEST_DATABASE_URL"), reason="needs PostgreSQL"),
]


@pytest.fixture
def pg(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("the races run on PostgreSQL")
    with Session(engine) as session:
        build(session)
        session.commit()
    return engine


def _race(engine: Engine, first: Callable[[Session], object], second: Callable[[Session], object]) -> object:
    """Run ``first`` (uncommitted), then ``second`` in a thread until it waits; commit; its outcome."""
    outcome: dict[str, object] = {}

    def run_second() -> None:
        with Session(engine) as session:
            try:
                with session.begin():
                    outcome["value"] = second(session)
            except Exception as exc:  # noqa: BLE001 - the loser's typed error is the result
                outcome["value"] = exc

    with Session(engine) as session, session.begin():
        first(session)
        worker = threading.Thread(target=run_second)
        worker.start()
        with engine.connect() as probe:
            while worker.is_alive():
                waiting = probe.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()")).scalar()
                if waiting:
                    break
                probe.rollback()
    worker.join(30)
    assert not worker.is_alive()
    return outcome["value"]


def _cancel(key: str, principal=ANA, line_nos=None):
    def run(session: Session) -> object:
        return cancel_order(deps(session, principal), order_id="PO-1", idempotency_key=key, line_nos=line_nos)
    return run


def _pick(session: Session) -> int:
    """What the warehouse does: mark the line picked only while it is still allocated."""
    line = session.query(OrderLine).filter_by(order_id="PO-1", line_no=1).one()
    return session.execute(update(OrderLine).where(OrderLine.id == line.id,
                                                   OrderLine.status == LineStatus.allocated)
                           .values(status=LineStatus.picked)).rowcount


def _state(engine: Engine) -> tuple[list[LineStatus], int, int]:
    with Session(engine) as session:
        statuses = [ln.status for ln in session.query(OrderLine).filter_by(order_id="PO-1").order_by(OrderLine.line_no)]
        reserved = session.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).reserved
        return statuses, reserved, session.query(Refund).count()


def test_two_cancels_one_wins_the_other_gets_the_reason(pg):
    loser = _race(pg, _cancel("k-ana"), _cancel("k-support", SUPPORT))
    assert isinstance(loser, PolicyViolation) and "already cancelled" in loser.message
    statuses, reserved, refunds = _state(pg)
    assert statuses == [LineStatus.cancelled] * 2 and reserved == 0 and refunds == 1


def test_replayed_confirmation_racing_itself_applies_once(pg):
    again = _race(pg, _cancel("k-same"), _cancel("k-same"))
    assert not isinstance(again, Exception) and again.replayed
    assert _state(pg)[1:] == (0, 1)


def test_pick_first_then_the_cancel_is_refused_with_the_reason(pg):
    loser = _race(pg, _pick, _cancel("k-late", line_nos=[1]))
    assert isinstance(loser, PolicyViolation) and "line 1" in loser.message and "picked" in loser.message
    statuses, reserved, refunds = _state(pg)
    assert statuses == [LineStatus.picked, LineStatus.allocated] and reserved == 3 and refunds == 0


def test_cancel_first_then_the_pick_finds_nothing_to_pick(pg):
    picked = _race(pg, _cancel("k-early", line_nos=[1]), _pick)
    assert picked == 0
    statuses, reserved, refunds = _state(pg)
    assert statuses == [LineStatus.cancelled, LineStatus.allocated] and reserved == 1 and refunds == 1
