"""The ``promesa`` Typer app and the commands of the base package's own areas.

Areas register their commands lazily: :data:`COMMAND_AREAS` says which area defines each
command, so ``promesa stories`` imports only the world's CLI. Every area (the store, the world,
events, benchmarks, the simulation, and above them knowledge, the API, the evals) is declared by
the composition root, ``cli.main``, which is what the ``promesa`` program runs: this module sits
at the base of the layers and imports none of them.
"""

from __future__ import annotations

import os
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


