"""The set-based batch path (``ingest_many``) answers and ends exactly as the per-event path does.

Any batch — moves mixed with counts and transfers, bad references, sales that find too little
stock, stale moves before a count, redeliveries inside the batch and of committed events — gets
the same result per event and leaves the same positions, ingestion records, audit entries and
dead letters as the same events ingested one by one, one transaction each.
"""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promesa.domain.deps import Deps
from promesa.domain.events import bulk
from promesa.domain.events.ingest import _ingest_one, ingest_many
from promesa.principal import SYSTEM
from promesa.store.db import make_engine
from promesa.store.models import AuditEntry, DeadLetter, IngestedEvent, InventoryMove, InventoryPosition
from tests.domain.events_helpers import NOW, ev, send, settings, world

STORE, DC = "MX-STORE-01", "DC-CDMX-01"


@st.composite
def batches(draw) -> list[dict]:
    out: list[dict] = []
    for i in range(draw(st.integers(1, 14))):
        kind = draw(st.sampled_from(["pos_sale", "receipt", "shrink", "cycle_count", "transfer",
                                     "unknown_sku", "no_position", "redeliver"]))
        node = draw(st.sampled_from([STORE, DC]))
        minutes = draw(st.integers(0, 20))  # not sorted: moves before a count are stale
        qty = draw(st.integers(1, 4))
        if kind == "redeliver" and out:
            out.append(dict(draw(st.sampled_from(out))))
            continue
        if kind in ("pos_sale", "receipt", "shrink", "redeliver"):
            name = "receipt" if kind == "redeliver" else kind
            out.append(ev(f"inventory.{name}", {"node_id": node, "sku": "SKU-1", "quantity": qty},
                          id=f"b-{i}", minutes=minutes))
        elif kind == "cycle_count":
            out.append(ev("inventory.cycle_count", {"node_id": node, "sku": "SKU-1", "counted": qty + 2},
                          id=f"b-{i}", minutes=minutes))
        elif kind == "transfer":
            out.append(ev("inventory.transfer", {"from_node_id": node, "to_node_id": DC if node == STORE else STORE,
                                                 "sku": "SKU-1", "quantity": qty}, id=f"b-{i}", minutes=minutes))
        elif kind == "unknown_sku":
            out.append(ev("inventory.receipt", {"node_id": node, "sku": "SKU-NOPE", "quantity": qty},
                          id=f"b-{i}", minutes=minutes))
        else:  # a sale of a SKU the node holds no position of; a receipt of it creates one
            out.append(ev(f"inventory.{draw(st.sampled_from(['pos_sale', 'receipt']))}",
                          {"node_id": node, "sku": "SKU-TV", "quantity": qty}, id=f"b-{i}", minutes=minutes))
    return out


def _outcome(result) -> tuple:
    return (result.id, result.status.value, result.applied, result.note, result.changes,
            result.error.code if result.error else None, result.error.field if result.error else None)


def _state(session: Session) -> dict:
    session.expire_all()
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {
        "positions": sorted(session.execute(select(InventoryPosition.node_id, InventoryPosition.sku,
                                                   InventoryPosition.on_hand, InventoryPosition.reserved)).all()),
        "moves": sorted(session.execute(select(InventoryMove.event_id, InventoryMove.on_hand_delta,
                                               InventoryMove.counted)).all(), key=str),
        "ingested": sorted(session.execute(select(IngestedEvent.event_id, IngestedEvent.applied,
                                                  IngestedEvent.result)).all(), key=str),
        "audited": count(AuditEntry),
        "letters": sorted(session.execute(select(DeadLetter.event_id, DeadLetter.code, DeadLetter.attempts,
                                                 DeadLetter.resolved_at.is_(None))).all()),
    }


def _run(template, tmp_path, name: str, events: list[dict], batched: bool) -> tuple[list, dict]:
    path = tmp_path / f"{name}.db"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:
            world(session)
            deps = Deps(session=session, principal=SYSTEM, now=NOW, settings=settings())
            if batched:
                results = ingest_many(deps, events)
                session.commit()
            else:
                results = []
                for raw in events:
                    results.append(_ingest_one(deps, raw))
                    session.commit()
            return [_outcome(r) for r in results], _state(session)
    finally:
        engine.dispose()
        path.unlink()


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(events=batches())
def test_a_batch_ends_as_the_same_events_one_by_one(events, sqlite_template, tmp_path):
    assert _run(sqlite_template, tmp_path, "batch", events, True) == _run(
        sqlite_template, tmp_path, "each", events, False)


def test_a_mixed_batch_keeps_the_good_events_and_each_result(session):
    world(session)
    send(session, ev("inventory.receipt", {"node_id": STORE, "sku": "SKU-1", "quantity": 1}, id="old"))
    deps = Deps(session=session, principal=SYSTEM, now=NOW, settings=settings())
    results = ingest_many(deps, [
        ev("inventory.pos_sale", {"node_id": STORE, "sku": "SKU-1", "quantity": 2}, id="s1", minutes=1),
        ev("inventory.pos_sale", {"node_id": STORE, "sku": "SKU-1", "quantity": 9}, id="s2", minutes=2),
        ev("inventory.receipt", {"node_id": STORE, "sku": "SKU-1", "quantity": 1}, id="old"),
        ev("inventory.transfer", {"from_node_id": DC, "to_node_id": STORE, "sku": "SKU-1", "quantity": 3},
           id="t1", minutes=3),
        ev("inventory.pos_sale", {"node_id": STORE, "sku": "SKU-1", "quantity": 6}, id="s3", minutes=4),
        "not an event",
        ev("inventory.pos_sale", {"node_id": STORE, "sku": "SKU-1", "quantity": 2}, id="s1", minutes=1),
    ])
    session.commit()
    assert [r.status.value for r in results] == ["accepted", "rejected", "duplicate", "accepted",
                                                 "accepted", "rejected", "duplicate"]
    assert results[1].error.code == "conflict" and results[1].error.field == "data.quantity"
    # 5 + 1 (old) − 2 (s1) + 3 (transfer) − 6 (s3); 1 unit stays reserved
    assert session.get(InventoryPosition, (STORE, "SKU-1")).on_hand == 1
    assert results[4].changes[0]["on_hand"] == 1 and results[4].changes[0]["atp"] == 0
    assert {letter.event_id for letter in session.scalars(select(DeadLetter))} == {"s2", results[5].id}


def test_a_run_that_meets_a_concurrent_commit_falls_back_to_one_by_one(session, monkeypatch):
    """Another worker committed one of the run's events after it looked: exactly once still."""
    world(session)
    committed = ev("inventory.receipt", {"node_id": DC, "sku": "SKU-1", "quantity": 4}, id="raced")
    send(session, committed)
    real_load = bulk._Run.load

    def blind_load(self, parsed):  # the lookup ran before the other worker's commit
        _seen, products = real_load(self, parsed)
        return {}, products

    monkeypatch.setattr(bulk._Run, "load", blind_load)
    deps = Deps(session=session, principal=SYSTEM, now=NOW, settings=settings())
    results = ingest_many(deps, [
        ev("inventory.receipt", {"node_id": DC, "sku": "SKU-1", "quantity": 1}, id="fresh"), committed])
    session.commit()
    assert [r.status.value for r in results] == ["accepted", "duplicate"]
    assert session.get(InventoryPosition, (DC, "SKU-1")).on_hand == 10 + 4 + 1
    assert session.scalar(select(func.count()).select_from(IngestedEvent)) == 2


def test_a_batch_the_database_aborts_for_a_deadlock_goes_again_one_event_per_transaction(engine, monkeypatch):
    """The first try of the batch dies as PostgreSQL kills a lock cycle's victim: nothing of it
    is kept, and every event lands once through one transaction each, with its own result."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import sessionmaker

    from promesa.domain.events import ingest as ingestion

    with Session(engine) as session:
        world(session)
        session.commit()

    class Deadlock(Exception):
        sqlstate = "40P01"

    real_many, tries = ingestion.ingest_many, []

    def dies_once(deps, raws):
        results = real_many(deps, raws)  # its work is done, then its commit is refused
        tries.append(len(raws))
        if len(tries) == 1:
            raise OperationalError("COMMIT", {}, Deadlock("deadlock detected"))
        return results

    monkeypatch.setattr(ingestion, "ingest_many", dies_once)
    published: list[str] = []
    results = ingestion.ingest_batch(sessionmaker(engine), SYSTEM, NOW, settings(), [
        ev("inventory.receipt", {"node_id": DC, "sku": "SKU-1", "quantity": 2}, id="r1"),
        ev("inventory.pos_sale", {"node_id": STORE, "sku": "SKU-1", "quantity": 99}, id="too-many"),
        ev("inventory.receipt", {"node_id": DC, "sku": "SKU-1", "quantity": 3}, id="r2"),
    ], on_commit=lambda result: published.append(result.status.value))
    assert tries == [3, 1, 1, 1]  # the batch, then each event on its own
    assert [r.status.value for r in results] == ["accepted", "rejected", "accepted"]
    assert published == ["accepted", "rejected", "accepted"]
    with Session(engine) as session:
        assert session.get(InventoryPosition, (DC, "SKU-1")).on_hand == 10 + 2 + 3
        assert session.scalar(select(func.count()).select_from(IngestedEvent)) == 2


def test_a_batch_error_that_is_no_race_is_raised(engine, monkeypatch):
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import sessionmaker

    from promesa.domain.events import ingest as ingestion

    def broken(deps, raws):
        raise OperationalError("SELECT", {}, Exception("the server closed the connection"))

    monkeypatch.setattr(ingestion, "ingest_many", broken)
    with pytest.raises(OperationalError):
        ingestion.ingest_batch(sessionmaker(engine), SYSTEM, NOW, settings(), [
            ev("inventory.receipt", {"node_id": DC, "sku": "SKU-1", "quantity": 2}, id="r1")])
