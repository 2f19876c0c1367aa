"""``promesa bench --only api_load``: WISMO turns over loopback beside their references.
Not part of the default ``promesa bench`` run: it serves the API and takes about a minute.

Three figures from the same run on the bench world (``--db``):

* ``agent_turn_wismo``: the in-process turn (``AgentService.run_turn``, one at a time) — what
  the agent itself costs;
* ``api_turn_<db>``: one shopper's turns one after another over loopback — the API turn with
  no queue in front of it, beside the in-process turn (goal: p50 ≤ 2× in-process);
* ``api_load_<db>_<N>w``: ``promesa serve --workers N`` (1 on SQLite; 2 on PostgreSQL when the
  rate limit has a shared store) driven by 50 concurrent shoppers for a bounded time, JSON and
  SSE mixed: turns/s, p50/p95/p99; its reference is the in-process turn (``ratio`` on p95 as
  in every entry; the note gives the p50 ratio, goal ≤ 2);
* ``api_bare_fastapi``: a bare FastAPI endpoint served by the same uvicorn with the same
  workers and driven by the same client, the ceiling of this box and this client.

The client is :mod:`api.load_client` (httpx's was the limit: ~85 req/s on the bare endpoint).
Each load note gives the CPU per turn of the server (every worker) and of the client, and the
in-process note the agent's own: on a shared 2-core box, CPU per turn is the steadier figure.

``--calls N`` bounds each load run to N seconds (default 10), after a 3 s warm-up.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
import time
from pathlib import Path

from agent.service import AgentService
from api import load
from api.load_suite import customer_orders, server_env
from promesa.bench.registry import BenchContext, BenchResult, percentile
from promesa.principal import Principal, Role

SESSIONS = 50
WARMUP_S = 3.0


def _in_process(ctx: BenchContext, pairs: list[tuple[str, str]], data_dir: Path,
                n: int) -> tuple[list[float], float]:
    """The in-process turn's latencies and its CPU per turn (ms; this process, every thread)."""
    settings = ctx.settings.model_copy(update={"data_dir": data_dir, "checkpoint_url": None,
                                               "database_url": ctx.engine.url.render_as_string(hide_password=False)})
    if ctx.engine.dialect.name == "sqlite":
        settings = settings.model_copy(update={"checkpoint_url": f"sqlite:///{data_dir / 'inproc.db'}"})

    async def run() -> tuple[list[float], float]:
        # one shopper's thread, like api_turn: a turn's cost grows with its thread's length, so
        # both sides play the same thread (5 warm-up turns, then the measured ones)
        service = await AgentService.create(settings, engine=ctx.engine, retriever=lambda: None)
        samples: list[float] = []
        cpu = 0.0
        customer, order = pairs[0]
        who = Principal(role=Role.customer, subject=customer)
        thread: str | None = None
        try:
            for i in range(n + 5):
                t0, c0 = time.perf_counter(), time.process_time()
                result = await service.run_turn(thread_id=thread, principal=who,
                                                message=f"where is my order {order}? (message {i})", now=ctx.now)
                if i >= 5:
                    samples.append((time.perf_counter() - t0) * 1000)
                    cpu += time.process_time() - c0
                thread = result.thread_id
        finally:
            await service.aclose()
        return samples, cpu * 1000 / max(1, len(samples))

    return asyncio.run(run())


def _drive(base: str, sessions: list[load.Session], seconds: float, server: int) -> tuple[load.LoadStats, str]:
    """A warmed-up bounded run, and what it cost in CPU: the server's (every worker) and the
    client's per turn, so the figures show which side was the limit."""
    load.run_fast(load.drive(base, sessions, seconds=WARMUP_S))
    before = load.tree_cpu_s(server)
    stats = load.run_fast(load.drive(base, sessions, seconds=seconds))
    after = load.tree_cpu_s(server)
    n = max(1, stats.turns)
    spent = f"server CPU {(after - before) * 1000 / n:.1f} ms/turn, " if before is not None and after is not None else ""
    return stats, f"{spent}client CPU {stats.client_cpu_s * 1000 / n:.2f} ms/turn ({stats.client_cpu_share():.2f} core)"


def _load_result(name: str, stats: load.LoadStats, ctx: BenchContext, *, ref_p95: float | None,
                 ref_rate: float | None, note: str) -> BenchResult:
    p95 = stats.percentile(0.95)
    return BenchResult(
        name=name, p50_ms=round(stats.percentile(0.5), 1), p95_ms=round(p95, 1),
        p99_ms=round(stats.percentile(0.99), 1), per_second=round(stats.per_second(), 1),
        reference_per_second=round(ref_rate, 1) if ref_rate else None,
        reference_p95_ms=round(ref_p95, 2) if ref_p95 else None,
        ratio=round(p95 / ref_p95, 2) if ref_p95 else None, n_calls=stats.turns,
        world_orders=ctx.world_orders, note=note,
    )


def run_api_load_bench(ctx: BenchContext) -> list[BenchResult]:
    """The ``api_load`` entries: the in-process turn, the served API per database and worker count, a bare FastAPI."""
    seconds = float(ctx.calls or 10)
    url = ctx.engine.url.render_as_string(hide_password=False)
    postgres = ctx.engine.dialect.name == "postgresql"
    shared = not ctx.settings.rate_limit_storage.startswith("memory")
    workers = 2 if postgres and shared else 1
    pairs = customer_orders(url, SESSIONS)
    results: list[BenchResult] = []
    with tempfile.TemporaryDirectory(prefix="promesa-bench-api-") as tmp:
        workdir = Path(tmp)
        inproc, in_cpu = _in_process(ctx, pairs, workdir, n=max(20, int(seconds * 3)))
        in_p50 = percentile(inproc, 0.5)
        results.append(BenchResult(
            name="agent_turn_wismo", p50_ms=round(in_p50, 2), p95_ms=round(percentile(inproc, 0.95), 2),
            n_calls=len(inproc), world_orders=ctx.world_orders,
            per_second=round(1000 / in_p50, 1),
            note=f"in-process AgentService.run_turn, one at a time; CPU {in_cpu:.1f} ms/turn",
        ))
        secret = secrets.token_urlsafe(32)
        env = server_env(url, workdir, secret, rate_limit=ctx.settings.rate_limit_storage if workers > 1 else None)
        port = load.free_port(*_ports())
        with load.served(env, port=port, workers=workers, log=workdir / "server.log") as server:
            base = f"http://127.0.0.1:{port}"
            # one shopper at a time first: the API turn itself, with no queue in front of it
            (single,) = load.sessions_for(pairs[:1], secret, sse_every=0)  # the in-process side's shopper
            load.run_fast(load.drive(base, [single], turns=5))
            one = load.run_fast(load.drive(base, [single], turns=len(inproc)))
            api, api_cpu = _drive(base, load.sessions_for(pairs, secret), seconds, server.pid)
        with load.served({}, port=port, workers=workers, app="api.load:bare_app") as bare_server:
            bare, bare_cpu = _drive(f"http://127.0.0.1:{port}", load.sessions_for(pairs, secret), seconds,
                                    bare_server.pid)
    db = "postgresql" if postgres else "sqlite"
    why = "" if workers > 1 or not postgres else " (1 worker: PROMESA_RATE_LIMIT_STORAGE is memory://)"
    results.append(_load_result(
        f"api_turn_{db}", one, ctx, ref_p95=percentile(inproc, 0.95), ref_rate=None,
        note=f"one shopper, turns one after another over loopback (JSON); reference = the in-process "
             f"turn (p50 ratio {one.percentile(0.5) / in_p50:.1f}, goal <= 2); {len(one.errors)} errors",
    ))
    results.append(_load_result(
        f"api_load_{db}_{workers}w", api, ctx, ref_p95=percentile(inproc, 0.95), ref_rate=bare.per_second(),
        note=f"{SESSIONS} sessions x {seconds:.0f} s, JSON+SSE; reference = the in-process turn "
             f"(p50 ratio {api.percentile(0.5) / in_p50:.1f}); "
             f"reference_per_second = bare FastAPI; {api_cpu} (in-process {in_cpu:.1f}); "
             f"{len(api.errors)} errors{why}",
    ))
    results.append(_load_result("api_bare_fastapi", bare, ctx, ref_p95=None, ref_rate=None,
                                note=f"bare FastAPI endpoint, same uvicorn, {workers} worker(s), same client; "
                                     f"{bare_cpu}; {len(bare.errors)} errors"))
    return results


def _ports() -> tuple[int, int]:
    low, high = os.environ.get("PROMESA_LOAD_PORTS", "18300-18399").split("-")
    return int(low), int(high)
