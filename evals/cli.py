"""``promesa eval``: the agent eval suite (default) or the retrieval suite, as a CI gate."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from evals.cases import CaseError, load_cases
from evals.compare import compare, load_config
from evals.gates import DEFAULT_GATES, check_gates, load_gates
from evals.html import write_html
from evals.metrics import CaseResult, summarise
from evals.report import print_comparison, print_summary, progress_bar
from evals.runner import RunConfig, Runner
from evals.worlds import WorldFactory
from promesa.settings import get_settings

DEFAULT_CASES = Path(__file__).parent / "cases"
#: graded on the database end state (issue #14); driven by the offline model like the rest
SELF_SERVICE_CASES = Path(__file__).parent / "cases-self-service"
#: what `promesa eval` runs without --cases (and what the CI gate holds)
DEFAULT_SUITE = (DEFAULT_CASES, SELF_SERVICE_CASES)


def _split_tags(tags: Sequence[str] | None) -> list[str]:
    return [t.strip() for value in tags or [] for t in value.split(",") if t.strip()]


def run_suite(
    runner: Runner,
    cases: Sequence[Any],
    config: RunConfig,
    k: int,
    console: Console,
) -> list[CaseResult]:
    """Run every case ``k`` times under a progress bar."""
    with progress_bar(console, len(cases), f"eval {config.name} ({config.model})") as advance:
        return asyncio.run(runner.run_all(cases, config, k, on_done=advance))


def recorded_around(recordings_dir: Path) -> Any:
    """A Runner ``around`` hook that replays each case's recording with the recorded model."""
    # imported here: respx patches httpx, which no other command needs loaded
    from evals.recorded import load_recordings, replay

    recordings = load_recordings(recordings_dir)

    @contextmanager
    def around(case: Any, config: RunConfig) -> Iterator[RunConfig]:
        recording = recordings[case.id]
        with replay(recording):
            # No retries: a request the recording does not answer fails at once, deterministically.
            settings = {**config.settings, "model_max_retries": 0}
            yield replace(config, model=f"openai:{recording.model}", settings=settings)

    return around, set(recordings)


def _warm_up(console: Console, settings: Any) -> None:
    """Build the policy retriever before the clock starts, so turn latencies are steady-state."""
    with console.status("preparing the policy index"):
        from knowledge.retriever import get_retriever

        get_retriever(settings)


def agent_eval(
    *,
    case_dirs: Sequence[Path],
    tags: Sequence[str],
    model: str,
    k: int,
    json_path: Path | None,
    html_path: Path | None,
    compare_path: Path | None,
    gates_path: Path | None,
    recorded: bool,
    demo_orders: int,
    console: Console,
    runner: Runner | None = None,
) -> int:
    """Run the agent suite and return the exit code (0 = every gate passed)."""
    try:
        cases = load_cases(case_dirs or list(DEFAULT_SUITE), tags=tags)
        gates = load_gates(gates_path)
        base = RunConfig(name="A", model=model, demo_orders=demo_orders)
        other = load_config(compare_path, base) if compare_path else None
    except (CaseError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        return 2
    if runner is None:
        around = None
        if recorded:
            from evals.recorded import RECORDINGS

            around, ids = recorded_around(RECORDINGS)
            cases = [c for c in cases if c.id in ids]
        # The policy index lives in a persistent folder: built once, then only re-synced.
        data_dir = get_settings().data_dir / "evals"
        runner = Runner(WorldFactory(demo_orders=demo_orders), around=around, data_dir=data_dir)
        _warm_up(console, base.make_settings(data_dir))
    if not cases:
        console.print("[red]error:[/red] no cases selected")
        return 2

    try:
        results = run_suite(runner, cases, base, k, console)
        summary = summarise(results, gates.safety_tags)
        verdicts = check_gates(summary, gates)
        print_summary(console, summary, verdicts, title=f"eval {base.name}")
        output: dict[str, Any] = {**summary, "config": {"model": base.model}}
        output["gates"] = {g.name: {"passed": g.passed, "message": g.message} for g in verdicts}
        if other is not None:
            results_b = run_suite(runner, cases, other, k, console)
            summary_b = summarise(results_b, gates.safety_tags)
            print_summary(console, summary_b, check_gates(summary_b, gates), title=f"eval {other.name}")
            comparison = compare(results, results_b, a_name=base.name, b_name=other.name)
            print_comparison(console, comparison)
            output["compare"] = {"b": summary_b, "config_b": asdict(other), **comparison}
        if json_path:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(json.dumps(output, indent=2, default=str), encoding="utf-8")
        if html_path:
            write_html(html_path, summary, results, verdicts)
        # the plain closing line CI readers look for
        console.print(f"eval: {summary['passed']} passed, {summary['cases'] - summary['passed']} failed",
                      highlight=False)
    finally:
        runner.worlds.cleanup()
    return 0 if all(g.passed for g in verdicts) else 1


def register(app: typer.Typer) -> None:
    """Add ``eval`` to ``app``."""
    @app.command("eval")
    def eval_command(
        suite: Annotated[
            str, typer.Option(help="`agent` (decision correctness), `nlu` (the offline model's understanding) "
                             "or `retrieval` (policy search).")
        ] = "agent",
        cases: Annotated[
            list[Path] | None, typer.Option("--cases", help="Case files or directories (repeatable).")
        ] = None,
        tags: Annotated[
            list[str] | None, typer.Option("--tags", help="Only cases with one of these tags (comma-separated or repeated).")
        ] = None,
        model: Annotated[str, typer.Option(help="`offline` or `openai:<model name>`.")] = "offline",
        k: Annotated[int, typer.Option("--k", min=1, help="Runs per case (pass^k for k <= N).")] = 1,
        json_path: Annotated[Path | None, typer.Option("--json", help="Write the JSON summary here.")] = None,
        html_path: Annotated[Path | None, typer.Option("--html", help="Write the HTML report here.")] = None,
        compare_path: Annotated[
            Path | None, typer.Option("--compare", help="TOML/YAML overrides of configuration B for an A/B run.")
        ] = None,
        gates_path: Annotated[
            Path | None, typer.Option("--gates", help=f"Gate thresholds (default {DEFAULT_GATES.name}).")
        ] = None,
        recorded: Annotated[
            bool, typer.Option("--recorded", help="Replay recorded OpenAI responses (cases with a recording).")
        ] = False,
        demo_orders: Annotated[int, typer.Option(help="Generated orders in the demo world.")] = 200,
        split: Annotated[
            str, typer.Option(help="`--suite nlu` only: `heldout` (the gate) or `dev` (error analysis: a model "
                              "trained without the dev part of the training split, scored on it).")
        ] = "heldout",
    ) -> None:
        """Run an eval suite; exits non-zero when a gate fails."""
        console = Console()
        if suite == "retrieval":
            raise typer.Exit(_retrieval(json_path=json_path, console=console))
        if suite == "nlu":
            raise typer.Exit(nlu_eval(json_path=json_path, gates_path=gates_path, console=console, split=split))
        if suite != "agent":
            console.print(f"[red]error:[/red] --suite must be `agent`, `nlu` or `retrieval`, not {suite!r}")
            raise typer.Exit(2)
        code = agent_eval(
            case_dirs=cases or [],
            tags=_split_tags(tags),
            model=model,
            k=k,
            json_path=json_path,
            html_path=html_path,
            compare_path=compare_path,
            gates_path=gates_path,
            recorded=recorded,
            demo_orders=demo_orders,
            console=console,
        )
        raise typer.Exit(code)


def nlu_eval(*, json_path: Path | None, gates_path: Path | None, console: Console, split: str = "heldout") -> int:
    """The offline NLU on the corpus's held-out split; exit 1 when an ``[nlu]`` gate fails."""
    import tomllib

    from rich.table import Table

    from agent.offline.nlu_eval import check, evaluate

    gates = tomllib.loads((gates_path or DEFAULT_GATES).read_text(encoding="utf-8")).get("nlu", {})
    if split not in ("heldout", "dev"):
        console.print(f"[red]error:[/red] --split must be `heldout` or `dev`, not {split!r}")
        return 2
    report = evaluate(split)
    verdicts = check(report, gates)
    table = Table(title=f"nlu {split} ({report['split']['heldout']} of {report['corpus']['rows']} rows)")
    for column in ("intent", "n", "accuracy"):
        table.add_column(column)
    for intent, row in report["intent_accuracy_by_intent"].items():
        table.add_row(intent, str(row["n"]), f"{row['accuracy']:.1%}")
    console.print(table)
    for name, acc in report["intent_accuracy_by_language"].items():
        console.print(f"intent accuracy {name}: {acc:.1%}", highlight=False)
    console.print(f"slot accuracy: {report['slot_accuracy'] or 0:.1%}; second intents: "
                  f"{report['second_intent_recall'] or 0:.1%}", highlight=False)
    for name, passed, message in verdicts:
        console.print(f"{'[green]PASS[/green]' if passed else '[red]FAIL[/red]'} {name}: {message}", highlight=False)
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        report["gates"] = {name: {"passed": passed, "message": message} for name, passed, message in verdicts}
        json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0 if all(passed for _, passed, _ in verdicts) else 1


def _retrieval(*, json_path: Path | None, console: Console) -> int:
    """The knowledge engineer's retrieval suite (``knowledge.cli.eval_command``)."""
    from knowledge.cli import Suite
    from knowledge.cli import eval_command as retrieval_eval

    retrieval_eval(suite=Suite.retrieval, json_path=json_path)
    return 0
