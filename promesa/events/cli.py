"""``promesa events-schema`` and ``promesa events import | replay | dead-letters | consume | outbox | relay``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from promesa.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from promesa.domain.events.ingest import EventResult
    from promesa.principal import Principal

events_app = typer.Typer(help="Events in: import a backfill, replay dead letters, consume a queue; "
                         "events out: the outbox and its relay.",
                         no_args_is_help=True)


def _principal(source: str | None, settings: Settings) -> Principal:
    from promesa.domain.events.sources import principal_for
    from promesa.principal import SYSTEM

    if source is None:
        return SYSTEM
    if source not in settings.event_sources:
        raise typer.BadParameter(f"no event source {source!r} in PROMESA_EVENT_SOURCES", param_hint="--source")
    return principal_for(source)


def _sessions(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    from promesa.store.db import make_engine, migrate, session_factory

    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    return engine, session_factory(engine)


def _summary(results: list[EventResult], as_json: bool) -> None:
    counts = {s: sum(1 for r in results if r.status == s) for s in ("accepted", "duplicate", "rejected")}
    if as_json:
        typer.echo(json.dumps({**counts, "results": [r.model_dump(mode="json") for r in results]}, indent=2))
        return
    for r in results:
        if r.status == "rejected" and r.error:
            typer.echo(f"rejected {r.id}: {r.error.field or '-'}: {r.error.reason}", err=True)
    typer.echo(f"{counts['accepted']} accepted, {counts['duplicate']} duplicates, {counts['rejected']} rejected")


def register(app: typer.Typer) -> None:
    """Add ``events-schema`` and the ``events`` command group to the CLI."""
    @app.command("events-schema")
    def events_schema() -> None:
        """JSON Schema of the CloudEvents Promesa accepts: the envelope and each type's data."""
        from promesa.domain.events.payloads import json_schema

        typer.echo(json.dumps(json_schema(), indent=2))

    @events_app.command("import")
    def import_command(
        file: Path = typer.Argument(..., exists=True, dir_okay=False,  # noqa: B008
                                    help="One CloudEvent per line (NDJSON)."),
        source: str | None = typer.Option(None, "--source", help="Send as this configured source (its scopes apply)."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Ingest a backfill, one transaction per event; bad lines become dead letters."""
        from promesa.domain.events.ingest import ingest_each

        settings = get_settings()
        raws = []
        for no, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raws.append(json.loads(line))
            except ValueError:
                raws.append({"line": no, "text": line[:10_000]})  # kept as a dead letter
        engine, sessions = _sessions(settings)
        try:
            results = ingest_each(sessions, _principal(source, settings), settings.current_time(), settings, raws)
        finally:
            engine.dispose()
        _summary(results, as_json)
        if any(r.status == "rejected" for r in results):
            raise typer.Exit(1)

    @events_app.command("dead-letters")
    def dead_letters_command(as_json: bool = typer.Option(False, "--json")) -> None:
        """The rejected events not yet replayed."""
        from promesa.domain.deps import Deps
        from promesa.domain.events.deadletters import list_dead_letters
        from promesa.principal import SYSTEM

        settings = get_settings()
        engine, sessions = _sessions(settings)
        try:
            with sessions() as session:
                letters = list_dead_letters(Deps(session=session, principal=SYSTEM,
                                                 now=settings.current_time(), settings=settings), limit=500)
        finally:
            engine.dispose()
        if as_json:
            typer.echo(json.dumps([d.model_dump(mode="json") for d in letters], indent=2))
            return
        for d in letters:
            typer.echo(f"{d.id}\t{d.source}\t{d.event_id}\t{d.type or '-'}\t{d.field or '-'}\t{d.reason}")

    @events_app.command("replay")
    def replay_command(
        ids: list[int] = typer.Argument(None, help="Dead-letter ids; none: every unresolved one."),  # noqa: B008
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Ingest dead letters again after a fix (each as the source that sent it)."""
        from promesa.domain.deps import Deps
        from promesa.domain.events.deadletters import replay, replay_all
        from promesa.principal import SYSTEM

        settings = get_settings()
        engine, sessions = _sessions(settings)
        results: list[EventResult] = []
        try:
            targets: list[int | None] = [*ids] if ids else [None]
            for letter_id in targets:
                with sessions() as session, session.begin():
                    deps = Deps(session=session, principal=SYSTEM, now=settings.current_time(), settings=settings)
                    results.extend(replay_all(deps) if letter_id is None else [replay(deps, letter_id)])
        finally:
            engine.dispose()
        _summary(results, as_json)

    @events_app.command("consume")
    def consume_command(
        url: str = typer.Option(..., "--from", help="amqp://user:pass@host:5672/"),
        queue: str = typer.Option("promesa.events", "--queue"),
        source: str | None = typer.Option(None, "--source", help="Consume as this configured source."),
        prefetch: int = typer.Option(32, "--prefetch", min=1),
        idle: float | None = typer.Option(None, "--idle", help="Stop after this many seconds without a message."),
    ) -> None:
        """Consume CloudEvents from a RabbitMQ queue: ack after commit, poison to <queue>.dlx."""
        from promesa.events.amqp import consume
        from promesa.events.feed import make_feed

        settings = get_settings()
        engine, sessions = _sessions(settings)
        feed = make_feed(settings, engine)
        try:
            stats = asyncio.run(consume(url, queue, sessions=sessions, principal=_principal(source, settings),
                                        settings=settings, now=settings.current_time, prefetch=prefetch,
                                        idle_seconds=idle, on_commit=feed.publish_result))
        finally:
            feed.close()
            engine.dispose()
        typer.echo(f"{stats.messages} messages: {stats.accepted} accepted, {stats.duplicates} duplicates, "
                   f"{stats.rejected} rejected, {stats.requeued} requeued")

    @events_app.command("outbox")
    def outbox_command(
        pending: bool = typer.Option(False, "--pending", help="Only the ones not sent yet."),
        limit: int = typer.Option(100, "--limit", min=1, max=500),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Outgoing events (sellable online changes), newest first, with their delivery state."""
        from promesa.domain.deps import Deps
        from promesa.domain.events.outgoing import listing
        from promesa.principal import SYSTEM

        settings = get_settings()
        engine, sessions = _sessions(settings)
        try:
            with sessions() as session:
                rows = listing(Deps(session=session, principal=SYSTEM, now=settings.current_time(),
                                    settings=settings), pending_only=pending, limit=limit)
        finally:
            engine.dispose()
        if as_json:
            typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
            return
        for r in rows:
            data = r.envelope.get("data", {})
            state = (f"sent {r.published_at.isoformat()}" if r.published_at else
                     f"pending, {r.attempts} failed attempts, next {r.next_attempt_at.isoformat() if r.next_attempt_at else '-'}"
                     + (f": {r.last_error}" if r.last_error else ""))
            typer.echo(f"{r.id}\t{r.event_id}\t{data.get('level', '-')} ({data.get('sellable', '-')})\t{state}")

    @events_app.command("relay")
    def relay_command(
        url: str = typer.Option(..., "--to", help="amqp://user:pass@host:5672/"),
        exchange: str = typer.Option("promesa.outgoing", "--exchange", help="Durable topic exchange."),
        once: bool = typer.Option(False, "--once", help="One pass, then stop."),
        interval: float = typer.Option(0.5, "--interval", min=0.01, help="Seconds between passes."),
        idle: float | None = typer.Option(None, "--idle", help="Stop after this many seconds with nothing to send."),
    ) -> None:
        """Send the outbox's events to RabbitMQ (routing key = event type), retrying with backoff."""
        from promesa.events.relay import relay

        settings = get_settings()
        engine, sessions = _sessions(settings)
        try:
            stats = asyncio.run(relay(url, exchange, sessions=sessions, settings=settings,
                                      now=settings.current_time, interval=interval, once=once, idle_seconds=idle))
        finally:
            engine.dispose()
        typer.echo(f"{stats.passes} passes: {stats.sent} sent, {stats.failed} failed (retried after backoff)")

    app.add_typer(events_app, name="events")
