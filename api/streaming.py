"""Server-sent events for a turn: one ``event:`` line and one JSON ``data:`` line per event.

The events are :data:`agent.contract.TurnEvent` (``token``, ``tool_call``, ``tool_result``,
``decision``, ``interrupt``, ``error`` and, always last, ``done``); :data:`SSE_DOC` documents
them in OpenAPI with the JSON schema generated from that union. Wire formatting is FastAPI's
own (``fastapi.sse.format_sse_event``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.sse import EventSourceResponse, format_sse_event

from agent.contract import (
    STREAM_EVENTS,
    DoneEvent,
    EventType,
    StreamFailed,
    TurnEvent,
    error_event,
    event_payload,
)
from api.errors import status_for
from promesa.errors import DomainError

log = logging.getLogger("promesa.api")

EVENT_STREAM = "text/event-stream"


#: The component that documents one streamed event in OpenAPI.
STREAM_COMPONENT = "TurnEvent"

#: The ``200`` response of a turn route: JSON (the route's model) or server-sent events.
SSE_DOC: dict[str, Any] = {
    "description": "The turn as JSON, or with `Accept: text/event-stream` as server-sent events "
    "(`token`, `tool_call`, `tool_result`, `decision`, `interrupt`, `error`, then `done`). "
    "Each frame's `event:` is an event's `type` and its `data:` is the event's `data` as JSON.",
    "content": {EVENT_STREAM: {"schema": {"$ref": f"#/components/schemas/{STREAM_COMPONENT}"}}},
}


def stream_schemas() -> dict[str, Any]:
    """The OpenAPI components of the streamed events: :data:`STREAM_COMPONENT` (the union of
    the event types, by ``type``) and every schema it refers to."""
    # serialization mode: what the server sends (every event has its type, defaults included)
    schema = STREAM_EVENTS.json_schema(mode="serialization", ref_template="#/components/schemas/{model}")
    components: dict[str, Any] = schema.pop("$defs", {})
    components[STREAM_COMPONENT] = schema
    return components


def document_stream(app: FastAPI) -> None:
    """Add the event schemas :data:`SSE_DOC` refers to to ``app``'s OpenAPI document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = generate()
        known = document.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in stream_schemas().items():
            known.setdefault(name, schema)  # a model the routes document already is the same model
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def wants_event_stream(request: Request) -> bool:
    """True when the client's ``Accept`` header asks for server-sent events."""
    accept = request.headers.get("accept", "")
    return any(part.split(";")[0].strip() == EVENT_STREAM for part in accept.split(","))


def encode(event: TurnEvent) -> bytes:
    """One SSE frame: the event's type as ``event:``, its payload as the JSON ``data:``."""
    data = json.dumps(event_payload(event), ensure_ascii=False)
    return format_sse_event(event=str(event.type), data_str=data)


async def sse_frames(events: AsyncIterable[TurnEvent]) -> AsyncIterator[bytes]:
    """Encode ``events``; a failure becomes an ``error`` event and ``done`` always comes last."""
    finished = False
    tid = ""
    try:
        async for event in events:
            tid = event.thread_id
            if finished:
                continue  # nothing may follow done
            yield encode(event)
            finished = event.type == EventType.done
    except Exception as exc:  # the stream has started: report without a trace, log the trace
        if not isinstance(exc, DomainError):
            log.exception("turn stream failed")
        status = status_for(exc) if isinstance(exc, DomainError) else None
        yield encode(error_event(exc, tid, status=status))
    if not finished:
        yield encode(DoneEvent(thread_id=tid, data=StreamFailed()))


def event_stream(events: AsyncIterable[TurnEvent]) -> EventSourceResponse:
    """The streaming response of a turn's events."""
    return EventSourceResponse(
        sse_frames(events),
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
