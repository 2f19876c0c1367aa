"""The benchmark registry, the context every benchmark gets, and the timing helpers."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Engine

from promesa.settings import Settings


class BenchResult(BaseModel):
    name: str
    p50_ms: float
    p95_ms: float
    reference_p95_ms: float | None = None
    ratio: float | None = None
    n_calls: int
    world_orders: int
    note: str | None = None
    #: load runs (api_load): the tail, and throughput beside the reference's in the same run
    p99_ms: float | None = None
    per_second: float | None = None
    reference_per_second: float | None = None


@dataclass
class BenchContext:
    engine: Engine
    now: datetime
    settings: Settings
    world_orders: int
    rng: random.Random
    #: Calls per benchmark; None lets each benchmark use its own default (tests pass a few).
    calls: int | None = None

    def n(self, default: int) -> int:
        """How many calls a benchmark whose default is ``default`` makes."""
        return default if self.calls is None else max(1, self.calls)


BenchFn = Callable[[BenchContext], list[BenchResult]]
BENCHMARKS: dict[str, BenchFn] = {}
#: Run only when named with ``--only`` (they start servers and take minutes, not seconds).
ON_REQUEST: set[str] = set()


def benchmark(name: str, *, by_default: bool = True) -> Callable[[BenchFn], BenchFn]:
    """Register ``fn`` under ``name`` (later registrations replace earlier ones)."""

    def wrap(fn: BenchFn) -> BenchFn:
        BENCHMARKS[name] = fn
        if not by_default:
            ON_REQUEST.add(name)
        return fn

    return wrap


def timed(fn: Callable[[], object]) -> float:
    """Milliseconds ``fn`` took."""
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def percentile(samples: list[float], q: float) -> float:
    """The ``q`` quantile of ``samples`` (inclusive method)."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[round(q * 100) - 1]


def result(name: str, samples: list[float], ctx: BenchContext, reference: list[float] | None = None,
           note: str | None = None) -> BenchResult:
    """The entry for ``samples``, with the reference's p95 and the ratio when given."""
    p95 = round(percentile(samples, 0.95), 3)
    ref95 = round(percentile(reference, 0.95), 3) if reference else None  # the ratio of what is shown
    return BenchResult(
        name=name, p50_ms=round(percentile(samples, 0.5), 3), p95_ms=round(p95, 3),
        reference_p95_ms=round(ref95, 3) if ref95 is not None else None,
        ratio=round(p95 / ref95, 2) if ref95 else None, n_calls=len(samples),
        world_orders=ctx.world_orders, note=note,
    )
