"""Recorded OpenAI mode: replay chat-completion responses with respx, no network.

A recording is ``evals/recordings/<case-id>.json``::

    {"case_id": "...", "model": "gpt-4o-mini", "base_url": "https://api.openai.com/v1",
     "responses": [<chat.completion JSON>, ...]}

While a case runs in replay mode, every ``POST {base_url}/chat/completions`` gets the next
recorded response in order; a request beyond the recording, or to any other URL, fails the
run (respx refuses unmatched requests), so the OpenAI path is exercised deterministically.
``record()`` does the opposite with a real endpoint: it lets requests through and saves the
responses (only run by hand, with ``OPENAI_API_KEY`` set).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import respx
from pydantic import BaseModel, Field

RECORDINGS = Path(__file__).parent / "recordings"
DEFAULT_BASE_URL = "https://api.openai.com/v1"


class Recording(BaseModel):
    case_id: str
    model: str = Field(description="The OpenAI model name the responses came from.")
    base_url: str = DEFAULT_BASE_URL
    responses: list[dict[str, Any]] = Field(min_length=1)


class RecordingExhausted(AssertionError):
    """The agent asked the model more often than the recording answered."""


def load_recordings(directory: Path = RECORDINGS) -> dict[str, Recording]:
    """Every recording in ``directory`` by case id (a bad file raises naming the file)."""
    found: dict[str, Recording] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            recording = Recording.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
        found[recording.case_id] = recording
    return found


@contextmanager
def _openai_env(base_url: str) -> Iterator[None]:
    # The agent builds its own OpenAI client from the standard variables; point it at the
    # recording's base URL with a dummy key (the request never leaves the process).
    saved = {k: os.environ.get(k) for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    os.environ["OPENAI_API_KEY"] = saved["OPENAI_API_KEY"] or "sk-recorded-replay"
    os.environ["OPENAI_BASE_URL"] = base_url
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def as_sse(completion: dict[str, Any]) -> bytes:
    """A recorded ``chat.completion`` as the server-sent events of a streamed request.

    LangChain streams when the graph streams; the same recording then arrives as one content
    chunk (content and tool calls, each with its index) and a closing chunk with the finish reason.
    """
    head = {k: completion[k] for k in ("id", "created", "model") if k in completion}
    chunks = []
    for choice in completion.get("choices", []):
        message = choice.get("message", {})
        delta: dict[str, Any] = {"role": "assistant", "content": message.get("content") or ""}
        if message.get("tool_calls"):
            delta["tool_calls"] = [
                {"index": i, **call} for i, call in enumerate(message["tool_calls"])
            ]
        base = {**head, "object": "chat.completion.chunk"}
        chunks.append({**base, "choices": [{"index": choice.get("index", 0), "delta": delta, "finish_reason": None}]})
        chunks.append(
            {**base, "choices": [{"index": choice.get("index", 0), "delta": {}, "finish_reason": choice.get("finish_reason")}]}
        )
    if completion.get("usage"):
        chunks.append({**head, "object": "chat.completion.chunk", "choices": [], "usage": completion["usage"]})
    lines = [f"data: {json.dumps(chunk)}\n\n" for chunk in chunks] + ["data: [DONE]\n\n"]
    return "".join(lines).encode()


@contextmanager
def replay(recording: Recording) -> Iterator[respx.Route]:
    """Serve the recording's responses, in order, to the chat-completions endpoint."""
    responses = iter(recording.responses)
    url = recording.base_url.rstrip("/") + "/chat/completions"

    def answer(request: httpx.Request) -> httpx.Response:
        try:
            recorded = next(responses)
        except StopIteration:
            raise RecordingExhausted(
                f"recording of {recording.case_id} has {len(recording.responses)} response(s); "
                "the agent asked for more"
            ) from None
        if json.loads(request.content or b"{}").get("stream"):
            return httpx.Response(
                200, content=as_sse(recorded), headers={"content-type": "text/event-stream"}
            )
        return httpx.Response(200, json=recorded)

    with _openai_env(recording.base_url), respx.mock(assert_all_called=True) as router:
        route = router.post(url).mock(side_effect=answer)
        yield route


@contextmanager
def record(case_id: str, model: str, base_url: str = DEFAULT_BASE_URL) -> Iterator[Recording]:
    """Let chat-completion requests through to a real endpoint and keep the responses.

    The yielded recording is filled when the block exits; save it with :func:`save`.
    """
    url = base_url.rstrip("/") + "/chat/completions"
    holder = Recording(case_id=case_id, model=model, base_url=base_url, responses=[{}])
    with respx.mock(assert_all_called=False) as router:
        route = router.post(url).pass_through()
        yield holder
        holder.responses[:] = [json.loads(call.response.read()) for call in route.calls]


def save(recording: Recording, directory: Path = RECORDINGS) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{recording.case_id}.json"
    path.write_text(recording.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path
