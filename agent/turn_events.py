"""A graph run as turn events: LangGraph stream chunks in, :data:`agent.contract.TurnEvent` out.

Only the ``respond`` node's text is streamed as tokens (it is the reply after the text check);
tool calls and results come from the ``updates`` stream; the decisions, the interrupt and
``done`` are read from the turn's :class:`agent.contract.TurnResult` at its end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage

from agent.contract import (
    DecisionEvent,
    DoneEvent,
    InterruptEvent,
    TokenData,
    TokenEvent,
    ToolCallData,
    ToolCallEvent,
    ToolResultData,
    ToolResultEvent,
    TurnEvent,
    TurnResult,
)


async def graph_events(stream: AsyncIterator[tuple[str, Any]], thread_id: str) -> AsyncIterator[TurnEvent]:
    """The token, tool-call and tool-result events of a ``(mode, chunk)`` graph stream."""
    async for mode, chunk in stream:
        if mode == "messages":
            token = _token(chunk, thread_id)
            if token is not None:
                yield token
            continue
        for event in _update_events(chunk, thread_id):
            yield event


def _token(chunk: Any, thread_id: str) -> TokenEvent | None:
    msg, meta = chunk
    if meta.get("langgraph_node") == "respond" and isinstance(msg, AIMessage | AIMessageChunk) and msg.text:
        return TokenEvent(thread_id=thread_id, data=TokenData(text=msg.text))
    return None


def _update_events(chunk: Any, thread_id: str) -> Iterator[TurnEvent]:
    for update in (chunk or {}).values():
        if not isinstance(update, dict):
            continue
        for msg in update.get("messages", []):
            if isinstance(msg, AIMessage):
                for call in msg.tool_calls:
                    data = ToolCallData(name=call["name"], args=call["args"], id=call["id"])
                    yield ToolCallEvent(thread_id=thread_id, data=data)
            elif isinstance(msg, ToolMessage):
                result = ToolResultData(name=msg.name, id=msg.tool_call_id, ok=msg.status == "success")
                yield ToolResultEvent(thread_id=thread_id, data=result)


def closing_events(result: TurnResult) -> Iterator[TurnEvent]:
    """The turn's decisions, its interrupt (if a write waits) and ``done`` with the result."""
    for decision in result.decisions:
        yield DecisionEvent(thread_id=result.thread_id, data=decision)
    if result.pending_approval is not None:
        yield InterruptEvent(thread_id=result.thread_id, data=result.pending_approval)
    yield DoneEvent(thread_id=result.thread_id, data=result)
