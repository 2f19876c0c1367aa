"""The ``promesa`` program: the base package's app (``promesa.cli``) plus the commands of the
areas above it (the policy index, the API and its chat, privacy, the evals, ``setup``) and their
benchmarks (:mod:`cli.benches`).

Only the invoked command's area is imported, so ``promesa stories`` loads neither scipy (evals),
LangGraph (api) nor the embedding stack.
"""

from __future__ import annotations

import sys

import typer

from cli import benches as _benches  # noqa: F401  (registers the agent and API benchmarks)
from promesa.cli import app, area, register_invoked

__all__ = ["app"]


@area("store", "migrate")
def _store(target: typer.Typer) -> None:
    from promesa.store import cli as store_cli

    store_cli.register(target)


@area("bench", "bench")
def _bench(target: typer.Typer) -> None:
    from promesa.bench import cli as bench_cli

    bench_cli.register(target)


@area("world", "seed", "world-schema", "stories")
def _world(target: typer.Typer) -> None:
    from promesa.world import cli as world_cli

    world_cli.register(target)


@area("events", "events", "events-schema")
def _events(target: typer.Typer) -> None:
    from promesa.events import cli as events_cli

    events_cli.register(target)


@area("promising", "simulate", "orchestrate")
def _promising(target: typer.Typer) -> None:
    from promesa.simulation import cli as simulation_cli

    simulation_cli.register(target)


@area("knowledge", "index")
def _knowledge(target: typer.Typer) -> None:
    from knowledge import cli as knowledge_cli

    # `promesa eval` lives in evals/cli.py and delegates `--suite retrieval` to knowledge.
    target.command("index")(knowledge_cli.index)


@area("evals", "eval")
def _evals(target: typer.Typer) -> None:
    from evals import cli as evals_cli

    evals_cli.register(target)


@area("api", "serve", "token", "ask", "chat")
def _api(target: typer.Typer) -> None:
    from api import cli as api_cli

    api_cli.register(target)


@area("privacy", "privacy")
def _privacy(target: typer.Typer) -> None:
    from api import privacy_cli

    privacy_cli.register(target)


@area("setup", "setup")
def _setup(target: typer.Typer) -> None:
    @target.command("setup")
    def setup() -> None:
        """Everything `make run` needs: schema, demo world (when empty) and the policy index,
        as numbered steps with counts and timings."""
        from rich.console import Console

        from knowledge import cli as knowledge_cli
        from promesa.progress import Steps
        from promesa.world import cli as world_cli

        steps = Steps(total=3, console=Console())
        world_cli.setup(console=steps.console, steps=steps)
        with steps.step("policy index (the first run loads the embedding model)") as step:
            step.done(knowledge_cli.sync_policies(
                on_document=lambda done, total, key: step.tick(done, total, f"documents ({key})")))
        steps.console.print(
            "explore it: [bold]promesa stories[/] lists the demo situations and the questions to ask")


register_invoked(sys.argv)
