"""Event ingestion benchmarks, each beside a reference measured in the same run.

- ``events_single``: one event per call (its own transaction), ms per event, beside a raw
  INSERT of the same rows (ingested event, inventory move, audit entry) in its own transaction;
- ``events_batch_per_event_tx``: batches of ``BATCH`` events through :func:`ingest_each` (one
  transaction per event), ms per batch, beside a raw INSERT of the same rows, one transaction
  per row set;
- ``events_batch``: the same through :func:`ingest_batch` (one commit per batch; a run of
  on-hand moves is applied set-based), beside a raw INSERT of the same rows in one
  transaction, one multi-row INSERT per table — the fastest plain way to write them;
- ``events_visibility``: from the start of ingesting a POS sale to a fresh session reading the
  new sellable quantity, beside a raw UPDATE + commit + read of the same position;
- ``events_oversell``: K threads reserving the last U units at once; the note reports winners
  and whether any position went below zero (the goal: exactly U winners, 0 oversold).

Events alternate a receipt and a sale of one unit, so the world's stock ends where it began.
"""

from __future__ import annotations

import itertools
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from promesa.bench.registry import BenchContext, BenchResult, benchmark, result
from promesa.domain.availability import sellable
from promesa.domain.deps import Deps
from promesa.domain.events.ingest import ingest, ingest_batch, ingest_each
from promesa.principal import SYSTEM
from promesa.store.db import session_factory
from promesa.store.enums import Channel
from promesa.store.models import (
    AuditEntry,
    IngestedEvent,
    InventoryMove,
    InventoryPosition,
    Node,
)

BATCH = 100
_run = itertools.count()


def position(ctx: BenchContext, skip: int = 0) -> tuple[str, str]:
    """A sellable position of an active node (the ``skip``-th in key order: concurrent senders
    each take their own, as several stores would)."""
    with session_factory(ctx.engine)() as session:
        row = session.execute(
            select(InventoryPosition.node_id, InventoryPosition.sku).join(Node, Node.id == InventoryPosition.node_id)
            .where(Node.active.is_(True), InventoryPosition.on_hand - InventoryPosition.reserved >= 2)
            .order_by(InventoryPosition.node_id, InventoryPosition.sku).offset(skip).limit(1)).one()
    return row.node_id, row.sku


def move_events(ctx: BenchContext, node_id: str, sku: str, n: int, source: str = "/bench") -> list[dict[str, Any]]:
    """``n`` events alternating a receipt and a sale of one unit (the stock ends where it began)."""
    tag = f"bench-{uuid.uuid4().hex[:8]}-{next(_run)}"
    out = []
    for i in range(n):
        kind = "receipt" if i % 2 == 0 else "pos_sale"
        out.append({"specversion": "1.0", "id": f"{tag}-{i}", "source": source, "sequence": i,
                    "type": f"promesa.inventory.{kind}.v1",
                    "time": (ctx.now + timedelta(milliseconds=i)).isoformat(),
                    "data": {"node_id": node_id, "sku": sku, "quantity": 1}})
    return out


def raw_rows(ctx: BenchContext, raw: dict[str, Any]) -> list[tuple[type, dict[str, Any]]]:
    """The rows ingesting ``raw`` writes, for the raw-INSERT reference (under another source)."""
    data = raw["data"]
    return [
        (IngestedEvent, {"source": "/bench-raw", "event_id": raw["id"], "type": raw["type"],
                         "occurred_at": ctx.now, "sequence": raw["sequence"], "received_at": ctx.now,
                         "sender": "system:promesa", "applied": True, "result": {"id": raw["id"]}}),
        (InventoryMove, {"source": "/bench-raw", "event_id": raw["id"], "node_id": data["node_id"],
                         "sku": data["sku"], "occurred_at": ctx.now, "on_hand_delta": 1}),
        (AuditEntry, {"occurred_at": ctx.now, "actor_role": "system", "actor_subject": "promesa",
                      "action": "bench.raw", "entity_type": "inventory", "entity_id": data["node_id"],
                      "details": {"event_id": raw["id"]}}),
    ]


def raw_insert(ctx: BenchContext, sessions: sessionmaker[Session], raws: list[dict[str, Any]]) -> None:
    """The rows of each of ``raws``, one transaction per event (the single-event reference)."""
    for raw in raws:
        with sessions() as session, session.begin():
            for model, values in raw_rows(ctx, raw):
                session.execute(insert(model).values(**values))


def raw_insert_batch(ctx: BenchContext, sessions: sessionmaker[Session], raws: list[dict[str, Any]]) -> None:
    """The same rows in one transaction, one multi-row INSERT per table (the fastest plain way)."""
    tables: dict[type, list[dict[str, Any]]] = {}
    for raw in raws:
        for model, values in raw_rows(ctx, raw):
            tables.setdefault(model, []).append(values)
    with sessions() as session, session.begin():
        for model, rows in tables.items():
            session.execute(insert(model), rows)


def _ingest(ctx: BenchContext, sessions: sessionmaker[Session], raws: list[dict[str, Any]],
            batch: bool = False) -> None:
    results = (ingest_batch if batch else ingest_each)(sessions, SYSTEM, ctx.now, ctx.settings, raws)
    bad = [r for r in results if r.status != "accepted"]
    if bad:
        raise RuntimeError(f"bench event rejected: {bad[0].error}")


def rate(n: int, samples_ms: list[float]) -> float:
    """Events per second for ``n`` events taking ``samples_ms`` in all."""
    return round(n / (sum(samples_ms) / 1000), 1) if samples_ms else 0.0


@benchmark("events_ingest")
def events_ingest(ctx: BenchContext) -> list[BenchResult]:
    """``events_single``, ``events_batch_per_event_tx`` and ``events_batch`` (module docstring)."""
    sessions = session_factory(ctx.engine)
    node_id, sku = position(ctx)
    dialect = ctx.engine.dialect.name
    single_n = ctx.n(400)
    singles = move_events(ctx, node_id, sku, single_n + 2)
    _ingest(ctx, sessions, singles[:2])  # warm up both paths once
    raw_insert(ctx, sessions, move_events(ctx, node_id, sku, 2))
    ours, ref = [], []
    for raw in singles[2:]:
        started = time.perf_counter()
        _ingest(ctx, sessions, [raw])
        ours.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        raw_insert(ctx, sessions, [raw])
        ref.append((time.perf_counter() - started) * 1000)
    out = [result("events_single", ours, ctx, ref,
                  f"{dialect}: {rate(len(ours), ours)} events/s one per call vs raw INSERT of the same "
                  f"rows {rate(len(ref), ref)} rows-sets/s")]
    batches = min(ctx.n(10), 10)
    ours, ref = [], []
    for _ in range(batches):
        raws = move_events(ctx, node_id, sku, BATCH)
        started = time.perf_counter()
        _ingest(ctx, sessions, raws)
        ours.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        raw_insert(ctx, sessions, raws)
        ref.append((time.perf_counter() - started) * 1000)
    out.append(result("events_batch_per_event_tx", ours, ctx, ref,
                      f"{dialect}: batches of {BATCH}, one transaction per event: {rate(BATCH * len(ours), ours)} "
                      f"events/s vs raw INSERT of the same rows {rate(BATCH * len(ref), ref)} row-sets/s"))
    ours, ref = [], []
    for _ in range(batches):
        raws = move_events(ctx, node_id, sku, BATCH)
        started = time.perf_counter()
        _ingest(ctx, sessions, raws, batch=True)
        ours.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        raw_insert_batch(ctx, sessions, raws)
        ref.append((time.perf_counter() - started) * 1000)
    out.append(result("events_batch", ours, ctx, ref,
                      f"{dialect}: batches of {BATCH}, one commit per batch: "
                      f"{rate(BATCH * len(ours), ours)} events/s vs raw multi-row INSERT of the same rows "
                      f"in one transaction {rate(BATCH * len(ref), ref)} row-sets/s"))
    return out


def read_sellable(ctx: BenchContext, sessions: sessionmaker[Session], node_id: str, sku: str) -> int:
    """The store channel's sellable quantity of ``sku`` at ``node_id``, read by a fresh session."""
    with sessions() as session:
        deps = Deps(session=session, principal=SYSTEM, now=ctx.now, settings=ctx.settings)
        return sellable(deps, sku, Channel.store, node_id).sellable


def delta_of(raw: dict[str, Any]) -> int:
    """The on-hand change of one of :func:`move_events`' events."""
    return 1 if raw["type"].endswith("receipt.v1") else -1


def raw_update_read(ctx: BenchContext, sessions: sessionmaker[Session], node_id: str, sku: str,
                    delta: int) -> float:
    """The visibility reference: the same change as one raw UPDATE and commit, then the read
    (ms)."""
    started = time.perf_counter()
    with sessions() as session, session.begin():
        session.execute(update(InventoryPosition).where(InventoryPosition.node_id == node_id,
                                                        InventoryPosition.sku == sku)
                        .values(on_hand=InventoryPosition.on_hand + delta))
    read_sellable(ctx, sessions, node_id, sku)
    return (time.perf_counter() - started) * 1000


@benchmark("events_visibility")
def events_visibility(ctx: BenchContext) -> list[BenchResult]:
    """POST-to-visible: ingest a sale, then a fresh session reads the channel's sellable quantity."""
    sessions = session_factory(ctx.engine)
    node_id, sku = position(ctx)
    ours, ref = [], []

    def read() -> int:
        return read_sellable(ctx, sessions, node_id, sku)

    for raw in move_events(ctx, node_id, sku, ctx.n(100)):
        before = read()
        started = time.perf_counter()
        _ingest(ctx, sessions, [raw])
        after = read()
        ours.append((time.perf_counter() - started) * 1000)
        assert after != before, "the event is not visible in ATP"
        ref.append(raw_update_read(ctx, sessions, node_id, sku, -delta_of(raw)))  # undo: stock stays put
    return [result("events_visibility", ours, ctx, ref,
                   f"{ctx.engine.dialect.name}: ingest a POS sale/receipt until a new session's sellable "
                   "quantity shows it, vs raw UPDATE + read")]


@benchmark("events_oversell")
def events_oversell(ctx: BenchContext) -> list[BenchResult]:
    """K writers reserve one unit each of a position holding U; exactly U may win."""
    writers = ctx.n(16)
    units = max(1, writers // 4)
    sessions = session_factory(ctx.engine)
    node_id, sku = position(ctx)
    with sessions() as session, session.begin():
        row = session.get_one(InventoryPosition, (node_id, sku), with_for_update=True)
        saved = (row.on_hand, row.reserved, row.safety_stock)
        row.on_hand, row.reserved, row.safety_stock = units, 0, 0
    raws = [{"specversion": "1.0", "id": f"oversell-{uuid.uuid4().hex}", "source": "/bench",
             "type": "promesa.inventory.reserved.v1", "time": ctx.now.isoformat(),
             "data": {"node_id": node_id, "sku": sku, "quantity": 1}} for _ in range(writers)]
    samples: list[float] = []

    def attempt(raw: dict[str, Any]) -> bool:
        started = time.perf_counter()
        with sessions() as session, session.begin():
            outcome = ingest(Deps(session=session, principal=SYSTEM, now=ctx.now, settings=ctx.settings), raw)
        samples.append((time.perf_counter() - started) * 1000)
        return outcome.status == "accepted"

    try:
        with ThreadPoolExecutor(writers) as pool:
            wins = sum(pool.map(attempt, raws))
        with sessions() as session:
            row = session.get_one(InventoryPosition, (node_id, sku))
            oversold = max(0, row.reserved - row.on_hand)
    finally:
        with sessions() as session, session.begin():
            row = session.get_one(InventoryPosition, (node_id, sku), with_for_update=True)
            row.on_hand, row.reserved, row.safety_stock = saved
    return [result("events_oversell", samples, ctx, None,
                   f"{ctx.engine.dialect.name}: {writers} writers on the last {units} units: {wins} won, "
                   f"{writers - wins} typed conflicts, oversold {oversold}")]
