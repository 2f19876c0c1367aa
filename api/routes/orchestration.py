"""What the orchestrator did and what waits for staff; customer notices.

Staff see recent actions and the approval queue (each with its proposal), approve, reject or
revert; a customer reads their own notices (what the widget shows beside the conversation).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from api.deps import DomainDeps, RowId
from api.schemas import ERRORS, Body, errors
from promesa.domain.notices import outbox
from promesa.domain.notices.outbox import NoticeView
from promesa.domain.orchestration import run
from promesa.domain.orchestration.run import ActionView
from promesa.errors import InvalidInput

router = APIRouter(prefix="/v1", tags=["orchestration"])
ActionId = RowId


class Verb(StrEnum):
    """What staff do with an orchestrator action."""

    approve = "approve"
    reject = "reject"
    revert = "revert"


class Decision(Body):
    note: str | None = Field(None, max_length=500)


@router.get("/orchestration/actions", response_model=list[ActionView], responses=ERRORS)
def actions(deps: DomainDeps, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[ActionView]:
    """The orchestrator's latest actions, newest first (staff)."""
    return run.recent(deps, limit)


@router.get("/orchestration/pending", response_model=list[ActionView], responses=ERRORS)
def pending(deps: DomainDeps, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[ActionView]:
    """Proposals waiting for a person, with the proposal attached (staff)."""
    return run.pending(deps, limit)


@router.post("/orchestration/actions/{action_id}/{verb}", response_model=ActionView,
             responses=errors(not_found="No such orchestrator action",
                              conflict="The action was already decided, or its change can no longer be undone"))
def decide(action_id: ActionId, verb: Verb, body: Decision, deps: DomainDeps) -> ActionView:
    """``approve`` or ``reject`` a queued proposal; ``revert`` an executed action (staff)."""
    handlers = {Verb.approve: run.approve, Verb.reject: run.reject, Verb.revert: run.revert}
    return handlers[verb](deps, action_id, body.note)


@router.post("/notices/{notice_id}/approve", response_model=NoticeView,
             responses=errors(not_found="No such notice", conflict="The notice does not wait for approval"))
def approve_notice(notice_id: ActionId, deps: DomainDeps) -> NoticeView:
    """Release a notice that waits for staff approval."""
    return outbox.approve(deps, notice_id)


@router.get("/me/notices", response_model=list[NoticeView], responses=ERRORS)
def my_notices(deps: DomainDeps, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[NoticeView]:
    """The signed-in customer's notices, newest first."""
    if deps.principal.subject is None or deps.principal.role.value != "customer":
        raise InvalidInput("notices are read by the signed-in customer", field="authorization")
    return outbox.customer_notices(deps, deps.principal.subject, limit)
