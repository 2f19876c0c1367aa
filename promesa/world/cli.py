"""World commands: ``promesa seed``, ``promesa setup``, ``promesa world-schema``, ``promesa stories``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from promesa.errors import DomainError
from promesa.progress import Steps
from promesa.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

# The store (SQLAlchemy, Alembic, the drivers) is imported by the commands that use it:
# ``promesa stories`` prints a table from a list and must start in under 2 s (#15).


def _engine(settings: Settings) -> Engine:
    from promesa.store.db import make_engine

    return make_engine(settings.sqlalchemy_url)


def seed_database(
    engine: Engine,
    settings: Settings,
    *,
    orders: int | None = None,
    seed: int | None = None,
    world: Path | None = None,
    reset: bool = False,
    progress: bool = True,
) -> str:
    """Migrate, then build the demo world (or load ``world``); returns a one-line summary.

    Refuses a database that already holds orders unless ``reset`` (drop and re-migrate).
    """
    from promesa.store.db import drop_all, is_empty, migrate
    from promesa.world.demo import build_demo_world
    from promesa.world.loader import load_world

    if reset:
        drop_all(engine)
    migrate(engine)
    if not is_empty(engine):
        raise typer.BadParameter(
            "the database already holds a world; pass --reset to replace it", param_hint="--reset"
        )
    now = settings.current_time()
    if world is not None:
        summary = load_world(engine, world, now=settings.now)
    else:
        summary = build_demo_world(
            engine, now=now, orders=settings.demo_orders if orders is None else orders,
            seed=settings.seed if seed is None else seed, progress=progress,
        )
    return summary.describe()


def setup(settings: Settings | None = None, *, console: Console | None = None,
          steps: Steps | None = None) -> None:
    """Migrate and, when the database is empty, build the demo world, as numbered steps with
    counts and timings (the policy index is the caller's next step)."""
    from promesa.store.db import is_empty, migrate

    settings = settings or get_settings()
    console = console or Console()
    steps = steps or Steps(total=2, console=console)
    engine = _engine(settings)
    with steps.step("database schema") as step:
        migrate(engine)
        step.done(f"migrated ({settings.sqlalchemy_url.split(':', 1)[0]})")
    with steps.step("demo world") as step:
        if is_empty(engine):
            # the bar is for people at a terminal; a log gets the step's end line only
            step.done(seed_database(engine, settings, progress=console.is_terminal))
        else:
            step.done("the database already holds a world: kept as is")
    engine.dispose()


def register(app: typer.Typer) -> None:
    """Add the ``seed``, ``world-schema`` and ``stories`` commands to the CLI ``app``."""
    @app.command("seed")
    def seed_command(
        orders: int = typer.Option(None, "--orders", help="Generated orders (default: settings)."),
        seed: int = typer.Option(None, "--seed", help="Random seed (default: settings)."),
        world: Path = typer.Option(None, "--world", help="Load this world file instead.",
                                   exists=True, dir_okay=False),
        reset: bool = typer.Option(False, "--reset", help="Drop and re-create the schema first."),
    ) -> None:
        """Build the demo world (or load a world file) into the configured database."""
        settings = get_settings()
        try:
            summary = seed_database(_engine(settings), settings, orders=orders, seed=seed,
                                    world=world, reset=reset)
        except DomainError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"seeded: {summary}")

    @app.command("world-schema")
    def world_schema_command() -> None:
        """Print the JSON Schema of world files."""
        from promesa.world.schema import world_json_schema

        typer.echo(json.dumps(world_json_schema(), indent=2, ensure_ascii=False))

    @app.command("stories")
    def stories_command(
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """List the demo world's stories: ids involved and a question to ask for each."""
        from rich.table import Table

        from promesa.world.stories import STORIES

        if as_json:
            typer.echo(json.dumps([s.as_dict() for s in STORIES], indent=2, ensure_ascii=False))
            return
        table = Table("story", "persona", "ids", "ask (en / es)", show_lines=True)
        for story in STORIES:
            table.add_row(f"[bold]{story.id}[/]\n{story.title}",
                          f"{story.persona}\n{story.principal or ''}", ", ".join(story.ids),
                          f"{story.question_en}\n{story.question_es}")
        Console().print(table)
