"""The ``promesa`` Typer app and the commands of the base package's own areas.

Areas register their commands lazily: :data:`COMMAND_AREAS` says which area defines each
command, so ``promesa stories`` imports only the world's CLI. The areas above the base package
(knowledge, the agent, the API, the evals) are added by the composition root, ``cli.main``,
which is what the ``promesa`` program runs; this module imports none of them. An importer
other than the ``promesa`` program (a test) gets every base command at import.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import typer

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

app = typer.Typer(
    name="promesa",
    help="Promesa: the operations agent that keeps the promises a store makes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

#: Adds an area's commands to the app.
Registrar = Callable[[typer.Typer], None]
#: Which area defines each command.
COMMAND_AREAS: dict[str, str] = {}
#: Each area's registrar.
AREAS: dict[str, Registrar] = {}
_registered: set[str] = set()


@app.callback()
def main() -> None:
    """Promesa: the operations agent that keeps the promises a store makes."""
    from promesa import logsafe
    from promesa.settings import get_settings

    logsafe.install(enabled=not get_settings().log_personal_data)


def area(name: str, *commands: str) -> Callable[[Registrar], Registrar]:
    """Declare the area ``name`` defining ``commands``; the decorated function registers them."""

    def declare(registrar: Registrar) -> Registrar:
        AREAS[name] = registrar
        COMMAND_AREAS.update(dict.fromkeys(commands, name))
        return registrar

    return declare


def register_area(name: str) -> None:
    """Register an area's commands on the app (once)."""
    if name not in _registered:
        _registered.add(name)
        AREAS[name](app)


def register_invoked(argv: list[str]) -> None:
    """Register the invoked command's area only; every area for help or an unknown command."""
    # only when run as the `promesa` program (an importer such as pytest gets every command)
    command = next((a for a in argv[1:] if not a.startswith("-")), None) if invoked_as_program(argv) else None
    for name in [COMMAND_AREAS[command]] if command in COMMAND_AREAS else list(AREAS):
        register_area(name)


def invoked_as_program(argv: list[str]) -> bool:
    """Whether this process is the ``promesa`` program (not an importer such as pytest)."""
    return bool(argv) and os.path.basename(argv[0]) == "promesa"


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


if not invoked_as_program(sys.argv):
    register_invoked(sys.argv)
