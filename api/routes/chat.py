"""``POST /v1/chat``: one turn, answered as JSON or streamed as server-sent events."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.errors import ApiError
from api.schemas import ChatRequest, ErrorResponse, TurnResponse, errors
from api.turns import SSE_DOC, TurnDep

router = APIRouter(prefix="/v1", tags=["chat"])


@router.post(
    "/chat",
    response_model=TurnResponse,
    responses={
        200: SSE_DOC,
        **errors(not_found="No such thread (or not yours)",
                 conflict="The thread waits for an approval; approve or reject it first"),
        413: {"model": ErrorResponse, "description": "Message too long"},
        429: {"model": ErrorResponse, "description": "Too many turns; see Retry-After"},
    },
)
async def chat(body: ChatRequest, turn: TurnDep) -> TurnResponse | Response:
    """Send a message to the agent (a new thread when ``thread_id`` is omitted)."""
    limit = turn.runtime.settings.max_message_chars
    if len(body.message) > limit:
        raise ApiError(
            413, "message_too_large", f"message is longer than {limit} characters", field="message"
        )
    if not body.message.strip():
        raise ApiError(422, "invalid_input", "message is empty", field="message")
    return await turn.answer(thread_id=body.thread_id, message=body.message)
