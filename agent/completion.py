"""One model completion of a turn: streamed, merged, and checked for well-formed tool calls.

Also :func:`text`, the plain text of any message (a model reply, a human message).
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, message_chunk_to_message
from langchain_core.messages.ai import add_ai_message_chunks


def text(message: BaseMessage) -> str:
    """The message's text (its content when the content is not plain text)."""
    return message.text if isinstance(message.text, str) else str(message.content)


async def complete(model: Any, messages: list[BaseMessage]) -> tuple[AIMessage, bool]:
    """Stream one completion (tokens reach ``stream_mode="messages"``) and merge it.

    Returns the message and whether every tool call's raw arguments were valid JSON: merging
    streamed chunks repairs truncated JSON leniently, and a call the model got wrong must not
    run with guessed arguments.
    """
    chunks = [chunk async for chunk in model.astream(messages)]
    if not chunks:
        raise ValueError("the model returned nothing")
    # one merge of every chunk: adding them one by one copies the growing message each time
    merged: BaseMessage = (
        add_ai_message_chunks(chunks[0], *chunks[1:])
        if all(isinstance(c, AIMessageChunk) for c in chunks)
        else chunks[-1]
    )
    raw_ok = True
    if isinstance(merged, AIMessageChunk):
        for piece in merged.tool_call_chunks:
            try:
                json.loads(piece.get("args") or "{}")
            except ValueError:
                raw_ok = False
        merged = message_chunk_to_message(merged)
    if not isinstance(merged, AIMessage):
        merged = AIMessage(content=text(merged))
    return merged, raw_ok
