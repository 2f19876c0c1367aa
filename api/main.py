"""The FastAPI application: create it, include the routers, nothing else.

Run with ``promesa serve`` (uvicorn, factory mode) or ``uvicorn api.main:create_app --factory``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine

from api import errors
from api.bodylimit import DeclaredBodyLimit
from api.routes import (
    approvals,
    auth,
    chat,
    customers,
    health,
    ops,
    orders,
    pages,
    stores,
    stories,
    support,
    threads,
)
from api.state import AgentService, lifespan, make_runtime
from promesa.settings import Settings, get_settings


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
    # Swagger UI and ReDoc assets from the fastapi-offline package: /docs works with no internet
    app = FastAPIOffline(
        title="Promesa API",
        version=health.VERSION,
        description="The operations agent that keeps the promises a store makes. "
        "Authenticate with `Authorization: Bearer <token>` (`promesa token`, or /v1/auth/*).",
        lifespan=lifespan,
        favicon_url="/favicon.ico",
    )
    app.state.runtime = make_runtime(settings, engine=engine, agent=agent)
    errors.install(app)
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
    app.add_middleware(DeclaredBodyLimit, max_body_size=max_body_size)
    routers = (health, auth, chat, approvals, threads, orders, customers, ops, support, stories, stores)
    for module in (*routers, pages):
        app.include_router(module.router, max_body_size=max_body_size)
    app.mount("/static", pages.static_files, name="static")
    return app
