"""The ``promesa`` command line: each area registers its own commands here."""

from __future__ import annotations

import os

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


def _register() -> None:
    from promesa.store import cli as store_cli

    store_cli.register(app)
    from promesa.bench import cli as bench_cli

    bench_cli.register(app)
    from promesa.world import cli as world_cli

    world_cli.register(app)
    from knowledge import cli as knowledge_cli

    # `promesa eval` lives in evals/cli.py and delegates `--suite retrieval` to knowledge.
    app.command("index")(knowledge_cli.index)
    from evals import cli as evals_cli

    evals_cli.register(app)
    from promesa.events import cli as events_cli

    events_cli.register(app)
    from api import cli as api_cli

    api_cli.register(app)
    from api import privacy_cli

    privacy_cli.register(app)


    @app.command("setup")
    def setup() -> None:
        """Everything `make run` needs: schema, demo world (when empty) and the policy index."""
        world_cli.setup()
        knowledge_cli.index()


_register()
