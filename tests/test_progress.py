"""Numbered steps for long commands: plain lines with counts and seconds in a log (#15)."""

from __future__ import annotations

import io
import re

from rich.console import Console

from promesa.progress import Steps


def test_a_log_gets_each_steps_start_a_few_counts_and_its_end_with_seconds() -> None:
    out = io.StringIO()
    steps = Steps(total=2, console=Console(file=out, force_terminal=False, width=200))
    with steps.step("policy index") as step:
        for done in range(1, 71):
            step.tick(done, 70, "documents")
        step.done("policies: 70 added")
    with steps.step("nothing to report"):
        pass
    lines = out.getvalue().splitlines()
    assert lines[0] == "[1/2] policy index …"
    counts = [line for line in lines if re.fullmatch(r"\[1/2\] policy index: \d+/70 documents", line)]
    assert 5 <= len(counts) <= 10  # every tenth of the work, not one line per document
    assert re.fullmatch(r"\[1/2\] policy index: policies: 70 added \(\d+\.\d s\)", lines[len(counts) + 1])
    assert re.fullmatch(r"\[2/2\] nothing to report: done \(\d+\.\d s\)", lines[-1])


def test_a_terminal_gets_a_live_status_and_the_same_end_line() -> None:
    out = io.StringIO()
    steps = Steps(total=1, console=Console(file=out, force_terminal=True, width=200))
    with steps.step("demo world") as step:
        step.tick(5, 10, "orders")
        assert step.status is not None  # a spinner line, rewritten in place
        step.done("190 orders")
    assert re.search(r"\[1/1\] demo world: 190 orders \(\d+\.\d s\)", out.getvalue())
