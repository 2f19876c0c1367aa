"""A recorded ``chat.completion`` streamed the way real servers stream it.

The stream shapes come from the captures in tests/agent/recordings/wire/: llama-server opens
with an SSE comment line, sends arguments pretty-printed in small fragments and no usage unless
asked; llama-cpp-python repeats the tool name and id in every chunk and never sends usage;
OpenAI sends fragments and a usage chunk when ``stream_options.include_usage`` is set.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any


class StreamShape(StrEnum):
    openai = "openai"
    llama_server = "llama-server"
    llama_cpp_python = "llama-cpp-python"


_FRAGMENT = 6  # characters per streamed piece of text or arguments


def _pieces(value: str) -> list[str]:
    return [value[i:i + _FRAGMENT] for i in range(0, len(value), _FRAGMENT)] or [""]


def as_sse(completion: dict[str, Any], shape: StreamShape = StreamShape.openai, *, usage: bool = True) -> bytes:
    """The completion as server-sent events: a role chunk, text and argument fragments, the
    finish reason, then usage (``usage`` asked and the server sends it)."""
    head: dict[str, Any] = {k: completion[k] for k in ("id", "created", "model") if k in completion}
    base: dict[str, Any] = {**head, "object": "chat.completion.chunk"}
    lines: list[str] = [":\n\n"] if shape is StreamShape.llama_server else []

    def emit(index: int, delta: dict[str, Any], finish: str | None = None) -> None:
        chunk = {**base, "choices": [{"index": index, "delta": delta, "finish_reason": finish}]}
        lines.append(f"data: {json.dumps(chunk)}\n\n")

    for choice in completion.get("choices", []):
        index = choice.get("index", 0)
        message = choice.get("message", {})
        emit(index, {"role": "assistant", "content": None})
        if message.get("content"):
            for piece in _pieces(message["content"]):
                emit(index, {"content": piece})
        for n, call in enumerate(message.get("tool_calls") or []):
            name, arguments = call["function"]["name"], call["function"].get("arguments") or ""
            if shape is StreamShape.llama_server:
                try:  # llama-server pretty-prints the arguments it generates
                    arguments = json.dumps(json.loads(arguments), indent=4)
                except ValueError:
                    pass
            emit(index, {"tool_calls": [{"index": n, "id": call["id"], "type": "function",
                                         "function": {"name": name, "arguments": ""}}]})
            for piece in _pieces(arguments):
                fragment: dict[str, Any] = {"index": n, "function": {"arguments": piece}}
                if shape is StreamShape.llama_cpp_python:  # the name and id in every chunk
                    fragment = {"index": n, "id": call["id"], "type": "function",
                                "function": {"name": name, "arguments": piece}}
                emit(index, {"tool_calls": [fragment]})
        emit(index, {}, choice.get("finish_reason"))
    if usage and completion.get("usage") and shape is not StreamShape.llama_cpp_python:
        lines.append(f"data: {json.dumps({**base, 'choices': [], 'usage': completion['usage']})}\n\n")
    lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()
