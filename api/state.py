"""What the API holds for its lifetime: settings, secret, database, agent and limiters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.auth import resolve_secret
from api.ratelimit import Limiter, make_storage
from promesa.settings import Settings
from promesa.store.db import make_engine, session_factory

if TYPE_CHECKING:  # the agent is imported when the lifespan starts it (tests pass a stand-in)
    from agent.service import AgentService


@dataclass
class Runtime:
    """Everything a request may need, created once per app (see :func:`lifespan`)."""

    settings: Settings
    secret: str
    turn_limiter: Limiter
    verify_limiter: Limiter
    #: failed verifications per order id: N in the window lock that order (issue #16)
    order_lockout: Limiter
    engine: Engine | None = None
    sessions: sessionmaker[Session] | None = None
    agent: AgentService | None = None
    owns_engine: bool = False
    owns_agent: bool = False
    #: fans the changes of ingested events out to this worker's /v1/live streams
    change_feed: Any = None


def make_runtime(
    settings: Settings, *, engine: Engine | None = None, agent: AgentService | None = None
) -> Runtime:
    """Check the configuration now (a production app without a secret never starts)."""
    storage = make_storage(settings.rate_limit_storage)
    return Runtime(
        settings=settings,
        secret=resolve_secret(settings),
        turn_limiter=Limiter("chat-turns", settings.turns_per_minute, storage),
        verify_limiter=Limiter("order-verification", settings.verify_attempts_per_minute, storage),
        order_lockout=Limiter("order-verification-failures", settings.verify_failures_per_order,
                              storage, minutes=settings.verify_lockout_minutes),
        engine=engine,
        agent=agent,
    )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the engine, the session factory and the agent; close what this app opened."""
    runtime: Runtime = app.state.runtime
    if runtime.engine is None:
        runtime.engine = make_engine(runtime.settings.sqlalchemy_url)
        runtime.owns_engine = True
    runtime.sessions = session_factory(runtime.engine)
    from promesa.events.feed import make_feed

    runtime.change_feed = make_feed(runtime.settings, runtime.engine)
    runtime.change_feed.start()
    if runtime.agent is None:
        from agent.service import AgentService

        runtime.agent = await AgentService.create(runtime.settings, engine=runtime.engine)
        runtime.owns_agent = True
    if runtime.settings.warm_start and hasattr(runtime.agent, "warm"):
        # the first policy question would otherwise load the embedding model (~25 s)
        await runtime.agent.warm()
    try:
        yield
    finally:
        runtime.change_feed.close()
        runtime.change_feed = None
        if runtime.owns_agent and runtime.agent is not None:
            await runtime.agent.aclose()
            runtime.agent = None
        if runtime.owns_engine and runtime.engine is not None:
            runtime.engine.dispose()
            runtime.engine = None
