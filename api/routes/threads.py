"""``GET /v1/threads/{id}``: a conversation's history, for its owner or staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from api.deps import AgentDep, PrincipalDep
from api.routes.approvals import ThreadId
from api.schemas import ERRORS, ErrorResponse, ThreadHistory

router = APIRouter(prefix="/v1/threads", tags=["threads"])


@router.get("/{thread_id}", response_model=ThreadHistory, responses={**ERRORS, 404: {"model": ErrorResponse}})
async def thread_history(thread_id: Annotated[str, ThreadId], principal: PrincipalDep, agent: AgentDep) -> ThreadHistory:
    """The messages of ``thread_id``; a thread the principal may not see is reported as missing."""
    messages = await agent.history(thread_id=thread_id, principal=principal)
    return ThreadHistory(thread_id=thread_id, messages=messages)
