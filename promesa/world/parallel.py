"""Ordered, bounded fan-out of generation tasks to forked worker processes.

The caller (one process) writes rows to the database while workers generate the next chunks;
each task is deterministic on its own (its own random stream), so the result never depends on
how many workers ran.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# set before forking: workers inherit it, so only the small task arguments are pickled
_JOB: tuple[Callable[[Any, Any], Any], Any] | None = None


def _run(task: Any) -> Any:
    assert _JOB is not None, "worker forked without a job"
    fn, state = _JOB
    return fn(state, task)


def ordered_map(
    fn: Callable[[Any, T], R], state: Any, tasks: Iterable[T], workers: int
) -> Iterator[R]:
    """``fn(state, task)`` for every task, results in task order.

    With ``workers`` > 1 the calls run in forked processes, at most ``2 × workers + 1`` ahead of
    the consumer (memory stays bounded when consuming is the slower side).
    """
    global _JOB
    if workers <= 1:
        for task in tasks:
            yield fn(state, task)
        return
    _JOB = (fn, state)
    try:
        pending = iter(tasks)
        window: deque[Any] = deque()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for task in islice(pending, 2 * workers + 1):
                window.append(pool.apply_async(_run, (task,)))
            while window:
                result = window.popleft().get()
                for task in islice(pending, 1):
                    window.append(pool.apply_async(_run, (task,)))
                yield result
    finally:
        _JOB = None
