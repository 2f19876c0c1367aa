"""API fixtures: an app over a migrated test database, tokens, and a scripted agent stand-in.

The stand-in implements AgentService's interface so the HTTP layer (framing, limits, errors)
is tested on its own; tests marked with ``real_agent`` use the real AgentService.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from agent.contract import (
    DecisionEvent,
    DoneEvent,
    TokenData,
    TokenEvent,
    ToolCallData,
    ToolCallEvent,
    TurnResult,
)
from api.auth import issue_token
from api.main import create_app
from promesa.principal import Principal, Role
from promesa.settings import Settings


class ScriptedAgent:
    """Answers every turn with a fixed decision and streams the matching events."""

    def __init__(self) -> None:
        self.turns: list[dict[str, Any]] = []
        self.fail_stream = False
        self.fail_run = False

    def _result(self, thread_id: str | None, message: str | None) -> TurnResult:
        return TurnResult.model_validate({
            "thread_id": thread_id or "t-1",
            "text": f"echo: {message}",
            "decisions": [{"type": "clarification", "missing": ["order_id"], "question": "Which?"}],
            "pending_approval": None,
            "tool_calls": [],
            "language": "en",
        })

    async def run_turn(self, *, thread_id, principal, message=None, resume=None, now):  # noqa: ANN001
        self.turns.append({"principal": principal, "message": message, "now": now})
        if self.fail_run:
            raise RuntimeError("secret internals /srv/promesa.py line 12")
        return self._result(thread_id, message)

    async def stream_turn(self, *, thread_id, principal, message=None, resume=None, now):  # noqa: ANN001
        self.turns.append({"principal": principal, "message": message, "now": now})
        result = self._result(thread_id, message)
        tid = result.thread_id
        yield TokenEvent(thread_id=tid, data=TokenData(text="echo: "))
        if self.fail_stream:
            raise RuntimeError("secret internals /srv/promesa.py line 12")
        call = ToolCallData(name="get_order_status", args={"order_id": "PO-5000"}, id="c1")
        yield ToolCallEvent(thread_id=tid, data=call)
        yield DecisionEvent(thread_id=tid, data=result.decisions[0])
        yield DoneEvent(thread_id=tid, data=result)

    async def pending_approvals(self, *, principal):  # noqa: ANN001
        return []

    async def history(self, *, thread_id, principal):  # noqa: ANN001
        return [{"role": "user", "content": "hi"}]

    async def aclose(self) -> None:
        return None


@pytest.fixture
def api_settings(tmp_path: Path, now: datetime) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        environment="test",
        data_dir=tmp_path / "data",
        now=now,
        turns_per_minute=3,
        verify_attempts_per_minute=5,
        max_message_chars=200,
    )


@pytest.fixture
def agent() -> ScriptedAgent:
    return ScriptedAgent()


@pytest.fixture
def client(api_settings: Settings, engine: Engine, agent: ScriptedAgent) -> Iterator[TestClient]:
    app = create_app(api_settings, engine=engine, agent=agent)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def demo_client(api_settings: Settings, engine: Engine, agent: ScriptedAgent) -> Iterator[TestClient]:
    """The app in demo mode (what `make run` serves): demo shop and demo tokens exist."""
    app = create_app(api_settings.model_copy(update={"environment": "demo"}), engine=engine, agent=agent)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def token_for(client: TestClient):  # noqa: ANN201
    """``token_for("customer", "C-1001")`` -> an Authorization header."""
    secret = client.app.state.runtime.secret

    def make(role: str, subject: str | None = None, *, order_scope: str | None = None,
             ttl: timedelta = timedelta(minutes=5)) -> dict[str, str]:
        principal = Principal(role=Role(role), subject=subject, order_scope=order_scope)
        return {"Authorization": f"Bearer {issue_token(secret, principal, ttl)}"}

    return make


@pytest.fixture
def world(engine: Engine, now: datetime) -> Engine:
    """The test database with :func:`tests.api.world.small_world` loaded."""
    from promesa.world.loader import load_world
    from tests.api.world import small_world

    load_world(engine, small_world(), now=now)
    return engine
