"""Registers ``agent_turn`` (a Promesa turn beside a bare LangGraph agent, same run).

The benchmark itself lives in ``agent/bench.py``: LangChain and LangGraph are imported only
when it runs, so importing ``promesa`` stays free of them.
"""

from __future__ import annotations

from promesa.bench.registry import BenchContext, BenchResult, benchmark


@benchmark("agent_turn")
def agent_turn(ctx: BenchContext) -> list[BenchResult]:
    """``agent_turn``/``agent_turn_policy`` with their bare-LangGraph reference sides."""
    from agent.bench import run_agent_turn_bench

    return run_agent_turn_bench(ctx)
