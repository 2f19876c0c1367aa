"""One model completion of a turn: streamed or not, retried only before its first token,
merged, capped, and checked for well-formed tool calls.

Also :func:`text`, the plain text of any message (a model reply, a human message).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    message_chunk_to_message,
)
from langchain_core.messages.ai import add_ai_message_chunks

from agent.model_errors import (
    EmptyCompletion,
    FirstTokenTimeout,
    backoff_seconds,
    is_retryable,
)

#: ``response_metadata`` key set when the reply was cut off (by the server or by our cap).
TRUNCATED = "promesa_truncated"


def text(message: BaseMessage) -> str:
    """The message's text (its content when the content is not plain text)."""
    return message.text if isinstance(message.text, str) else str(message.content)


@dataclass(frozen=True)
class CallPolicy:
    """How one completion is attempted.

    Attributes:
        streaming: Stream chunks (tokens) or ask for the whole reply at once.
        retries: Further attempts after a retryable failure before the first token.
        first_token_seconds: Longest wait for the first streamed chunk of an attempt.
        max_chars: Reading stops once the reply's text or tool arguments pass this size.
    """

    streaming: bool = True
    retries: int = 0
    first_token_seconds: float | None = None
    max_chars: int | None = None


async def complete(
    model: Any, messages: list[BaseMessage], policy: CallPolicy | None = None
) -> tuple[AIMessage, bool]:
    """One completion, merged into a message.

    Returns the message and whether every tool call's raw arguments were valid JSON: merging
    streamed chunks repairs truncated JSON leniently, and a call the model got wrong must not
    run with guessed arguments. A reply the server cut (``finish_reason: length``) or that
    passed ``policy.max_chars`` has ``response_metadata[TRUNCATED]`` set.

    Raises:
        The endpoint's error when it is deterministic, or when retries ran out.
    """
    policy = policy or CallPolicy()
    streaming = policy.streaming
    attempt = 0
    while True:
        try:
            if streaming:
                chunks = await _stream(model, messages, policy)
            else:
                chunks = [await model.ainvoke(messages)]
            break
        except Exception as exc:
            if attempt >= policy.retries or not is_retryable(exc):
                if isinstance(exc, EmptyCompletion):
                    raise ValueError("the model returned nothing") from exc
                raise
            if isinstance(exc, EmptyCompletion):
                # a server that answers a streamed request with nothing may answer it unstreamed
                streaming = False
            else:
                await asyncio.sleep(backoff_seconds(exc, attempt))
            attempt += 1
    return _merge(chunks, policy)


async def _stream(model: Any, messages: list[BaseMessage], policy: CallPolicy) -> list[BaseMessage]:
    """The chunks of one streamed attempt; retryable only until the first chunk arrives."""
    stream: AsyncIterator[BaseMessage] = model.astream(messages).__aiter__()
    try:
        first = await asyncio.wait_for(stream.__anext__(), timeout=policy.first_token_seconds)
    except StopAsyncIteration:
        raise EmptyCompletion("the model returned nothing") from None
    except ValueError as exc:
        # langchain-core's own words for a stream that ended before any chunk
        if "no generation chunks" in str(exc).lower():
            raise EmptyCompletion("the model returned nothing") from exc
        raise
    except TimeoutError:
        await _close(stream)
        raise FirstTokenTimeout(f"no first token within {policy.first_token_seconds}s") from None
    chunks = [first]
    size = _size(first)
    try:
        async for chunk in stream:
            chunks.append(chunk)
            size += _size(chunk)
            if policy.max_chars is not None and size > policy.max_chars:
                # stop reading a runaway reply: what is left would never be shown anyway
                chunks.append(AIMessageChunk(content="", response_metadata={TRUNCATED: "max_chars"}))
                break
    except Exception as exc:
        await _close(stream)
        raise _AfterFirstToken(exc) from exc
    await _close(stream)
    return chunks


class _AfterFirstToken(RuntimeError):
    """A failure once chunks were flowing: never retried (the user may have seen tokens)."""


async def _close(stream: AsyncIterator[BaseMessage]) -> None:
    close = getattr(stream, "aclose", None)
    if close is not None:
        try:
            await close()
        except Exception:  # noqa: BLE001, S110 - closing a broken stream may fail again
            pass


def _size(chunk: BaseMessage) -> int:
    pieces = getattr(chunk, "tool_call_chunks", None) or []
    return len(text(chunk)) + sum(len(p.get("args") or "") for p in pieces)


def _dedupe_repeats(chunks: list[BaseMessage]) -> list[BaseMessage]:
    """Drop the tool name and id a server repeats in every chunk of one call (llama-cpp-python):
    merging would otherwise concatenate them into ``get_order_statusget_order_status...``."""
    seen: dict[int, dict[str, str]] = {}
    out: list[BaseMessage] = []
    for chunk in chunks:
        if not isinstance(chunk, AIMessageChunk) or not chunk.tool_call_chunks:
            out.append(chunk)
            continue
        pieces = []
        for piece in chunk.tool_call_chunks:
            piece = dict(piece)  # type: ignore[assignment]
            first = seen.setdefault(piece.get("index") or 0, {})
            for key in ("name", "id"):
                value = piece.get(key)
                if value and first.get(key) == value:
                    piece[key] = None
                elif value:
                    first.setdefault(key, str(value))
            pieces.append(piece)
        out.append(chunk.model_copy(update={"tool_call_chunks": pieces, "tool_calls": [],
                                            "invalid_tool_calls": []}))
    return out


def _merge(chunks: list[BaseMessage], policy: CallPolicy) -> tuple[AIMessage, bool]:
    chunks = _dedupe_repeats(chunks)
    # one merge of every chunk: adding them one by one copies the growing message each time
    merged: BaseMessage = (
        add_ai_message_chunks(chunks[0], *chunks[1:])  # type: ignore[arg-type]
        if all(isinstance(c, AIMessageChunk) for c in chunks)
        else chunks[-1]
    )
    raw_ok = True
    if isinstance(merged, AIMessageChunk):
        # rebuild the parsed calls from the merged raw pieces (the per-chunk parse saw fragments)
        merged = AIMessageChunk(
            content=merged.content, id=merged.id, response_metadata=merged.response_metadata,
            additional_kwargs=merged.additional_kwargs, usage_metadata=merged.usage_metadata,
            tool_call_chunks=merged.tool_call_chunks,
        )
        for piece in merged.tool_call_chunks:
            try:
                json.loads(piece.get("args") or "{}")
            except ValueError:
                raw_ok = False
        merged = message_chunk_to_message(merged)
    if not isinstance(merged, AIMessage):
        merged = AIMessage(content=text(merged))
    meta = merged.response_metadata
    if meta.get("finish_reason") == "length":
        meta[TRUNCATED] = "length"
    elif policy.max_chars is not None and len(text(merged)) > policy.max_chars:
        meta[TRUNCATED] = "max_chars"
    return merged, raw_ok
