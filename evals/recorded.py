"""Recorded OpenAI mode: replay chat-completion responses with respx, no network.

A recording is ``evals/recordings/<case-id>.json``::

    {"case_id": "...", "model": "gpt-4o-mini", "base_url": "https://api.openai.com/v1",
     "responses": [<chat.completion JSON>, ...]}

A response is either a ``chat.completion`` body (hand-written or recorded unstreamed; streamed
on replay in the recording's ``stream_shape``) or ``{"wire": {"status", "content_type", "body"}}``:
exactly what a real server sent, raw SSE included, replayed byte for byte.

While a case runs in replay mode, every ``POST {base_url}/chat/completions`` gets the next
recorded response in order; a request beyond the recording, or to any other URL, fails the
run (respx refuses unmatched requests), so the OpenAI path is exercised deterministically.
``record()`` does the opposite with a real endpoint (streamed or not): the OpenAI client sends
through a transport that keeps every request and the raw response as it streams by.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import respx
from pydantic import BaseModel, Field

from agent.models import HTTP_TRANSPORT
from evals.wire_shapes import StreamShape
from evals.wire_shapes import as_sse as _shaped_sse

RECORDINGS = Path(__file__).parent / "recordings"
DEFAULT_BASE_URL = "https://api.openai.com/v1"


class Recording(BaseModel):
    case_id: str
    model: str = Field(description="The OpenAI model name the responses came from.")
    base_url: str = DEFAULT_BASE_URL
    stream_shape: StreamShape = Field(
        StreamShape.openai, description="How chat.completion bodies are streamed on replay."
    )
    responses: list[dict[str, Any]] = Field(min_length=1)
    requests: list[dict[str, Any]] = Field(
        default_factory=list, description="The requests a recording session sent (reference only)."
    )


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


def as_sse(completion: dict[str, Any], shape: StreamShape = StreamShape.openai) -> bytes:
    """A recorded ``chat.completion`` as the server-sent events of a streamed request, in the
    stream shape of a real server (evals/wire_shapes.py)."""
    return _shaped_sse(completion, shape)


class RecordingMismatch(AssertionError):
    """A raw recorded response does not fit the request (streamed vs not)."""


def _replayed(recording: Recording, recorded: dict[str, Any], streamed: bool) -> httpx.Response:
    wire = recorded.get("wire")
    if wire is not None:
        is_sse = "event-stream" in wire.get("content_type", "")
        if wire.get("status", 200) == 200 and is_sse != streamed:
            raise RecordingMismatch(
                f"{recording.case_id}: recorded {'a stream' if is_sse else 'a body'}, "
                f"the agent asked for {'a stream' if streamed else 'a body'}"
            )
        return httpx.Response(
            wire.get("status", 200), content=wire["body"].encode(),
            headers={"content-type": wire.get("content_type", "application/json")},
        )
    if streamed:
        return httpx.Response(
            200, content=as_sse(recorded, recording.stream_shape), headers={"content-type": "text/event-stream"}
        )
    return httpx.Response(200, json=recorded)


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
        return _replayed(recording, recorded, bool(json.loads(request.content or b"{}").get("stream")))

    with _openai_env(recording.base_url), respx.mock(assert_all_called=True) as router:
        route = router.post(url).mock(side_effect=answer)
        yield route


class RecordingTransport(httpx.AsyncBaseTransport):
    """Sends requests on and keeps each request and the raw response body as it streams by."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.requests: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # identity encoding: the kept bytes are the text the server wrote
        request.headers["accept-encoding"] = "identity"
        self.requests.append(json.loads(request.content or b"{}"))
        response = await self.inner.handle_async_request(request)
        entry: dict[str, Any] = {"wire": {"status": response.status_code,
                                          "content_type": response.headers.get("content-type", "")}}
        self.responses.append(entry)
        return httpx.Response(
            response.status_code, headers=response.headers,
            stream=_Tee(response.stream, entry["wire"]), extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


class _Tee(httpx.AsyncByteStream):
    def __init__(self, stream: Any, into: dict[str, Any]) -> None:
        self.stream, self.into = stream, into
        self.parts: list[bytes] = []
        into["body"] = ""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self.stream:
            self.parts.append(part)
            yield part
        self._keep()

    async def aclose(self) -> None:
        self._keep()  # a reader that stops early still leaves what it read
        await self.stream.aclose()

    def _keep(self) -> None:
        self.into["body"] = b"".join(self.parts).decode("utf-8", errors="replace")


@contextmanager
def record(case_id: str, model: str, base_url: str = DEFAULT_BASE_URL) -> Iterator[Recording]:
    """Send the agent's chat-completion requests to a real endpoint and keep what came back.

    Works streamed and unstreamed: the yielded recording is filled when the block exits, with
    each response exactly as sent (raw SSE included); save it with :func:`save`.
    """
    transport = RecordingTransport()
    holder = Recording(case_id=case_id, model=model, base_url=base_url, stream_shape=StreamShape.openai,
                       responses=[{}])
    token = HTTP_TRANSPORT.set(transport)
    try:
        with _openai_env(base_url):
            yield holder
    finally:
        HTTP_TRANSPORT.reset(token)
        holder.responses[:] = transport.responses
        holder.requests[:] = transport.requests


def save(recording: Recording, directory: Path = RECORDINGS) -> Path:
    """Write a recording as JSON under ``directory``; its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{recording.case_id}.json"
    path.write_text(recording.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path
