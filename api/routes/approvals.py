"""Writes waiting for a human: list them, approve or reject one (which resumes its thread)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import Response

from agent.approvals import Approval, PendingApproval
from api.deps import AgentDep, PrincipalDep
from api.schemas import ERRORS, ApprovalRequest, TurnResponse, errors
from api.turns import SSE_DOC, TurnDep

router = APIRouter(prefix="/v1/approvals", tags=["approvals"])

ThreadId = Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


@router.get("", response_model=list[PendingApproval], responses=ERRORS)
async def list_approvals(principal: PrincipalDep, agent: AgentDep) -> list[Any]:
    """Pending approvals this principal may decide (support/ops: reroutes; customers: their own)."""
    return list(await agent.pending_approvals(principal=principal))


@router.post("/{thread_id}", response_model=TurnResponse, responses={
    200: SSE_DOC, **errors(not_found="No such thread (or not yours)", conflict="Nothing waits for an approval on this thread")})
async def decide(
    thread_id: Annotated[str, ThreadId],
    body: ApprovalRequest,
    turn: TurnDep,
) -> TurnResponse | Response:
    """Approve or reject the write pending on ``thread_id``; the thread resumes and answers."""
    resume = Approval(approve=body.approve, reason=body.reason or "")
    return await turn.answer(thread_id=thread_id, resume=resume)
