"""One streamed completion: merged chunks, and malformed tool-call JSON detected."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage

from agent.completion import complete, text


class Streams:
    """A model stub that streams the given chunks."""

    def __init__(self, *chunks: BaseMessage) -> None:
        self.chunks = chunks

    async def astream(self, messages: list[BaseMessage]) -> AsyncIterator[BaseMessage]:
        for chunk in self.chunks:
            yield chunk


def call_chunk(args: str, index: int = 0, **kw: Any) -> AIMessageChunk:
    return AIMessageChunk(content="", tool_call_chunks=[{"args": args, "index": index, **kw}])


def test_chunks_merge_into_one_tool_call() -> None:
    model = Streams(call_chunk('{"order_id": ', name="get_order_status", id="c1"),
                    call_chunk('"PO-5000"}'))
    message, raw_ok = asyncio.run(complete(model, [HumanMessage("where is PO-5000?")]))
    assert raw_ok and isinstance(message, AIMessage)
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [
        ("get_order_status", {"order_id": "PO-5000"})]


def test_truncated_arguments_are_not_ok() -> None:
    model = Streams(call_chunk('{"order_id": "PO-50', name="get_order_status", id="c1"))
    _, raw_ok = asyncio.run(complete(model, []))
    assert not raw_ok


def test_plain_text_and_empty_streams() -> None:
    message, raw_ok = asyncio.run(complete(Streams(AIMessageChunk("Hola"), AIMessageChunk("!")), []))
    assert raw_ok and text(message) == "Hola!" and not message.tool_calls
    with pytest.raises(ValueError, match="nothing"):
        asyncio.run(complete(Streams(), []))
