"""Writes waiting for a human: list them, approve or reject one (which resumes its thread)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from agent.approvals import Approval, PendingApproval
from api.deps import AgentDep, NowDep, PrincipalDep, RuntimeDep
from api.routes.chat import SSE_DOC, turn_response
from api.schemas import ERRORS, ApprovalRequest, TurnResponse
from api.streaming import event_stream, wants_event_stream

router = APIRouter(prefix="/v1/approvals", tags=["approvals"])

ThreadId = Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


@router.get("", response_model=list[PendingApproval], responses=ERRORS)
async def list_approvals(principal: PrincipalDep, agent: AgentDep) -> list[Any]:
    """Pending approvals this principal may decide (support/ops: reroutes; customers: their own)."""
    return list(await agent.pending_approvals(principal=principal))


@router.post("/{thread_id}", response_model=TurnResponse, responses={200: SSE_DOC, **ERRORS})
async def decide(
    thread_id: Annotated[str, ThreadId],
    body: ApprovalRequest,
    request: Request,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    agent: AgentDep,
    now: NowDep,
) -> TurnResponse | Response:
    """Approve or reject the write pending on ``thread_id``; the thread resumes and answers."""
    runtime.turn_limiter.hit(principal.label())
    resume = Approval(approve=body.approve, reason=body.reason or "")
    kwargs = {"thread_id": thread_id, "principal": principal, "resume": resume, "now": now}
    if wants_event_stream(request):
        return event_stream(agent.stream_turn(**kwargs))
    return turn_response(await agent.run_turn(**kwargs))
