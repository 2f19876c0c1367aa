"""Server-sent events for a turn: one ``event:`` line and one JSON ``data:`` line per event.

Event names and ``data`` (see ``agent.service.AgentEvent``): ``token`` ``{"text"}``,
``tool_call`` ``{"name", "args", "id"}``, ``tool_result`` ``{"name", "id", "ok"}``, ``decision``
(a decision, with its ``type``), ``interrupt`` (a PendingApproval), ``error``
``{"code", "message"}`` and, always last, ``done`` (the TurnResult; ``{"ok": false}`` after
an error).
Wire formatting is FastAPI's own (``fastapi.sse.format_sse_event``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.sse import EventSourceResponse, format_sse_event

from agent.service import AgentEvent
from api.errors import status_for
from promesa.errors import DomainError

log = logging.getLogger("promesa.api")

EVENT_STREAM = "text/event-stream"


def wants_event_stream(request: Request) -> bool:
    """True when the client's ``Accept`` header asks for server-sent events."""
    accept = request.headers.get("accept", "")
    return any(part.split(";")[0].strip() == EVENT_STREAM for part in accept.split(","))


def event_name_and_data(event: AgentEvent) -> tuple[str, dict[str, Any]]:
    """An agent event's SSE name (its type) and payload (its ``data``, verbatim)."""
    return event.type, jsonable_encoder(event.data)


def encode(name: str, data: dict[str, Any]) -> bytes:
    return format_sse_event(event=name, data_str=json.dumps(data, ensure_ascii=False))


async def sse_frames(events: AsyncIterable[AgentEvent]) -> AsyncIterator[bytes]:
    """Encode ``events``; a failure becomes an ``error`` event and ``done`` always comes last."""
    finished = False
    try:
        async for event in events:
            name, data = event_name_and_data(event)
            if finished:
                continue  # nothing may follow done
            yield encode(name, data)
            finished = name == "done"
    except DomainError as exc:
        yield encode("error", {"code": exc.code, "message": exc.message, "status": status_for(exc)})
    except Exception:  # the stream has started: report without a trace, log the trace
        log.exception("turn stream failed")
        yield encode("error", {"code": "internal_error", "message": "something went wrong"})
    if not finished:
        yield encode("done", {"ok": False})


def event_stream(events: AsyncIterable[AgentEvent]) -> EventSourceResponse:
    return EventSourceResponse(
        sse_frames(events),
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
