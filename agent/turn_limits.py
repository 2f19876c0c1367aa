"""The limits of one turn's model calls: the call policy from settings, the turn's deadline,
and the shorter context tried once after a reply was cut off.

The deadline is measured on the event loop's monotonic clock: it bounds waiting for an endpoint,
it is not business time (DESIGN rule 5 is about ``now``, which stays injected).
"""

from __future__ import annotations

import asyncio

from langchain_core.messages import BaseMessage, HumanMessage

from agent.completion import CallPolicy
from promesa.settings import Settings


def call_policy(settings: Settings) -> CallPolicy:
    """How the model is called under these settings (streaming, retries, first-token wait, size cap)."""
    request = settings.model_request()
    return CallPolicy(
        streaming=request.streaming,
        retries=settings.model_max_retries,
        first_token_seconds=request.first_token_seconds,
        # a reply over the cap is never shown, so reading stops a little past it
        max_chars=settings.max_reply_chars * 2,
    )


def turn_deadline(settings: Settings) -> float:
    """The loop time by which a turn starting now must have finished with the model."""
    return asyncio.get_running_loop().time() + settings.model_request().turn_deadline_seconds


def seconds_left(deadline: float | None) -> float | None:
    """Seconds until ``deadline`` on the loop's clock (negative once past); None without a deadline."""
    if deadline is None:
        return None
    return deadline - asyncio.get_running_loop().time()


def shortened(messages: list[BaseMessage]) -> list[BaseMessage] | None:
    """The conversation from the last user message on; None when that is not shorter."""
    for start in range(len(messages) - 1, -1, -1):
        if isinstance(messages[start], HumanMessage):
            return messages[start:] if start > 0 else None
    return None
