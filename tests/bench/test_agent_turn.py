"""``agent_turn`` on a tiny world: entries, keys and that both sides ran the same turns; no timings."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime

import pytest

from agent.bench import (
    CONVERSATIONS,
    POLICY_CONVERSATIONS,
    SidesDiverged,
    Turn,
    play,
    run_agent_turn_bench,
    script,
)
from promesa.bench.registry import BENCHMARKS, BenchContext
from promesa.settings import Settings

NOW = datetime.fromisoformat("2026-11-20T10:00:00-06:00")
KEYS = {"name", "p50_ms", "p95_ms", "reference_p95_ms", "ratio", "n_calls", "world_orders", "note",
        "p99_ms", "per_second", "reference_per_second"}  # the last three: load runs (api_load) only


def test_agent_turn_is_registered_without_importing_it() -> None:
    import cli.main  # noqa: F401  (the composition root registers the agent benchmarks)

    assert "agent_turn" in BENCHMARKS


def test_script_plays_whole_conversations_round_robin() -> None:
    turns = script(CONVERSATIONS, 5)
    assert [t.message for t in turns] == [
        *CONVERSATIONS[0].messages, *CONVERSATIONS[1].messages, *CONVERSATIONS[2].messages
    ][:5]
    assert [t.index for t in turns[:2]] == [0, 1]
    again = script(POLICY_CONVERSATIONS, len(POLICY_CONVERSATIONS) + 1)
    assert again[-1].conversation == 0 and again[-1].index == 0  # the cycle starts a fresh thread


def test_both_sides_run_the_same_turns(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    ctx = BenchContext(engine=None, now=NOW, settings=settings, world_orders=120,  # type: ignore[arg-type]
                       rng=random.Random(7), calls=3)
    entries = {e.name: e for e in run_agent_turn_bench(ctx)}
    assert set(entries) == {"agent_turn", "bare_langgraph_turn", "bare_langgraph_turn_default",
                            "agent_turn_policy", "bare_langgraph_turn_policy"}
    for entry in entries.values():
        assert set(entry.model_dump()) == KEYS
        assert entry.n_calls == 3 and entry.world_orders == 120
        assert 0 <= entry.p50_ms <= entry.p95_ms
    for ours, ref in (("agent_turn", "bare_langgraph_turn"), ("agent_turn_policy", "bare_langgraph_turn_policy")):
        assert entries[ours].reference_p95_ms == entries[ref].p95_ms
        assert entries[ours].ratio == pytest.approx(entries[ours].p95_ms / entries[ref].p95_ms, abs=0.011)
        assert entries[ref].reference_p95_ms is None and entries[ref].ratio is None
    assert entries["bare_langgraph_turn_default"].reference_p95_ms is None


def test_sides_that_call_different_tools_stop_the_run() -> None:
    async def reads_status(thread_id: str, turn: Turn, now: datetime) -> list[str]:
        return ["get_order_status"]

    async def reads_nothing(thread_id: str, turn: Turn, now: datetime) -> list[str]:
        return []

    turns = script(CONVERSATIONS, 2)
    same = asyncio.run(play({"a": reads_status, "b": reads_status}, turns, NOW, label="t"))
    assert {k: len(v) for k, v in same.items()} == {"a": 2, "b": 2}
    with pytest.raises(SidesDiverged):
        asyncio.run(play({"a": reads_status, "b": reads_nothing}, turns, NOW, label="t"))
