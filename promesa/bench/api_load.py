"""Registers ``api_load`` (WISMO turns over loopback beside the in-process turn and a bare
FastAPI endpoint, same run). The benchmark lives in ``api/bench_load.py``: it serves the API,
so it is imported only when it runs (``promesa`` itself imports no API code)."""

from __future__ import annotations

from promesa.bench.registry import BenchContext, BenchResult, benchmark


@benchmark("api_load", by_default=False)
def api_load(ctx: BenchContext) -> list[BenchResult]:
    """``agent_turn_wismo``, ``api_load_<db>_<N>w`` and ``api_bare_fastapi``."""
    from api.bench_load import run_api_load_bench

    return run_api_load_bench(ctx)
