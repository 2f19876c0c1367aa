"""Numbered steps with counts and timings for long commands (``promesa setup``).

On a terminal a step shows a live spinner with its running count; in a log (not a TTY) it
writes plain lines only: the step's start, a few counts along the way (every tenth of the
work) and its end with the count and seconds, so a CI log shows where the time went.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from rich.console import Console


@dataclass
class Step:
    """A running step: ``tick`` reports progress, ``done`` sets the line printed at its end."""

    steps: Steps
    number: int
    title: str
    summary: str = ""
    status: Any = None
    _last_tenth: int = field(default=-1, repr=False)

    @property
    def label(self) -> str:
        return f"[{self.number}/{self.steps.total}] {self.title}"

    def tick(self, done: int, total: int, what: str = "") -> None:
        text = f"{self.label}: {done}/{total}{f' {what}' if what else ''}"
        if self.status is not None:
            self.status.update(text)
            return
        tenth = 10 * done // total if total else 10
        if tenth != self._last_tenth and done < total:  # a few lines in a log, not one per item
            self._last_tenth = tenth
            self.steps.console.print(text, highlight=False, soft_wrap=True)

    def done(self, summary: str) -> None:
        self.summary = summary


@dataclass
class Steps:
    total: int
    console: Console = field(default_factory=Console)
    count: int = 0

    @contextmanager
    def step(self, title: str) -> Iterator[Step]:
        """Run one numbered step; its end line says what it did and how long it took."""
        self.count += 1
        step = Step(self, self.count, title)
        start = perf_counter()
        if self.console.is_terminal:
            with self.console.status(f"{step.label} …") as status:
                step.status = status
                yield step
        else:
            self.console.print(f"{step.label} …", highlight=False, soft_wrap=True)
            yield step
        seconds = perf_counter() - start
        self.console.print(f"{step.label}: {step.summary or 'done'} ({seconds:.1f} s)", highlight=False, soft_wrap=True)
