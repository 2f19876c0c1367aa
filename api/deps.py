"""Dependencies as ``Annotated`` type aliases: routes declare what they need by type."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from agent.service import AgentService
from api.auth import InvalidToken, decode_token
from api.errors import ApiError, forbidden, unauthorized
from api.state import Runtime
from promesa.domain.deps import Deps
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.text import has_controls

_bearer = HTTPBearer(auto_error=False, description="A token from `promesa token` or /v1/auth/*")


def get_runtime(request: Request) -> Runtime:
    """The app's runtime (created once per app)."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> Settings:
    """The app's settings."""
    return runtime.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_now(settings: SettingsDep) -> datetime:
    """The request's clock, decided here at the edge (DESIGN rule 5)."""
    return settings.current_time()


NowDep = Annotated[datetime, Depends(get_now)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    """A session in a transaction: committed when the route succeeds, rolled back otherwise."""
    assert runtime.sessions is not None, "the app's lifespan has not started"
    with runtime.sessions() as session, session.begin():
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_principal(
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The principal of the request's bearer token (401 without a valid one)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized()
    try:
        return decode_token(runtime.secret, credentials.credentials)
    except InvalidToken as exc:
        raise unauthorized(str(exc)) from exc


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that admits only ``roles`` (403 for any other signed-in role)."""
    allowed = frozenset(roles)

    def check(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise forbidden(f"this endpoint is for: {names}")
        return principal

    return check


StaffDep = Annotated[Principal, Depends(require_roles(Role.support, Role.ops, Role.system))]
SupportDep = Annotated[Principal, Depends(require_roles(Role.support, Role.system))]
OpsDep = Annotated[Principal, Depends(require_roles(Role.ops, Role.system))]
CustomerDep = Annotated[Principal, Depends(require_roles(Role.customer))]


def get_deps(
    session: SessionDep, principal: PrincipalDep, now: NowDep, settings: SettingsDep
) -> Deps:
    """The domain dependencies of a request: its session, principal, clock and settings."""
    return Deps(session=session, principal=principal, now=now, settings=settings)


DomainDeps = Annotated[Deps, Depends(get_deps)]

#: The largest row id the databases store (PostgreSQL's INTEGER): a longer number in a path is a
#: 422 naming it, not an overflow in the driver (a 500 schemathesis found, issue #16).
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


def get_agent(runtime: RuntimeDep) -> AgentService:
    """The app's agent service (opened by the lifespan)."""
    assert runtime.agent is not None, "the app's lifespan has not started"
    return runtime.agent


AgentDep = Annotated[AgentService, Depends(get_agent)]


def no_control_characters(request: Request) -> None:
    """Refuse (422, naming the parameter) a query or path value with NUL or other controls.

    Applied to every route, so no filter or id carrying NUL reaches PostgreSQL (issue #16);
    bodies are cleaned by :class:`api.schemas.Body`.
    """
    for name, value in [*request.path_params.items(), *request.query_params.multi_items()]:
        if isinstance(value, str) and has_controls(value):
            raise ApiError(422, "invalid_input", f"{name}: control characters are not allowed", field=name)
