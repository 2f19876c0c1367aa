"""Data rights (LFPDPPP ARCO / GDPR): exports and four-eyes erasure for staff, and the
customer's own request from the widget (queued for staff as a handoff with a reason)."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import Field

from agent import privacy as agent_privacy
from api.deps import AgentDep, CustomerDep, DomainDeps, NowDep, StaffDep, SupportDep
from api.schemas import ERRORS, Body, errors
from promesa.domain import privacy
from promesa.domain.handoffs import HandoffQueued, queue_handoff

router = APIRouter(prefix="/v1/privacy", tags=["privacy"])

CustomerId = Path(min_length=1, max_length=32)
RequestId = Path(min_length=1, max_length=32)


class ErasureRequestBody(Body):
    customer_id: str = Field(min_length=1, max_length=32)
    reason: str = Field(min_length=1, max_length=500,
                        description="Why: the customer's request, and how their identity was verified.")


class RightKind(StrEnum):
    access = "access"
    rectification = "rectification"
    erasure = "erasure"
    opposition = "opposition"


class MyRequestBody(Body):
    kind: RightKind
    note: str = Field("", max_length=500)


@router.get("/customers/{customer_id}/export", responses=errors(not_found="No such customer"))
async def export_customer(customer_id: Annotated[str, CustomerId], staff: StaffDep, agent: AgentDep,
                          now: NowDep) -> dict[str, Any]:
    """Everything held about a customer as JSON: profile, identities, addresses, orders,
    interactions, handoffs, audit entries and conversation threads."""
    return await agent_privacy.export_everything(agent, customer_id, principal=staff, now=now)


@router.post("/erasure-requests", response_model=privacy.ErasureRequest, responses=errors(not_found="No such customer"))
def request_erasure(body: ErasureRequestBody, _support: SupportDep, deps: DomainDeps) -> privacy.ErasureRequest:
    """Support asks for a customer's erasure; another staff member approves it."""
    return privacy.request_erasure(deps, body.customer_id, reason=body.reason)


@router.get("/erasure-requests", response_model=list[privacy.ErasureRequest], responses=ERRORS)
def pending_erasures(_staff: StaffDep, deps: DomainDeps) -> list[privacy.ErasureRequest]:
    """Erasure requests waiting for a second person's approval, oldest first."""
    return privacy.pending_erasures(deps)


@router.post("/erasure-requests/{request_id}/approve", response_model=privacy.ErasureResult,
             responses=errors(not_found="No such erasure request"))
async def approve_erasure(request_id: Annotated[str, RequestId], staff: StaffDep, agent: AgentDep,
                          now: NowDep) -> privacy.ErasureResult:
    """Approve and execute (once): threads deleted, rows removed or pseudonymised, orders kept
    anonymised. The requester may not approve their own request (403)."""
    return await agent_privacy.approve_erasure(agent, request_id, principal=staff, now=now)


@router.post("/my-requests", response_model=HandoffQueued,
             responses=errors(not_found="The signed-in customer no longer exists (erased)"))
def my_request(body: MyRequestBody, customer: CustomerDep, deps: DomainDeps) -> HandoffQueued:
    """A signed-in customer exercises a data right; it reaches staff as a handoff with a reason."""
    # the queue's thread id names no one: a digest of the customer id, not the id itself
    digest = hashlib.sha256(f"{customer.subject}".encode()).hexdigest()[:16]
    return queue_handoff(deps, thread_id=f"privacy-{body.kind.value}-{digest}",
                         reason=f"privacy_{body.kind.value}_request",
                         summary=f"The customer asks to exercise their {body.kind.value} right. {body.note}".strip())
