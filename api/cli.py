"""Agent-facing commands: ``promesa serve``, ``token``, ``ask`` and ``chat``."""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from api.auth import StartupError, issue_token, parse_principal, resolve_secret
from promesa.errors import DomainError
from promesa.gcfreeze import freeze_startup_objects
from promesa.principal import Principal, Role
from promesa.settings import Settings, get_settings

if TYPE_CHECKING:  # imported when a command runs: `promesa token` loads no LangGraph
    from agent.contract import TurnResult
    from agent.service import AgentService

T = TypeVar("T")

_TTL = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "": "minutes"}
#: The longest a served turn may take: the slowest model profile's whole-turn deadline (150 s).
_SERVER_TURN_SECONDS = 180.0


def parse_ttl(text: str) -> timedelta:
    """``"90"`` (minutes), ``"30m"``, ``"8h"``, ``"2d"``, ``"45s"`` -> timedelta."""
    match = _TTL.match(text)
    if not match or int(match.group(1)) == 0:
        raise typer.BadParameter("use a positive number with an optional unit: 30m, 8h, 2d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _principal(spec: str) -> Principal:
    try:
        return parse_principal(spec)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--as") from exc


def _ensure_known(settings: Settings, principal: Principal) -> None:
    """No world to ask about, or ``--as customer:C-9999`` for a customer the database does not
    hold, is a usage error, not a conversation in which every order is "not found"."""
    from sqlalchemy import select
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from promesa.store.db import make_engine
    from promesa.store.models import Customer, Node

    no_world = "the database holds no world yet: run `promesa setup` first"
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            has_world = session.scalar(select(Node.id).limit(1)) is not None
            known = (principal.role is not Role.customer or not principal.subject
                     or session.get(Customer, principal.subject) is not None)
    except OperationalError as exc:  # no schema yet
        raise typer.BadParameter(no_world, param_hint="--as") from exc
    finally:
        engine.dispose()
    if not has_world:
        raise typer.BadParameter(no_world, param_hint="--as")
    if not known:
        raise typer.BadParameter(f"no customer {principal.subject} in the database", param_hint="--as")


async def _with_agent(settings: Settings, work: Callable[[AgentService], Awaitable[T]]) -> T:
    """Open the database and the agent, run ``work(agent)``, close both."""
    from agent.service import AgentService
    from promesa.store.db import make_engine

    engine = make_engine(settings.sqlalchemy_url)
    agent = await AgentService.create(settings, engine=engine)
    try:
        return await work(agent)
    finally:
        await agent.aclose()
        engine.dispose()


def _response(result: TurnResult) -> dict[str, Any]:
    """The turn as the API's JSON response body (``api.turns.turn_response``, without importing
    FastAPI, which ``api.turns`` needs for its routes: about half a second of ``ask``'s start)."""
    from api.schemas import TurnResponse

    data = result.model_dump(mode="json")
    body = TurnResponse.model_validate({key: data[key] for key in TurnResponse.model_fields if key in data})
    return body.model_dump(mode="json")


def _print_turn(body: dict[str, Any], as_json: bool, via: str | None = None) -> None:
    """Print a turn's response body (from this process or from the server at ``via``)."""
    if as_json:
        typer.echo(json.dumps(body, indent=2, ensure_ascii=False))
        return
    typer.echo(body["text"])
    for decision in body.get("decisions") or []:
        fields = {key: value for key, value in decision.items() if value is not None}
        kind = fields.pop("type")
        if kind == "reroute_proposal":  # English log prose (ISO dates, scores): the answer says why in words
            fields.pop("reason", None)
        for key, value in fields.items():  # long record lists (options, rows): just count them
            if isinstance(value, list) and len(value) > 3 and isinstance(value[0], dict):
                fields[key] = f"<{len(value)} items; --json shows them>"
        typer.secho(f"  [{kind}] {json.dumps(fields, ensure_ascii=False)}", fg="cyan")
    pending = body.get("pending_approval")
    if pending:
        typer.secho(
            f"  [pending approval] {pending['tool']}({json.dumps(pending['args'], ensure_ascii=False)}) "
            f"approvers: {', '.join(pending['approver_roles'])}",
            fg="yellow",
        )
    typer.secho(f"  thread: {body['thread_id']}" + (f" (answered by the server at {via})" if via else ""),
                dim=True)


def _ask_server(
    settings: Settings, principal: Principal, message: str, thread: str | None
) -> tuple[str, dict[str, Any]] | None:
    """The server's URL and its answer to the turn, or None when no live server on this world
    can take it (then the turn runs in this process)."""
    from api import cli_server

    url = cli_server.find_server(settings)
    if url is None:
        return None
    token = issue_token(resolve_secret(settings), principal, timedelta(minutes=5))
    try:
        return url, cli_server.chat(url, token, message, thread, timeout=_SERVER_TURN_SECONDS)
    except cli_server.ServerError as exc:
        if exc.status == 401:  # the server signs with another secret: no turn ran there
            return None
        typer.secho(f"error ({exc.code}): {exc.message}", fg="red", err=True)
        raise typer.Exit(1) from exc
    except OSError as exc:  # the turn may have run: never run it a second time here
        typer.secho(f"error: the server at {url} did not answer ({exc}); "
                    "try again, or add --in-process", fg="red", err=True)
        raise typer.Exit(1) from exc


def serve_lines(settings: Settings, base: str) -> list[str]:
    """The pages to open, one line each: the demo shop only where it exists (demo mode)."""
    from api.modes import demo_enabled

    first = (("/shop", "demo shop with the customer widget") if demo_enabled(settings)
             else ("/widget", "customer chat widget"))
    pages = (first, ("/copilot", "support copilot"), ("/ops", "ops console"), ("/docs", "API reference"))
    return [f"  {base}{path:<9} {what}" for path, what in pages]


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``token``, ``ask`` and ``chat`` to ``app``."""
    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
        workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    ) -> None:
        """Run the HTTP API (OpenAPI docs at /docs)."""
        import uvicorn

        from api.modes import check_serve, check_workers, serve_options

        try:
            for warning in check_serve(get_settings(), host):
                typer.secho(f"warning: {warning}", fg="yellow", err=True)
            check_workers(get_settings(), workers)
        except StartupError as exc:
            typer.secho(f"error: {exc}", fg="red", err=True)
            raise typer.Exit(2) from exc
        import api.main  # noqa: F401 - the app's code, imported before freezing

        base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
        typer.secho("Promesa is starting. Open:", bold=True)
        for line in serve_lines(get_settings(), base):
            typer.echo(line)
        # every worker loads its models before it takes a request (api.state.lifespan)
        os.environ.setdefault("PROMESA_WARM_START", "true")
        freeze_startup_objects()
        from api.cli_server import announced

        with announced(get_settings(), base):  # `promesa ask` on this world sends its turns here
            uvicorn.run("api.main:create_app", factory=True, host=host, port=port, workers=workers,
                        **serve_options())  # type: ignore[arg-type]

    @app.command("token")
    def token(
        role: Annotated[Role, typer.Option(help="customer, support, ops, system or anonymous.")],
        subject: Annotated[str | None, typer.Option(help="Customer id or staff id.")] = None,
        order_scope: Annotated[
            str | None, typer.Option(help="The verified order (anonymous tokens).")
        ] = None,
        ttl: Annotated[str, typer.Option(help="Lifetime: 30m, 8h, 2d.")] = "8h",
    ) -> None:
        """Print a signed API token, e.g. ``promesa token --role customer --subject C-1001``."""
        lifetime = parse_ttl(ttl)
        try:
            principal = Principal(role=role, subject=subject, order_scope=order_scope)
            typer.echo(issue_token(resolve_secret(get_settings()), principal, lifetime))
        except (ValueError, StartupError) as exc:
            typer.secho(f"error: {exc}", fg="red", err=True)
            raise typer.Exit(2) from exc

    @app.command("ask")
    def ask(
        message: Annotated[str, typer.Argument(help="What to ask the agent.")],
        as_: Annotated[str, typer.Option("--as", help="ROLE:SUBJECT, e.g. customer:C-1001.")],
        thread: Annotated[str | None, typer.Option(help="Continue this thread.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the turn as JSON.")] = False,
        in_process: Annotated[bool, typer.Option(
            "--in-process", help="Run the agent in this process even when `promesa serve` runs on this world.",
        )] = False,
    ) -> None:
        """Run one turn through the agent and print its answer and decisions.

        While `promesa serve` runs on the same world (database, model, clock) the turn goes to
        that server, which has its models loaded; otherwise it runs in this process."""
        principal, settings = _principal(as_), get_settings()
        _ensure_known(settings, principal)
        served = None if in_process else _ask_server(settings, principal, message, thread)
        if served is not None:
            _print_turn(served[1], as_json, via=served[0])
            return

        async def work(agent: AgentService) -> TurnResult:
            return await agent.run_turn(
                thread_id=thread, principal=principal, message=message, now=settings.current_time()
            )

        try:
            result = asyncio.run(_with_agent(settings, work))
        except DomainError as exc:
            typer.secho(f"error ({exc.code}): {exc.message}", fg="red", err=True)
            raise typer.Exit(1) from exc
        _print_turn(_response(result), as_json)

    @app.command("chat")
    def chat(
        as_: Annotated[str, typer.Option("--as", help="ROLE:SUBJECT, e.g. support:agent-ana.")],
        thread: Annotated[str | None, typer.Option(help="Continue this thread.")] = None,
    ) -> None:
        """Talk to the agent interactively; pending approvals are asked for in place."""
        principal, settings = _principal(as_), get_settings()
        _ensure_known(settings, principal)
        asyncio.run(_with_agent(settings, lambda agent: _chat_loop(agent, principal, settings, thread)))


async def _chat_loop(agent: AgentService, principal: Principal, settings: Settings, thread: str | None) -> None:
    from agent.approvals import Approval

    typer.secho(f"chatting as {principal.label()}; empty line or Ctrl-D to quit", dim=True)
    while True:
        try:
            message = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not message:
            break
        resume: Approval | None = None
        while True:
            try:
                result = await agent.run_turn(
                    thread_id=thread, principal=principal, now=settings.current_time(),
                    **({"resume": resume} if resume else {"message": message}),
                )
            except DomainError as exc:
                typer.secho(f"error ({exc.code}): {exc.message}", fg="red", err=True)
                break
            thread = result.thread_id
            _print_turn(_response(result), as_json=False)
            pending = result.pending_approval
            if pending is None or principal.role.value not in pending.approver_roles:
                break
            approve = typer.confirm(f"approve {pending.tool}?", default=False)
            reason = typer.prompt("reason", default="", show_default=False)
            resume = Approval(approve=approve, reason=reason)
