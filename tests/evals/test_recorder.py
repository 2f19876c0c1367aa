"""evals.recorded.record() against a real HTTP endpoint on loopback, streamed and not, and the
recording it makes replayed byte for byte."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from agent.service import AgentService
from evals.recorded import (
    Recording,
    RecordingMismatch,
    load_recordings,
    record,
    replay,
    save,
)
from evals.wire_shapes import StreamShape, as_sse
from tests.agent.conftest import customer, world  # noqa: F401 - the agent tests' fixtures
from tests.agent.fakes import FakeRetriever

WIRE = Path(__file__).parents[1] / "agent" / "recordings" / "wire"


class _Script:
    def __init__(self, *files: str) -> None:
        self.files = list(files)
        self.bodies: list[dict] = []


@pytest.fixture
def endpoint() -> Iterator[tuple[str, _Script]]:
    script = _Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            script.bodies.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
            name = script.files.pop(0)
            data = (WIRE / name).read_bytes()
            streamed = name.endswith(".sse")
            self.send_response(200)
            self.send_header("content-type", "text/event-stream" if streamed else "application/json")
            self.end_headers()
            for event in re.split(b"(?<=\n\n)", data) if streamed else [data]:  # event by event
                self.wfile.write(event)
                self.wfile.flush()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", script
    finally:
        server.shutdown()
        server.server_close()


def turn(db, settings, principal, now):  # type: ignore[no-untyped-def]
    async def body():  # type: ignore[no-untyped-def]
        service = await AgentService.create(settings, engine=db, retriever=FakeRetriever)
        try:
            return await service.run_turn(thread_id=None, principal=principal, message="Where is PO-5001?", now=now)
        finally:
            await service.aclose()

    return asyncio.run(body())


@pytest.mark.parametrize(("profile", "files"), [
    ("llamacpp", ["06-llama-cpp-python-named-tool-stream-repeats-name.sse", "09-llama-cpp-python-stream-no-usage.sse"]),
    ("llama-cpp-python", ["05-llama-cpp-python-tool-call-auto-nonstream.json", "08-llama-cpp-python-plain.json"]),
])
def test_record_a_real_endpoint_then_replay_it(world, settings, customer, now, endpoint, tmp_path, profile, files) -> None:  # noqa: F811
    base_url, script = endpoint
    script.files = list(files)
    settings = settings.model_copy(update={"model": "openai:smollm2-135m", "model_profile": profile})
    with record("wire-case", "smollm2-135m", base_url) as recording:
        live = turn(world, settings, customer, now)
    assert [c.name for c in live.tool_calls] == ["get_order_status"]
    assert [r["wire"]["body"] for r in recording.responses] == [(WIRE / f).read_text() for f in files]
    assert recording.requests == script.bodies and recording.requests[0]["model"] == "smollm2-135m"

    saved = load_recordings(save(recording, tmp_path).parent)["wire-case"]
    with replay(saved):
        replayed = turn(world, settings, customer, now)
    assert replayed.text == live.text and replayed.tool_calls == live.tool_calls


@pytest.mark.parametrize("shape", list(StreamShape))
def test_replayed_stream_shapes_are_those_of_real_servers(shape: StreamShape) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "get_order_status", "arguments": '{"order_id": "PO-5001"}'}}
    completion = {"id": "c", "created": 1, "model": "m", "usage": {"prompt_tokens": 1},
                  "choices": [{"index": 0, "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                               "finish_reason": "tool_calls"}]}
    raw = as_sse(completion, shape).decode()
    events = [json.loads(line[6:]) for line in raw.splitlines() if line.startswith("data: {")]
    pieces = [tc for e in events for ch in e["choices"] for tc in ch["delta"].get("tool_calls", [])]
    arguments = "".join(p["function"].get("arguments", "") for p in pieces)
    assert json.loads(arguments) == {"order_id": "PO-5001"} and len(pieces) > 3  # fragments
    names = [p["function"]["name"] for p in pieces if p["function"].get("name")]
    assert len(names) == (len(pieces) if shape is StreamShape.llama_cpp_python else 1)
    assert raw.startswith(":") == (shape is StreamShape.llama_server)
    assert any("usage" in e for e in events) == (shape is not StreamShape.llama_cpp_python)


def test_a_raw_stream_is_not_served_to_an_unstreamed_request() -> None:
    recording = Recording(case_id="x", model="m", responses=[
        {"wire": {"status": 200, "content_type": "text/event-stream", "body": "data: [DONE]\n\n"}}])
    import openai

    with replay(recording):
        client = openai.OpenAI(max_retries=0)
        with pytest.raises((RecordingMismatch, openai.APIConnectionError)) as raised:
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    cause = raised.value if isinstance(raised.value, RecordingMismatch) else raised.value.__cause__
    assert isinstance(cause, RecordingMismatch) and "a stream" in str(cause)
