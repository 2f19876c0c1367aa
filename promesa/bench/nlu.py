"""Registers ``nlu_read`` (what the trained NLU adds to a turn; measured in ``agent/offline/nlu_bench.py``).

Imported lazily like ``agent_turn``: ``promesa`` itself imports neither scikit-learn nor LangChain.
"""

from __future__ import annotations

from promesa.bench.registry import BenchContext, BenchResult, benchmark


@benchmark("nlu_read")
def nlu_read(ctx: BenchContext) -> list[BenchResult]:
    """``nlu_read`` beside ``offline_model_turn`` (the whole offline model call it is part of)."""
    from agent.offline.nlu_bench import run_nlu_bench

    return run_nlu_bench(ctx)
