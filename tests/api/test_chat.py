"""``POST /v1/chat``: JSON turns, the SSE framing, limits and JSON errors."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient


def parse_sse(body: str) -> list[tuple[str, dict]]:
    """Split an event stream into (event, data) pairs, checking every frame's shape."""
    events = []
    for frame in body.strip().split("\n\n"):
        lines = frame.split("\n")
        assert lines[0].startswith("event: "), frame
        assert all(line.startswith("data: ") for line in lines[1:]), frame
        data = json.loads("\n".join(line[len("data: "):] for line in lines[1:]))
        assert isinstance(data, dict)
        events.append((lines[0][len("event: "):], data))
    return events


def test_json_turn_passes_principal_and_pinned_clock(client: TestClient, token_for, agent, now) -> None:  # noqa: ANN001
    response = client.post("/v1/chat", json={"message": "where is my order?"},
                           headers=token_for("customer", "C-1001"))
    assert response.status_code == 200
    body = response.json()
    assert body["thread_id"] == "t-1" and body["text"] == "echo: where is my order?"
    assert body["decisions"][0]["type"] == "clarification" and body["pending_approval"] is None
    assert agent.turns[0]["principal"].subject == "C-1001"
    assert agent.turns[0]["now"] == now


def test_event_stream_framing(client: TestClient, token_for) -> None:  # noqa: ANN001
    response = client.post(
        "/v1/chat", json={"message": "hola", "thread_id": "t-9"},
        headers={**token_for("customer", "C-1001"), "Accept": "text/event-stream"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    names = [name for name, _ in events]
    assert names == ["token", "tool_call", "decision", "done"]
    assert events[2][1]["type"] == "clarification"
    assert events[-1][1]["thread_id"] == "t-9"


def test_stream_failure_is_an_error_event_without_internals(client, token_for, agent) -> None:  # noqa: ANN001
    agent.fail_stream = True
    response = client.post("/v1/chat", json={"message": "hola"},
                           headers={**token_for("customer", "C-1001"), "Accept": "text/event-stream"})
    events = parse_sse(response.text)
    assert [name for name, _ in events] == ["token", "error", "done"]
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert events[-1][1] == {"ok": False}


def test_bad_input_is_json_naming_the_field(client: TestClient, token_for) -> None:  # noqa: ANN001
    auth = token_for("customer", "C-1001")
    invalid = client.post("/v1/chat", content=b'{"message": ', headers={**auth, "Content-Type": "application/json"})
    assert invalid.status_code == 422 and invalid.json()["error"]["field"] == "body"
    missing = client.post("/v1/chat", json={"thread_id": "t-1"}, headers=auth)
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "message"
    wrong_type = client.post("/v1/chat", json={"message": ["a"]}, headers=auth)
    assert wrong_type.json()["error"]["field"] == "message"
    extra = client.post("/v1/chat", json={"message": "hi", "mesage": "typo"}, headers=auth)
    assert extra.status_code == 422 and extra.json()["error"]["field"] == "mesage"
    bad_thread = client.post("/v1/chat", json={"message": "hi", "thread_id": "../x"}, headers=auth)
    assert bad_thread.json()["error"]["field"] == "thread_id"
    blank = client.post("/v1/chat", json={"message": "   "}, headers=auth)
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "message"


def test_oversized_message_is_413_before_the_agent_runs(client, token_for, agent) -> None:  # noqa: ANN001
    response = client.post("/v1/chat", json={"message": "x" * 201}, headers=token_for("ops", "o-1"))
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "message_too_large", "message": "message is longer than 200 characters",
        "field": "message",
    }
    assert agent.turns == []


def test_turns_are_limited_per_principal(client: TestClient, token_for) -> None:  # noqa: ANN001
    carlos, ana = token_for("customer", "C-1001"), token_for("customer", "C-1000")
    for _ in range(3):
        assert client.post("/v1/chat", json={"message": "hi"}, headers=carlos).status_code == 200
    limited = client.post("/v1/chat", json={"message": "hi"}, headers=carlos)
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    # the window is per principal: another customer is unaffected
    assert client.post("/v1/chat", json={"message": "hi"}, headers=ana).status_code == 200


def test_unknown_route_and_method_are_json(client: TestClient) -> None:
    assert client.get("/v1/nope").json()["error"]["code"] == "not_found"
    assert client.get("/v1/chat").status_code == 405
    assert client.get("/v1/chat").json()["error"]["code"] == "method_not_allowed"


def test_huge_bodies_are_refused_as_json_declared_or_streamed(client: TestClient, token_for) -> None:  # noqa: ANN001
    headers = {**token_for("customer", "C-1001"), "Content-Type": "application/json"}
    declared = client.post("/v1/chat", content=b'{"message":"' + b"x" * 20_000 + b'"}', headers=headers)
    assert declared.status_code == 413 and declared.json()["error"]["code"] == "body_too_large"

    def chunks():  # no Content-Length: the limit applies while reading
        yield b'{"message":"'
        for _ in range(30):
            yield b"x" * 1000
        yield b'"}'

    streamed = client.post("/v1/chat", content=chunks(), headers=headers)
    assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "body_too_large"
