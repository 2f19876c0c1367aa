"""``promesa bench --only events_post``: events through ``POST /v1/events`` of a served API,
each figure beside a reference measured in the same run on the same database (``--db``).

The path is a real source's: events JSON-encoded, HMAC-signed (``X-Promesa-Signature``) and
posted over loopback to ``promesa serve`` (uvicorn with its options), which verifies the
signature, ingests, commits, publishes the changes and answers each event's result.

* ``events_post_single_<db>``: one event per POST, one after another (ms per POST); reference:
  a raw INSERT of the same rows (ingested event, inventory move, audit entry), one transaction;
* ``events_post_batch_<db>``: batches of ``BATCH`` per POST, one after another (ms per POST,
  events/s); reference: a raw multi-row INSERT of the same rows in one transaction;
* ``events_post_batch_<db>_<C>s``: ``C`` sources posting batches at once, each for its own
  position (several stores): events/s of the whole; reference: ``C`` threads doing the raw
  multi-row INSERTs at once;
* ``events_post_visible_<db>``: from sending a POS sale or receipt to ``GET /v1/availability``
  answering the new sellable quantity (issue #17's goal: p95 <= 50 ms); reference: the same
  change as a raw UPDATE + commit, then a read of the position.

Events alternate a receipt and a sale of one unit, so the world's stock ends where it began.
Not part of the default run: it serves the API. ``--calls N`` sets the number of POSTs per entry.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from api import load
from api.auth import issue_token
from api.load_suite import server_env
from promesa.bench.events import (
    BATCH,
    delta_of,
    move_events,
    position,
    rate,
    raw_insert,
    raw_insert_batch,
    raw_update_read,
)
from promesa.bench.registry import BenchContext, BenchResult, result
from promesa.domain.events.sources import sign
from promesa.principal import Principal, Role
from promesa.store.db import session_factory

#: Sources posting at once in the concurrent entry.
SENDERS = 4


@dataclass(frozen=True)
class Source:
    """An event source as the server is configured with it, and how it signs a request."""

    name: str
    key: str
    secret: str

    @property
    def uri(self) -> str:
        """The CloudEvents ``source`` it sends under (the server's default for its name)."""
        return f"/sources/{self.name}"

    def config(self) -> dict[str, Any]:
        """Its entry in ``PROMESA_EVENT_SOURCES``."""
        return {"key": self.key, "signing_secret": self.secret, "scopes": ["promesa.inventory.*"]}

    def request(self, events: list[dict[str, Any]] | dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        """The body and headers of a signed POST of ``events`` (signed now, on the wall clock)."""
        body = json.dumps(events).encode()
        return body, {"Content-Type": "application/cloudevents-batch+json" if isinstance(events, list)
                      else "application/cloudevents+json",
                      "X-Promesa-Source": self.name, "X-Promesa-Source-Key": self.key,
                      "X-Promesa-Signature": sign(self.secret, body, int(time.time()))}


def new_source(name: str = "bench") -> Source:
    """A source with a fresh credential and signing secret."""
    return Source(name=name, key=secrets.token_urlsafe(16), secret=secrets.token_urlsafe(32))


def post(client: httpx.Client, source: Source, events: list[dict[str, Any]] | dict[str, Any]) -> float:
    """POST ``events`` signed by ``source``; the ms from sending to the parsed answer.

    Raises:
        RuntimeError: the answer is not a 200 with every event accepted.
    """
    body, headers = source.request(events)
    started = time.perf_counter()
    response = client.post("/v1/events", content=body, headers=headers)
    answer = response.json()
    took = (time.perf_counter() - started) * 1000
    want = len(events) if isinstance(events, list) else 1
    if response.status_code != 200 or answer.get("accepted") != want:
        raise RuntimeError(f"POST /v1/events answered {response.status_code}: {response.text[:300]}")
    return took


def _sellable(client: httpx.Client, token: str, node_id: str, sku: str) -> int:
    response = client.get("/v1/availability", params={"sku": sku, "channel": "store", "node_id": node_id},
                          headers={"Authorization": f"Bearer {token}"})
    if response.status_code != 200:
        raise RuntimeError(f"GET /v1/availability answered {response.status_code}: {response.text[:300]}")
    quantity: int = response.json()["sellable"]
    return quantity


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _with_rates(entry: BenchResult, per_second: float, reference: float) -> BenchResult:
    return entry.model_copy(update={"per_second": per_second, "reference_per_second": reference})


def _concurrent(ctx: BenchContext, base: str, sources: list[Source], rounds: int) -> BenchResult:
    """``len(sources)`` senders at once, each posting ``rounds`` batches for its own position."""
    sessions = session_factory(ctx.engine)
    positions = [position(ctx, skip=i) for i in range(len(sources))]
    batches = [[move_events(ctx, *positions[i], BATCH, source=s.uri) for _ in range(rounds)]
               for i, s in enumerate(sources)]
    samples: list[float] = []
    failures: list[BaseException] = []

    def send(i: int) -> None:
        try:
            with httpx.Client(base_url=base, timeout=60) as client:
                for raws in batches[i]:
                    samples.append(post(client, sources[i], raws))
        except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread below
            failures.append(exc)

    def insert(i: int) -> None:
        try:
            for raws in batches[i]:
                raw_insert_batch(ctx, sessions, raws)
        except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread below
            failures.append(exc)

    def together(work: Callable[[int], None]) -> float:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(sources))]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        return time.perf_counter() - started

    ours_s = together(send)
    ref_s = together(insert)
    events = len(sources) * rounds * BATCH
    db = ctx.engine.dialect.name
    entry = result(f"events_post_batch_{db}_{len(sources)}s", samples, ctx, None,
                   f"{db}: {len(sources)} sources at once, batches of {BATCH}, each for its own position: "
                   f"{events / ours_s:.1f} events/s; reference_per_second = {len(sources)} threads doing "
                   f"the raw multi-row INSERTs at once")
    return _with_rates(entry, round(events / ours_s, 1), round(events / ref_s, 1))


def measure(ctx: BenchContext, base: str, sources: list[Source], token: str) -> list[BenchResult]:
    """Every entry against the API served at ``base`` on ``ctx.engine``'s database, whose event
    sources include ``sources`` and whose secret signed ``token`` (a staff token)."""
    sessions = session_factory(ctx.engine)
    node_id, sku = position(ctx)
    db = ctx.engine.dialect.name
    source = sources[0]
    out: list[BenchResult] = []
    with httpx.Client(base_url=base, timeout=60) as client:
        post(client, source, move_events(ctx, node_id, sku, 2, source=source.uri))  # warm both sides
        raw_insert(ctx, sessions, move_events(ctx, node_id, sku, 2))
        ours, ref = [], []
        for raw in move_events(ctx, node_id, sku, ctx.n(200), source=source.uri):
            ours.append(post(client, source, raw))
            ref.append(_timed(lambda raw=raw: raw_insert(ctx, sessions, [raw])))  # type: ignore[misc]
        out.append(_with_rates(result(
            f"events_post_single_{db}", ours, ctx, ref,
            f"{db}: one signed event per POST: {rate(len(ours), ours)} events/s; reference: raw INSERT of "
            f"the same rows in its own transaction"), rate(len(ours), ours), rate(len(ref), ref)))
        ours, ref = [], []
        for _ in range(ctx.n(20)):
            raws = move_events(ctx, node_id, sku, BATCH, source=source.uri)
            ours.append(post(client, source, raws))
            ref.append(_timed(lambda raws=raws: raw_insert_batch(ctx, sessions, raws)))  # type: ignore[misc]
        out.append(_with_rates(result(
            f"events_post_batch_{db}", ours, ctx, ref,
            f"{db}: batches of {BATCH} per signed POST: {rate(BATCH * len(ours), ours)} events/s; reference: "
            f"raw multi-row INSERT of the same rows in one transaction"),
            rate(BATCH * len(ours), ours), rate(BATCH * len(ref), ref)))
        ours, ref = [], []
        for raw in move_events(ctx, node_id, sku, ctx.n(100), source=source.uri):
            before = _sellable(client, token, node_id, sku)
            body, headers = source.request(raw)
            started = time.perf_counter()
            client.post("/v1/events", content=body, headers=headers).raise_for_status()
            for _ in range(100):  # the answer comes after the commit: the first read should show it
                if _sellable(client, token, node_id, sku) != before:
                    break
            else:
                raise RuntimeError("the event never became visible in GET /v1/availability")
            ours.append((time.perf_counter() - started) * 1000)
            ref.append(raw_update_read(ctx, sessions, node_id, sku, -delta_of(raw)))  # undo: stock stays put
        out.append(result(
            f"events_post_visible_{db}", ours, ctx, ref,
            f"{db}: from sending a signed POS sale/receipt until GET /v1/availability shows the new "
            f"sellable quantity (goal p95 <= 50 ms); reference: raw UPDATE + commit + read"))
    if len(sources) > 1:
        out.append(_concurrent(ctx, base, sources, max(1, ctx.n(20) // len(sources))))
    return out


def run_events_post_bench(ctx: BenchContext) -> list[BenchResult]:
    """Serve the API on the bench world, then :func:`measure` it."""
    url = ctx.engine.url.render_as_string(hide_password=False)
    postgres = ctx.engine.dialect.name == "postgresql"
    shared = not ctx.settings.rate_limit_storage.startswith("memory")
    workers = 2 if postgres and shared else 1
    sources = [new_source(f"bench{i}") for i in range(SENDERS)]
    secret = secrets.token_urlsafe(32)
    token = issue_token(secret, Principal(role=Role.ops, subject="ops-bench"), timedelta(hours=2))
    with tempfile.TemporaryDirectory(prefix="promesa-bench-events-") as tmp:
        workdir = Path(tmp)
        env = server_env(url, workdir, secret, rate_limit=ctx.settings.rate_limit_storage if workers > 1 else None)
        env["PROMESA_EVENT_SOURCES"] = json.dumps({s.name: s.config() for s in sources})
        low, high = os.environ.get("PROMESA_LOAD_PORTS", "18300-18399").split("-")  # as api_load
        port = load.free_port(int(low), int(high))
        with load.served(env, port=port, workers=workers, log=workdir / "server.log"):
            results = measure(ctx, f"http://127.0.0.1:{port}", sources, token)
    note = f" ({workers} worker{'s' if workers > 1 else ''})"
    return [r.model_copy(update={"note": (r.note or "") + note}) for r in results]
