"""``promesa bench --only events_post`` against the app behind a real uvicorn on loopback: the
entries, their references and what they leave in the database — never their timings."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.auth import issue_token
from api.bench_events import Source, measure, new_source
from api.main import create_app
from api.modes import serve_options
from promesa.bench.registry import BenchContext
from promesa.domain.events.sources import EventSourceConfig
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.models import IngestedEvent, InventoryPosition
from tests.domain.events_helpers import world

SOURCES = [new_source("bench0"), new_source("bench1")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def served(api_settings: Settings, engine: Engine, agent: Any) -> Iterator[tuple[str, Settings, str]]:
    """The app with the bench's sources, behind uvicorn with `promesa serve`'s options."""
    with Session(engine) as session:
        world(session)
    settings = api_settings.model_copy(update={
        "event_sources": {s.name: EventSourceConfig.model_validate(s.config()) for s in SOURCES}})
    app = create_app(settings, engine=engine, agent=agent)
    token = issue_token(app.state.runtime.secret, Principal(role=Role.ops, subject="ops-bench"),
                        timedelta(minutes=10))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           **serve_options()))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", settings, token
    server.should_exit = True
    thread.join(timeout=10)


def _stock(engine: Engine) -> dict[tuple[str, str], tuple[int, int]]:
    with Session(engine) as session:
        return {(p.node_id, p.sku): (p.on_hand, p.reserved) for p in session.scalars(select(InventoryPosition))}


def _ingested(engine: Engine, source: Source) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(IngestedEvent)
                              .where(IngestedEvent.source == source.uri)) or 0


def test_the_bench_posts_signed_events_and_reads_them_back_beside_its_references(
        served: tuple[str, Settings, str], engine: Engine, now: datetime) -> None:
    base, settings, token = served
    before = _stock(engine)
    ctx = BenchContext(engine=engine, now=now, settings=settings, world_orders=0, rng=random.Random(1), calls=2)
    entries = measure(ctx, base, SOURCES, token)
    db = engine.dialect.name
    by_name = {e.name: e for e in entries}
    assert set(by_name) == {f"events_post_single_{db}", f"events_post_batch_{db}", f"events_post_visible_{db}",
                            f"events_post_batch_{db}_2s"}
    for entry in entries:
        assert entry.n_calls == 2  # --calls 2: two POSTs each (the concurrent one: one per source)
        assert 0 < entry.p50_ms <= entry.p95_ms
    for name in (f"events_post_single_{db}", f"events_post_batch_{db}", f"events_post_visible_{db}"):
        ref = by_name[name].reference_p95_ms
        assert ref is not None and ref > 0
        assert by_name[name].ratio == pytest.approx(by_name[name].p95_ms / ref, abs=0.011)
    for name in (f"events_post_single_{db}", f"events_post_batch_{db}", f"events_post_batch_{db}_2s"):
        assert (by_name[name].per_second or 0) > 0 and (by_name[name].reference_per_second or 0) > 0
    # every event went through the API as its source: warm-up 2 + singles 2 + batches 2x100 +
    # visibility 2, and one batch of 100 from each concurrent source
    assert _ingested(engine, SOURCES[0]) == 2 + 2 + 200 + 2 + 100
    assert _ingested(engine, SOURCES[1]) == 100
    assert _stock(engine) == before  # receipts and sales alternate, the references undo themselves
