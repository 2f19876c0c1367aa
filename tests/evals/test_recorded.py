import os
from pathlib import Path

import httpx
import openai
import pytest

from evals.cases import load_cases
from evals.cli import DEFAULT_CASES
from evals.recorded import RECORDINGS, Recording, RecordingExhausted, load_recordings, replay


def completion(content=None, tool_calls=None) -> dict:
    message = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1790000000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def test_replay_serves_responses_in_order_then_refuses(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    call = {"id": "call_1", "type": "function", "function": {"name": "get_order_status", "arguments": '{"order_id": "PO-5001"}'}}
    recording = Recording(
        case_id="x", model="gpt-4o-mini", responses=[completion(tool_calls=[call]), completion("done")]
    )
    with replay(recording) as route:
        client = openai.OpenAI(max_retries=0)  # reads the key and base URL replay sets
        first = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        assert first.choices[0].message.tool_calls[0].function.name == "get_order_status"
        second = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        assert second.choices[0].message.content == "done"
        with pytest.raises((RecordingExhausted, openai.APIConnectionError)):
            client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "again"}])
        with pytest.raises(Exception):  # noqa: B017 - anything else is refused: no network in replay
            httpx.get("https://example.com/")
        assert route.call_count == 3
    assert "OPENAI_BASE_URL" not in os.environ


def test_committed_recordings_are_valid_and_name_existing_cases():
    recordings = load_recordings(RECORDINGS)
    assert len(recordings) >= 3
    ids = {c.id for c in load_cases([DEFAULT_CASES])}
    assert set(recordings) <= ids


def test_bad_recording_names_the_file(tmp_path: Path):
    (tmp_path / "x.json").write_text('{"case_id": "x"}')
    with pytest.raises(ValueError, match="x.json"):
        load_recordings(tmp_path)
