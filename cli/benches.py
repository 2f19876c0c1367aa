"""The benchmarks of the areas above the base package, registered in ``promesa.bench``'s registry.

Each imports its area only when it runs: registering them costs no LangChain, LangGraph,
scikit-learn or API import.
"""

from __future__ import annotations

from promesa.bench.registry import BenchContext, BenchResult, benchmark


@benchmark("agent_turn")
def agent_turn(ctx: BenchContext) -> list[BenchResult]:
    """``agent_turn``/``agent_turn_policy`` with their bare-LangGraph reference sides (``agent/bench.py``)."""
    from agent.bench import run_agent_turn_bench

    return run_agent_turn_bench(ctx)


@benchmark("agent_turn_long_thread")
def agent_turn_long_thread(ctx: BenchContext) -> list[BenchResult]:
    """The turn at positions 10, 20, 40 of one thread beside its first (``agent/bench_long_thread.py``)."""
    from agent.bench_long_thread import run_long_thread_bench

    return run_long_thread_bench(ctx)


@benchmark("nlu_read")
def nlu_read(ctx: BenchContext) -> list[BenchResult]:
    """``nlu_read`` beside ``offline_model_turn`` (``agent/offline/nlu_bench.py``)."""
    from agent.offline.nlu_bench import run_nlu_bench

    return run_nlu_bench(ctx)


@benchmark("api_load", by_default=False)
def api_load(ctx: BenchContext) -> list[BenchResult]:
    """``agent_turn_wismo``, ``api_load_<db>_<N>w`` and ``api_bare_fastapi`` (``api/bench_load.py``):
    it serves the API, so it runs only when named with ``--only``."""
    from api.bench_load import run_api_load_bench

    return run_api_load_bench(ctx)


@benchmark("events_post", by_default=False)
def events_post(ctx: BenchContext) -> list[BenchResult]:
    """Signed events through ``POST /v1/events`` of a served API: events/s and POST-to-visible
    p95 beside raw-SQL references (``api/bench_events.py``); it serves the API, so on request."""
    from api.bench_events import run_events_post_bench

    return run_events_post_bench(ctx)
