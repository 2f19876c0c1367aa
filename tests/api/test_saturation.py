"""The API under more turns than a worker runs at once, and past a turn's deadline (issue #13)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from langchain_core.messages import AIMessage, BaseMessage

from api.auth import issue_token
from api.main import create_app
from promesa.principal import Principal, Role
from tests.agent.fakes import ScriptedModel


def slow(seconds: float):  # noqa: ANN201
    def script(messages: list[BaseMessage]) -> AIMessage:
        time.sleep(seconds)
        return AIMessage(content="Hello, how can I help?")

    return script


@pytest.fixture
def app_with(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """An app whose lifespan opens the real AgentService, its model following ``script``."""
    def make(settings, engine, script):  # noqa: ANN001, ANN202
        monkeypatch.setattr("agent.service.make_chat_model", lambda _settings: ScriptedModel(script=script))
        return create_app(settings, engine=engine)

    return make


@pytest.mark.parametrize("sse", [False, True])
def test_a_saturated_worker_answers_503_with_retry_after(api_settings, engine, app_with, sse) -> None:  # noqa: ANN001
    settings = api_settings.model_copy(update={"max_concurrent_turns": 1, "turn_queue_seconds": 0.05,
                                               "turns_per_minute": 100})
    app = app_with(settings, engine, slow(1.0))
    headers = {"Authorization": "Bearer " + issue_token(
        app.state.runtime.secret, Principal(role=Role.customer, subject="C-1"), timedelta(minutes=5))}
    if sse:
        headers["Accept"] = "text/event-stream"
    with TestClient(app, raise_server_exceptions=False) as client:
        first: dict[str, int] = {}
        busy = threading.Thread(target=lambda: first.setdefault(
            "status", client.post("/v1/chat", json={"message": "hello"}, headers=headers).status_code))
        busy.start()
        time.sleep(0.4)  # the first turn holds the only slot
        refused = client.post("/v1/chat", json={"message": "hello again"}, headers=headers)
        busy.join()
    assert first["status"] == 200
    assert refused.status_code == 503
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"]["code"] == "busy"


def test_past_the_turn_deadline_the_api_answers_with_the_handoff(api_settings, engine, app_with) -> None:  # noqa: ANN001
    settings = api_settings.model_copy(update={"turn_deadline_seconds": 0.3, "turns_per_minute": 100})
    app = app_with(settings, engine, slow(2.0))
    headers = {"Authorization": "Bearer " + issue_token(
        app.state.runtime.secret, Principal(role=Role.customer, subject="C-1"), timedelta(minutes=5))}
    with TestClient(app, raise_server_exceptions=False) as client:
        started = time.perf_counter()
        response = client.post("/v1/chat", json={"message": "where is my order?"}, headers=headers)
        took = time.perf_counter() - started
    assert response.status_code == 200
    assert [d["type"] for d in response.json()["decisions"]] == ["handoff"]
    assert took < 1.8  # the deadline, not the model, ended the turn
