"""``promesa simulate`` and ``promesa orchestrate``."""

from __future__ import annotations

import json
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

console = Console(stderr=True)


def simulate(
    days: Annotated[int, typer.Option(min=1, max=14, help="Days of checkouts.")] = 7,
    scenario: Annotated[str, typer.Option(help="Scenario name.")] = "buen-fin",
    seed: Annotated[int, typer.Option(help="Seed of the world and the event stream.")] = 7,
    orders: Annotated[int, typer.Option(min=10, max=1_000_000, help="Checkouts in the week.")] = 50_000,
    policies: Annotated[str, typer.Option(help="Comma-separated subset of the three policies.")] = "",
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the JSON report here.")] = None,
    html_path: Annotated[Path | None, typer.Option("--html", help="Write the HTML report here.")] = None,
    workdir: Annotated[Path | None, typer.Option(help="Where the per-policy databases go (default: a temp dir).")] = None,
    jobs: Annotated[int, typer.Option(min=1, max=8, help="Policies replayed at once, one process each "
                                      "(1: one after the other in this process).")] = 3,
) -> None:
    """Replay a seeded peak week through the real services under three policies, side by side."""
    from promesa.settings import Settings
    from promesa.simulation import report, runner
    from promesa.simulation.scenario import build

    try:
        built = build(scenario, orders=orders, days=days, seed=seed)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scenario") from None
    chosen = [p for p in (policies.split(",") if policies else runner.POLICIES) if p]
    unknown = sorted(set(chosen) - set(runner.POLICIES))
    if unknown:
        raise typer.BadParameter(f"unknown policies {unknown}; known: {list(runner.POLICIES)}", param_hint="--policies")
    settings = Settings(_env_file=None, promise_cache_seconds=0)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="promesa-sim-") as tmp:
        where = workdir or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        console.print(f"policies {', '.join(chosen)}: replaying {orders:,} checkouts over {days} days "
                      f"({min(jobs, len(chosen))} at once) …")
        outcomes = _replay_all(built, chosen, where, settings, jobs)
    baseline = next((o.shipping_cost for o in outcomes if o.name == "naive"), outcomes[0].shipping_cost)
    rows = [report.metrics(o, baseline) for o in outcomes]
    summary: dict[str, Any] = {"scenario": scenario, "days": days, "seed": seed, "orders_in_stream": orders,
               "seconds": round(time.perf_counter() - started, 1),
               "policies": [entry for entry, _ in rows],
               "details": {entry["name"]: detail for entry, detail in rows}}
    table = Table(title=f"{scenario}: {orders:,} checkouts, {days} days, seed {seed}")
    for field in report.FIELDS:
        table.add_column(field)
    for entry in summary["policies"]:
        table.add_row(*(str(entry[f]) for f in report.FIELDS))
    Console().print(table)
    console.print(f"wall time {summary['seconds']} s")
    if json_path:
        json_path.write_text(json.dumps(summary, indent=2))
    if html_path:
        html_path.write_text(report.render_html(summary))


def _replay_all(built: Any, chosen: list[str], where: Path, settings: Any, jobs: int) -> list[Any]:
    """Each policy's outcome, in ``chosen``'s order. The replays share nothing (a database
    each, the same scenario), so they run in processes of their own — three on two cores
    finish in about half the time of one after the other, with the same outcomes."""
    from promesa.simulation import runner

    if jobs == 1 or len(chosen) == 1:
        return [runner.replay(built, name, where, settings) for name in chosen]
    from promesa.gcfreeze import freeze_startup_objects

    # a replay creates millions of short-lived ORM objects: the collector should not walk the
    # imported modules (and the scenario) at every full collection
    with ProcessPoolExecutor(max_workers=min(jobs, len(chosen)), initializer=freeze_startup_objects) as pool:
        futures = [pool.submit(runner.replay, built, name, where, settings) for name in chosen]
        return [future.result() for future in futures]


def orchestrate(
    watch: Annotated[bool, typer.Option(help="Keep running: a pass every --every seconds.")] = False,
    every: Annotated[float, typer.Option(min=1.0, help="Seconds between passes with --watch.")] = 60.0,
    send: Annotated[bool, typer.Option(help="Also send the due notices with the configured sender.")] = True,
    json_out: Annotated[bool, typer.Option("--json", help="Print the pass's report as JSON.")] = False,
) -> None:
    """Look at every standing trigger once (or keep watching): act within the autonomy policy,
    queue the rest for staff, draft notices, and send the due ones."""
    from promesa.domain.deps import Deps
    from promesa.domain.notices.dispatch import send_due
    from promesa.domain.notices.senders import sender_from
    from promesa.domain.orchestration.run import ORCHESTRATOR
    from promesa.domain.orchestration.run import orchestrate as run_pass
    from promesa.settings import get_settings
    from promesa.store.db import make_engine, session_factory

    settings = get_settings()
    sessions = session_factory(make_engine(settings.sqlalchemy_url))
    sender = sender_from(settings.notices) if send else None
    while True:
        now = settings.current_time()
        with sessions() as session, session.begin():
            result = run_pass(Deps(session=session, principal=ORCHESTRATOR, now=now, settings=settings))
        sent = None
        if sender is not None:
            with sessions() as session, session.begin():
                sent = send_due(Deps(session=session, principal=ORCHESTRATOR, now=now, settings=settings), sender)
        if json_out:
            print(json.dumps({"pass": result.model_dump(mode="json"),
                              "sent": sent.model_dump(mode="json") if sent else None}))
        else:
            console.print(f"{now:%Y-%m-%d %H:%M}: {result.triggers} triggers, {result.by_decision or 'nothing new'}, "
                          f"{result.notices_drafted} notices drafted" + (f", {sent.sent} sent" if sent else ""))
        if not watch:
            return
        time.sleep(every)


def register(app: typer.Typer) -> None:
    """Add ``simulate`` and ``orchestrate`` to the CLI."""
    app.command("simulate")(simulate)
    app.command("orchestrate")(orchestrate)
