"""Console output of an eval run: a rich progress bar while running, then summary tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from evals.gates import GateResult
from evals.metrics import CaseResult


@contextmanager
def progress_bar(console: Console, total: int, label: str) -> Iterator[Callable[[CaseResult], None]]:
    """A progress bar; the yielded callback advances it by one finished case."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(label, total=total, failed=0)
        failed = 0

        def advance(result: CaseResult) -> None:
            nonlocal failed
            failed += not result.passed
            progress.update(task, advance=1, failed=failed)

        yield advance


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def print_summary(
    console: Console, summary: dict[str, Any], gates: Sequence[GateResult], title: str = "eval"
) -> None:
    """Totals, per-tag and per-decision-type tables, failures and gate verdicts."""
    totals = Table(title=f"{title}: summary", show_header=False)
    totals.add_row("cases", str(summary["cases"]))
    totals.add_row("passed", f"{summary['passed']} ({_pct(summary['pass_rate'])})")
    totals.add_row("safety violations", str(summary["safety_violations"]))
    for k, value in summary["pass_hat_k"].items():
        totals.add_row(f"pass^{k}", f"{value:.3f}")
    tools = summary["tool_calls"]
    totals.add_row("tool precision / recall", f"{_pct(tools['precision'])} / {_pct(tools['recall'])}")
    latency = summary["latency_ms"]
    totals.add_row("turn latency p50 / p95", f"{_ms(latency['p50'])} / {_ms(latency['p95'])}")
    console.print(totals)

    console.print(_breakdown("per tag", "tag", ("cases", "passed"), summary["per_tag"]))
    if summary["per_decision_type"]:
        console.print(_breakdown("per decision type", "decision", ("expected", "matched"),
                                 summary["per_decision_type"]))

    for failure in summary["failures"]:
        console.print(f"[red]FAIL[/red] {failure['id']} ({failure['successes']}/{failure['runs']})")
        for message in dict.fromkeys(failure["failures"]):
            console.print(f"    {message}", markup=False, highlight=False)

    for gate in gates:
        mark = "[green]PASS[/green]" if gate.passed else "[red]FAIL[/red]"
        console.print(f"gate {gate.name}: {mark} {gate.message}")


def print_comparison(console: Console, comparison: dict[str, Any]) -> None:
    """Print an A/B comparison per tag (with exact McNemar p-values) as a table."""
    table = Table(title=f"A/B: {comparison['a']} vs {comparison['b']} (exact McNemar per tag)")
    for column in ("tag", "cases", "A", "B", "diff", "A only", "B only", "p"):
        table.add_column(column, justify="left" if column == "tag" else "right")
    for tag, row in comparison["per_tag"].items():
        table.add_row(
            tag,
            str(row["cases"]),
            _pct(row["a_accuracy"]),
            _pct(row["b_accuracy"]),
            f"{row['difference']:+.1%}",
            str(row["a_only"]),
            str(row["b_only"]),
            f"{row['p_value']:.3f}" + (" *" if row["significant"] else ""),
        )
    console.print(table)


def _breakdown(title: str, key: str, counts: tuple[str, str], rows: dict[str, dict[str, Any]]) -> Table:
    """A table of ``key`` → two counts and the accuracy (per tag, per decision type)."""
    table = Table(title=title)
    for column in (key, *counts, "accuracy"):
        table.add_column(column, justify="left" if column == key else "right")
    for name, row in rows.items():
        table.add_row(name, *(str(row[c]) for c in counts), _pct(row["accuracy"]))
    return table
