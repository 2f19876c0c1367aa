"""``promesa bench``: build (or reuse) a world of N orders and measure the hot paths."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from promesa.bench import core as _core  # noqa: F401  (registers the core benchmarks)
from promesa.bench import events as _events  # noqa: F401  (registers the event ingestion benchmarks)
from promesa.bench import promise as _promise  # noqa: F401  (registers promise_quote, checkout_plan)
from promesa.bench.registry import BENCHMARKS, ON_REQUEST, BenchContext, BenchResult
from promesa.gcfreeze import freeze_startup_objects
from promesa.settings import get_settings
from promesa.store.db import is_empty, make_engine, migrate

#: The clock benchmark worlds are built with (a world is keyed by size and seed).
BENCH_NOW = datetime.fromisoformat("2026-11-20T10:00:00-06:00")


def run(engine_url: str, *, orders: int, seed: int, only: list[str] | None = None,
        calls: int | None = None) -> list[BenchResult]:
    """Build (or reuse) the world at ``engine_url`` and run the benchmarks ``only`` (default all).

    Raises:
        typer.BadParameter: an unknown benchmark name.
    """
    from promesa.world.demo import build_demo_world

    settings = get_settings()
    engine = make_engine(engine_url)
    migrate(engine)
    if is_empty(engine):
        Console(stderr=True).print(f"building a world of {orders:,} orders (seed {seed}) …")
        build_demo_world(engine, now=BENCH_NOW, orders=orders, seed=seed, progress=True)
    ctx = BenchContext(engine=engine, now=BENCH_NOW, settings=settings, world_orders=orders,
                       rng=random.Random(seed), calls=calls)
    names = only or [n for n in BENCHMARKS if n not in ON_REQUEST]
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        raise typer.BadParameter(f"unknown benchmark(s) {unknown}; known: {sorted(BENCHMARKS)}",
                                 param_hint="--only")
    freeze_startup_objects()  # as `promesa serve` does: time the code, not the collector's walk
    results: list[BenchResult] = []
    with Progress(console=Console(stderr=True)) as progress:
        task = progress.add_task("benchmarks", total=len(names))
        for name in names:
            progress.update(task, description=name)
            results.extend(BENCHMARKS[name](ctx))
            progress.advance(task)
    return results


def register(app: typer.Typer) -> None:
    """Add ``bench`` to ``app``."""
    @app.command("bench")
    def bench(
        orders: int = typer.Option(1_000_000, "--orders", help="World size in orders."),
        json_path: Path | None = typer.Option(None, "--json", help="Write results as JSON here."),
        db: str | None = typer.Option(None, "--db", help="Database URL (default: a cached SQLite file)."),
        seed: int = typer.Option(7, "--seed"),
        only: list[str] | None = typer.Option(None, "--only", help="Run only these benchmarks."),
        calls: int | None = typer.Option(
            None, "--calls", min=1, help="Calls per benchmark (default: each benchmark's own)."),
    ) -> None:
        """Measure order status, risk scan, reroute proposals and analytics (p50/p95)."""
        settings = get_settings()
        url = db or f"sqlite:///{(settings.data_dir / f'bench-{orders}-{seed}.db').as_posix()}"
        results = run(url, orders=orders, seed=seed, only=only, calls=calls)
        table = Table("benchmark", "p50 ms", "p95 ms", "ref p95 ms", "ratio", "calls", "p99 ms", "per s", "ref per s")

        def opt(value: float | None) -> str:
            return "" if value is None else f"{value:.1f}"

        for r in results:
            table.add_row(r.name, f"{r.p50_ms:.2f}", f"{r.p95_ms:.2f}",
                          "" if r.reference_p95_ms is None else f"{r.reference_p95_ms:.2f}",
                          "" if r.ratio is None else f"{r.ratio:.1f}", str(r.n_calls),
                          opt(r.p99_ms), opt(r.per_second), opt(r.reference_per_second))
        Console().print(table)
        if json_path:
            json_path.write_text(json.dumps([r.model_dump() for r in results], indent=2))
