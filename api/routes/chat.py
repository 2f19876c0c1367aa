"""``POST /v1/chat``: one turn, answered as JSON or streamed as server-sent events."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import AgentDep, NowDep, PrincipalDep, RuntimeDep
from api.errors import ApiError
from api.schemas import ERRORS, ChatRequest, ErrorResponse, TurnResponse
from api.streaming import EVENT_STREAM, event_stream, wants_event_stream

router = APIRouter(prefix="/v1", tags=["chat"])

SSE_DOC: dict[str, Any] = {
    "description": "The turn as JSON, or with `Accept: text/event-stream` as server-sent events "
    "(`token`, `tool_call`, `tool_result`, `decision`, `interrupt`, `error`, then `done`).",
    "content": {EVENT_STREAM: {"schema": {"type": "string"}}},
}


def turn_response(result: Any) -> TurnResponse:
    """The agent's TurnResult as the API's response body."""
    data = result.model_dump(mode="json") if hasattr(result, "model_dump") else dict(result)
    return TurnResponse.model_validate(
        {key: data.get(key) for key in TurnResponse.model_fields if key in data}
    )


@router.post(
    "/chat",
    response_model=TurnResponse,
    responses={
        200: SSE_DOC,
        **ERRORS,
        413: {"model": ErrorResponse, "description": "Message too long"},
        429: {"model": ErrorResponse, "description": "Too many turns; see Retry-After"},
    },
)
async def chat(
    body: ChatRequest,
    request: Request,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    agent: AgentDep,
    now: NowDep,
) -> TurnResponse | Response:
    """Send a message to the agent (a new thread when ``thread_id`` is omitted)."""
    limit = runtime.settings.max_message_chars
    if len(body.message) > limit:
        raise ApiError(
            413, "message_too_large", f"message is longer than {limit} characters", field="message"
        )
    if not body.message.strip():
        raise ApiError(422, "invalid_input", "message is empty", field="message")
    runtime.turn_limiter.hit(principal.label())
    kwargs = {"thread_id": body.thread_id, "principal": principal, "message": body.message, "now": now}
    if wants_event_stream(request):
        return event_stream(agent.stream_turn(**kwargs))
    return turn_response(await agent.run_turn(**kwargs))
