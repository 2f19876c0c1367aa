"""``agent_turn_long_thread``: what a turn costs at position N of one thread, beside the first.

Every turn of a thread reads the thread back (its checkpoint) and the offline model rereads its
dialogue, so a turn's cost may grow with the thread's length; the load suite sends 20 turns per
shopper, so turn 20 pays for that growth. This bench plays ``threads`` fresh WISMO threads of
``max(POSITIONS)`` turns each through ``AgentService.run_turn`` (the production checkpointer,
SQLite on a file) and reports the turn at each position N in ``POSITIONS`` with the first turn of
the same threads as its reference: a ratio near 1 means the cost does not grow.

Registered lazily by the composition root (``cli/benches.py``) so ``promesa`` imports no LangChain.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from agent.bench import CUSTOMER
from agent.service import AgentService
from promesa.bench.registry import BenchContext, BenchResult, result
from promesa.settings import Settings
from promesa.store.db import make_engine, migrate

#: The positions reported (1-based); the first is every other's reference.
POSITIONS: tuple[int, ...] = (1, 10, 20, 40)

#: A shopper asking about one late order again and again (reads only: no approval pauses the thread).
MESSAGES: tuple[str, ...] = (
    "where is my order PO-5001?",
    "why is it late?",
    "where is my order PO-5001 now?",
)


async def play_long_threads(service: AgentService, ctx: BenchContext, threads: int,
                            length: int) -> list[list[float]]:
    """Play ``threads`` threads of ``length`` turns; ``times[i][k]`` is turn ``k + 1`` of thread ``i`` (ms)."""
    times: list[list[float]] = []
    for _ in range(threads):
        thread: str | None = None
        row: list[float] = []
        for message in itertools.islice(itertools.cycle(MESSAGES), length):
            started = time.perf_counter()
            done = await service.run_turn(thread_id=thread, principal=CUSTOMER, message=message, now=ctx.now)
            row.append((time.perf_counter() - started) * 1000)
            if not done.tool_calls:
                raise RuntimeError(f"turn {len(row)} of the long thread called no tool: {done.text!r}")
            thread = done.thread_id
        times.append(row)
    return times


def entries(times: list[list[float]], ctx: BenchContext) -> list[BenchResult]:
    """One entry per position past the first, the first turn of the same threads as reference."""
    first = [row[0] for row in times]
    out = [result("agent_turn_long_thread_1", first, ctx, None, "the first turn of each thread (the reference)")]
    for n in POSITIONS[1:]:
        out.append(result(f"agent_turn_long_thread_{n}", [row[n - 1] for row in times], ctx, first,
                          f"turn {n} of a WISMO thread beside its first turn (same threads, same run)"))
    return out


def run_long_thread_bench(ctx: BenchContext, *, orders: int | None = None, seed: int = 7) -> list[BenchResult]:
    """Build a demo world in a temporary folder, then play the long threads.

    Args:
        ctx: The bench context; ``ctx.n(5)`` is the number of threads played.
        orders: World size; default the bench world's size capped at ``settings.demo_orders``.
        seed: Seed of the demo world.
    """
    from promesa.world.demo import build_demo_world

    size = orders if orders is not None else min(ctx.world_orders, ctx.settings.demo_orders)
    with tempfile.TemporaryDirectory(prefix="promesa-long-thread-") as tmp:
        workdir = Path(tmp)
        settings: Settings = ctx.settings.model_copy(update={
            "data_dir": workdir / "data", "database_url": None, "chroma_url": None,
            "checkpoint_url": f"sqlite:///{workdir / 'ckpt.db'}"})
        settings.data_dir.mkdir(parents=True)
        engine = make_engine(settings.sqlalchemy_url)
        try:
            migrate(engine)
            build_demo_world(engine, now=ctx.now, orders=size, seed=seed)
            local = replace(ctx, world_orders=size)

            async def measure() -> list[list[float]]:
                service = await AgentService.create(settings, engine=engine, retriever=lambda: None)
                try:
                    await play_long_threads(service, local, 1, len(MESSAGES))  # warm caches
                    return await play_long_threads(service, local, ctx.n(5), max(POSITIONS))
                finally:
                    await service.aclose()

            return entries(asyncio.run(measure()), local)
        finally:
            engine.dispose()
