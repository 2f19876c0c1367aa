"""``promesa index`` and ``promesa eval --suite retrieval``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from knowledge.indexer import OnDocument


class Suite(StrEnum):
    retrieval = "retrieval"


def register(app: typer.Typer) -> None:
    """Add the ``index`` and ``eval`` knowledge commands to the CLI ``app``."""
    app.command("index")(index)
    app.command("eval")(eval_command)


def sync_policies(on_document: OnDocument | None = None) -> str:
    """Sync the policy index; the one-line summary of what changed (``promesa setup`` prints it)."""
    from knowledge.indexer import build_index
    from promesa.settings import get_settings

    report = build_index(get_settings(), on_document=on_document)
    return (f"policies: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.removed} removed ({report.chunks} sections indexed)")


def index() -> None:
    """Index the policy library (only documents whose content changed are re-embedded)."""
    Console().print(sync_policies())


def eval_command(
    suite: Suite = typer.Option(Suite.retrieval, "--suite", help="Which evaluation to run."),
    json_path: Path | None = typer.Option(None, "--json", help="Also write the report as JSON."),
) -> None:
    """Run an evaluation suite and print its report."""
    from knowledge.evaluation import run_retrieval_eval
    from knowledge.retriever import get_retriever
    from promesa.settings import get_settings

    report = run_retrieval_eval(get_retriever(get_settings()))
    console = Console()
    for split, modes in report.splits.items():
        table = Table(title=f"retrieval ({split} questions)")
        for column in ("mode", "locale", "n", "recall@1", "recall@3", "MRR", "no-answer acc", "p95 ms"):
            table.add_column(column, justify="right" if column not in ("mode", "locale") else "left")
        for mode, locales in modes.items():
            for locale, m in locales.items():
                table.add_row(mode, locale, str(m.questions), f"{m.recall_at_1:.3f}", f"{m.recall_at_3:.3f}",
                              f"{m.mrr:.3f}", f"{m.no_answer_accuracy:.3f}", f"{m.p95_ms:.1f}")
        console.print(table)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(report.model_dump_json(indent=2), encoding="utf-8")
        console.print(f"wrote {json_path}")
