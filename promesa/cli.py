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


def _register() -> None:
    from promesa.store import cli as store_cli

    store_cli.register(app)


_register()
