"""``promesa privacy``: a customer's data rights from the command line (export, erasure)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli import _principal, _with_agent
from promesa.errors import DomainError
from promesa.principal import Principal, Role
from promesa.settings import get_settings

privacy_app = typer.Typer(help="Data rights (LFPDPPP ARCO / GDPR): export and erasure.", no_args_is_help=True)

#: Who runs an export from the command line unless ``--as`` says otherwise.
CLI_OPERATOR = Principal(role=Role.system, subject="promesa-cli")


def _run(work: Any) -> Any:
    settings = get_settings()
    try:
        return asyncio.run(_with_agent(settings, lambda agent: work(agent, settings.current_time())))
    except DomainError as exc:
        typer.secho(f"error ({exc.code}): {exc.message}", fg="red", err=True)
        raise typer.Exit(1) from exc


@privacy_app.command("export")
def export(
    customer: Annotated[str, typer.Argument(help="The customer id, e.g. C-1001.")],
    out: Annotated[Path | None, typer.Option("--json", help="Write the JSON here (default: stdout).")] = None,
    as_: Annotated[str | None, typer.Option("--as", help="ROLE:SUBJECT of the staff member.")] = None,
) -> None:
    """Everything held about CUSTOMER, as JSON (database rows and conversation threads)."""
    from agent.privacy import export_everything

    principal = _principal(as_) if as_ else CLI_OPERATOR
    body = _run(lambda agent, now: export_everything(agent, customer, principal=principal, now=now))
    text = json.dumps(body, ensure_ascii=False, indent=2)
    if out:
        out.write_text(text + "\n")
    else:
        typer.echo(text)


@privacy_app.command("request-erasure")
def request_erasure(
    customer: Annotated[str, typer.Argument(help="The customer id.")],
    reason: Annotated[str, typer.Option(help="The customer's request and how it was verified.")],
    as_: Annotated[str, typer.Option("--as", help="support:SUBJECT (who asks).")],
) -> None:
    """Ask for CUSTOMER's erasure; a different staff member approves it."""
    from promesa.domain import privacy
    from promesa.domain.deps import Deps

    principal = _principal(as_)

    async def work(agent: Any, now: Any) -> Any:
        with agent.sessions() as session, session.begin():
            deps = Deps(session=session, principal=principal, now=now, settings=agent.settings)
            return privacy.request_erasure(deps, customer, reason=reason)

    typer.echo(_run(work).model_dump_json(indent=2))


@privacy_app.command("approve-erasure")
def approve_erasure(
    request_id: Annotated[str, typer.Argument(help="The request id (ER-…).")],
    as_: Annotated[str, typer.Option("--as", help="ROLE:SUBJECT of the approver (not the requester).")],
) -> None:
    """Approve and execute an erasure request everywhere (database and conversation threads)."""
    from agent.privacy import approve_erasure as approve

    principal = _principal(as_)
    typer.echo(_run(lambda agent, now: approve(agent, request_id, principal=principal, now=now)).model_dump_json(indent=2))


def register(app: typer.Typer) -> None:
    """Add the ``privacy`` commands to ``app``."""
    app.add_typer(privacy_app, name="privacy")
