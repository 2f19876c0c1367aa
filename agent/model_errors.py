"""Which model-endpoint failures are worth another try, and how long to wait before it.

Retrying only helps when the failure can change: a rate limit, an overloaded or restarting
server, a timeout or a dropped connection. A 4xx (bad request, bad key, unknown model) or a 5xx
that reports a validation error (llama-cpp-python answers a request it cannot parse with a 500
listing validation errors) fails the same way every time, so it is not retried.
"""

from __future__ import annotations

import asyncio
import sys

#: 4xx statuses that are about the moment, not the request.
_TRANSIENT_4XX = frozenset({408, 409, 429})
#: Words of a 5xx body that mean the request itself was refused.
_VALIDATION_WORDS = ("validation error", "validation_error", "literal_error", "field required")
_MAX_BACKOFF_SECONDS = 8.0


class EmptyCompletion(ValueError):
    """The endpoint answered 200 with no chunk at all (llama-cpp-python, streamed tool_choice auto)."""


class FirstTokenTimeout(TimeoutError):
    """No streamed chunk arrived within the first-token timeout."""


def is_retryable(exc: BaseException) -> bool:
    """True when the same request may succeed if sent again."""
    # openai is looked up, not imported: it costs about a second at start, and when no code has
    # imported it (the offline model) no exception can be one of its classes
    openai = sys.modules.get("openai")
    if openai is None:
        return isinstance(exc, asyncio.TimeoutError | EmptyCompletion)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status in _TRANSIENT_4XX:
            return True
        if status >= 500:
            body = str(exc.body or exc.message).lower()
            return status != 501 and not any(word in body for word in _VALIDATION_WORDS)
        return False
    return isinstance(
        exc,
        openai.APITimeoutError | openai.APIConnectionError | asyncio.TimeoutError | EmptyCompletion,
    )


def backoff_seconds(exc: BaseException, attempt: int) -> float:
    """The server's ``retry-after-ms``/``retry-after`` when given, else exponential from 0.5 s."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    for header, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(header)
        if value is not None:
            try:
                return min(float(value) * scale, _MAX_BACKOFF_SECONDS)
            except ValueError:
                pass
    return min(0.5 * 2.0**attempt, _MAX_BACKOFF_SECONDS)
