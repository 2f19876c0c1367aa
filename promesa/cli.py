"""The ``promesa`` command line: each area registers its own commands here."""

from __future__ import annotations

import os
import sys

import typer

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

app = typer.Typer(
    name="promesa",
    help="Promesa: the operations agent that keeps the promises a store makes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """Promesa: the operations agent that keeps the promises a store makes."""
    from promesa import logsafe
    from promesa.settings import get_settings

    logsafe.install(enabled=not get_settings().log_personal_data)


#: Which area defines each command: ``promesa stories`` imports only the world's CLI, not
#: scipy (evals), LangGraph (api) or the embedding stack, so it starts in well under 2 s.
COMMAND_AREAS = {
    "migrate": "store", "bench": "bench", "seed": "world", "world-schema": "world",
    "stories": "world", "index": "knowledge", "eval": "evals", "serve": "api", "token": "api",
    "ask": "api", "chat": "api", "setup": "setup", "events": "events", "events-schema": "events",
    "privacy": "privacy", "simulate": "promising", "orchestrate": "promising",
}


def _register_area(area: str) -> None:
    if area == "store":
        from promesa.store import cli as store_cli

        store_cli.register(app)
    elif area == "bench":
        from promesa.bench import cli as bench_cli

        bench_cli.register(app)
    elif area == "world":
        from promesa.world import cli as world_cli

        world_cli.register(app)
    elif area == "knowledge":
        from knowledge import cli as knowledge_cli

        # `promesa eval` lives in evals/cli.py and delegates `--suite retrieval` to knowledge.
        app.command("index")(knowledge_cli.index)
    elif area == "evals":
        from evals import cli as evals_cli

        evals_cli.register(app)
    elif area == "api":
        from api import cli as api_cli

        api_cli.register(app)
    elif area == "events":
        from promesa.events import cli as events_cli

        events_cli.register(app)
    elif area == "promising":
        from promesa.simulation import cli as simulation_cli

        simulation_cli.register(app)
    elif area == "privacy":
        from api import privacy_cli

        privacy_cli.register(app)
    elif area == "setup":

        @app.command("setup")
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


def _register(argv: list[str]) -> None:
    """Register the invoked command's area only; every area for help or an unknown command."""
    # only when run as the `promesa` program (an importer such as pytest gets every command)
    invoked = os.path.basename(argv[0]) if argv else ""
    command = next((a for a in argv[1:] if not a.startswith("-")), None) if invoked == "promesa" else None
    areas = [COMMAND_AREAS[command]] if command in COMMAND_AREAS else list(dict.fromkeys(COMMAND_AREAS.values()))
    for area in areas:
        _register_area(area)


_register(sys.argv)
