"""The FastAPI application: create it, include the routers, nothing else.

Run with ``promesa serve`` (uvicorn, factory mode) or ``uvicorn api.main:create_app --factory``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from agent.service import AgentService
from api import errors
from api.bodylimit import DeclaredBodyLimit
from api.deps import no_control_characters
from api.routes import (
    approvals,
    auth,
    chat,
    customers,
    events,
    health,
    live,
    ops,
    orchestration,
    orders,
    pages,
    privacy,
    promise,
    stores,
    stories,
    support,
    threads,
)
from api.state import lifespan, make_runtime
from api.streaming import document_stream
from promesa import logsafe
from promesa.settings import Settings, get_settings
from promesa.store.db import customer_names


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The runtime's lifespan, then the world's names for the log filter (issue #16)."""
    async with lifespan(app):
        runtime = app.state.runtime
        if not runtime.settings.log_personal_data and runtime.engine is not None:
            logsafe.remember_names(customer_names(runtime.engine))
        yield


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    agent: AgentService | None = None,
) -> FastAPI:
    """Build the API. ``engine`` and ``agent`` default to ones the lifespan creates from settings.

    Raises:
        api.auth.StartupError: in production without a configured secret.
    """
    settings = settings or get_settings()
    logsafe.install(enabled=not settings.log_personal_data)
    # Swagger UI and ReDoc assets from the fastapi-offline package: /docs works with no internet
    app = FastAPIOffline(
        title="Promesa API",
        version=health.VERSION,
        description="The operations agent that keeps the promises a store makes. "
        "Authenticate with `Authorization: Bearer <token>` (`promesa token`, or /v1/auth/*).",
        lifespan=_lifespan,
        favicon_url="/favicon.ico",
    )
    app.state.runtime = make_runtime(settings, engine=engine, agent=agent)
    errors.install(app)
    if settings.trusted_proxies:
        # X-Forwarded-For is believed from these proxies only (uvicorn's own is off: serve_options)
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
        )
    # Refuse huge bodies before parsing them: a message at its longest as 4-byte UTF-8 (JSON
    # escapes aside), plus room for the JSON around it.
    max_body_size = settings.max_message_chars * 4 + 16_384
    app.add_middleware(DeclaredBodyLimit, max_body_size=max_body_size,
                       larger=(("/v1/events", settings.event_body_max_bytes),))
    routers = (health, auth, chat, approvals, threads, orders, customers, ops, support, stories, privacy, live,
               stores, promise, orchestration)
    no_control = [Depends(no_control_characters)]
    for module in (*routers, pages):
        app.include_router(module.router, max_body_size=max_body_size, dependencies=no_control)
    # signed event bodies are verified byte for byte: nothing may strip them before the HMAC check
    app.include_router(events.router, max_body_size=settings.event_body_max_bytes)
    app.mount("/static", pages.static_files, name="static")
    document_stream(app)
    return app
