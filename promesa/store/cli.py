"""Database commands: ``promesa migrate``."""

from __future__ import annotations

import typer

from promesa.settings import get_settings
from promesa.store.db import make_engine, migrate


def register(app: typer.Typer) -> None:
    """Add the database commands (``migrate``) to the CLI ``app``."""
    @app.command("migrate")
    def migrate_command() -> None:
        """Create or upgrade the schema of the configured database."""
        settings = get_settings()
        engine = make_engine(settings.sqlalchemy_url)
        migrate(engine)
        typer.echo(f"schema up to date at {engine.url.render_as_string(hide_password=True)}")
