"""``agent_turn_long_thread`` on a tiny world: its entries and their references; no timings."""

from __future__ import annotations

import random
from datetime import datetime

from agent.bench_long_thread import POSITIONS, entries, run_long_thread_bench
from promesa.bench.registry import BENCHMARKS, BenchContext
from promesa.settings import Settings

NOW = datetime.fromisoformat("2026-11-20T10:00:00-06:00")


def _ctx(tmp_path, calls: int) -> BenchContext:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    return BenchContext(engine=None, now=NOW, settings=settings, world_orders=120,  # type: ignore[arg-type]
                        rng=random.Random(7), calls=calls)


def test_long_thread_is_registered() -> None:
    import cli.main  # noqa: F401  (the composition root registers the agent benchmarks)

    assert "agent_turn_long_thread" in BENCHMARKS


def test_each_position_is_reported_beside_the_first_turn_of_the_same_threads(tmp_path) -> None:
    times = [[float(k + 1) * (i + 1) for k in range(max(POSITIONS))] for i in range(3)]
    got = {e.name: e for e in entries(times, _ctx(tmp_path, 3))}
    assert set(got) == {f"agent_turn_long_thread_{n}" for n in POSITIONS}
    first = got["agent_turn_long_thread_1"]
    assert first.reference_p95_ms is None and first.p50_ms == 2.0
    last = got[f"agent_turn_long_thread_{max(POSITIONS)}"]
    assert last.p50_ms == 2.0 * max(POSITIONS) and last.reference_p95_ms == first.p95_ms
    assert last.ratio is not None and last.ratio > 1


def test_the_bench_plays_whole_threads_of_tool_calling_turns(tmp_path) -> None:
    got = {e.name: e for e in run_long_thread_bench(_ctx(tmp_path, 1))}
    assert {e.n_calls for e in got.values()} == {1}
    assert all(e.world_orders == 120 and 0 < e.p50_ms for e in got.values())
