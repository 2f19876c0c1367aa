"""What the orchestrator did and what waits for staff; customer notices and their offers.

Staff see recent actions and the approval queue (each with its proposal), approve, reject or
revert; a customer reads their own notices (what the widget shows in the conversation) and
accepts the pickup one offers. Decisions that draft notices, and an accepted offer, are
announced on the live feed once committed, so the customer's open widget shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from api.deps import DomainDeps, NowDep, PrincipalDep, RowId, RuntimeDep
from api.live_changes import announce, notice_change, order_change
from api.schemas import ERRORS, Body, errors
from promesa.domain.deps import Deps
from promesa.domain.notices import outbox
from promesa.domain.notices.outbox import NoticeView
from promesa.domain.orchestration import offers, run
from promesa.domain.orchestration.offers import OfferAccepted
from promesa.domain.orchestration.run import ActionView
from promesa.errors import InvalidInput
from promesa.principal import Principal, Role
from promesa.store.models import Order

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


_HANDLERS: dict[Verb, Callable[[Deps, int, str | None], ActionView]] = {
    Verb.approve: run.approve, Verb.reject: run.reject, Verb.revert: run.revert}


@router.post("/orchestration/actions/{action_id}/{verb}", response_model=ActionView,
             responses=errors(not_found="No such orchestrator action",
                              conflict="The action was already decided, or its change can no longer be undone"))
def decide(action_id: ActionId, verb: Verb, body: Decision, principal: PrincipalDep, runtime: RuntimeDep,
           now: NowDep) -> ActionView:
    """``approve`` or ``reject`` a queued proposal; ``revert`` an executed action (staff).

    Approving a pickup offers it to the customer (only they can consent to it): the action
    becomes ``awaiting_customer`` and their notice carries the offer.
    """
    assert runtime.sessions is not None
    with runtime.sessions() as session, session.begin():
        deps = Deps(session=session, principal=principal, now=now, settings=runtime.settings)
        view = _HANDLERS[verb](deps, action_id, body.note)
        order = session.get(Order, view.order_id)
        customer_id = order.customer_id if order else None
    if customer_id and verb is not Verb.revert:  # approve and reject tell the customer
        announce(runtime, [notice_change(view.order_id, customer_id)])
    return view


@router.post("/notices/{notice_id}/approve", response_model=NoticeView,
             responses=errors(not_found="No such notice", conflict="The notice does not wait for approval"))
def approve_notice(notice_id: ActionId, deps: DomainDeps) -> NoticeView:
    """Release a notice that waits for staff approval."""
    return outbox.approve(deps, notice_id)


def _customer(principal: Principal) -> str:
    if principal.subject is None or principal.role is not Role.customer:
        raise InvalidInput("notices are read by the signed-in customer", field="authorization")
    return principal.subject


class Language(StrEnum):
    """The languages notices are drafted in."""

    es = "es"
    en = "en"


@router.get("/me/notices", response_model=list[NoticeView], responses=ERRORS)
def my_notices(deps: DomainDeps, limit: Annotated[int, Query(ge=1, le=100)] = 20,
               lang: Annotated[Language | None, Query(description="Draft them in this language.")] = None,
               ) -> list[NoticeView]:
    """The signed-in customer's notices, newest first (in ``lang`` when given, else as sent)."""
    return outbox.customer_notices(deps, _customer(deps.principal), limit, lang.value if lang else None)


@router.post("/me/notices/{notice_id}/accept", response_model=OfferAccepted,
             responses=errors(not_found="No such notice of yours",
                              conflict="The notice offers nothing, or the store can no longer hold the order"))
def accept_offer(notice_id: ActionId, principal: PrincipalDep, runtime: RuntimeDep, now: NowDep) -> OfferAccepted:
    """The signed-in customer accepts the pickup their notice offers: the order becomes a pickup
    at that store (their consent; idempotent)."""
    customer_id = _customer(principal)
    assert runtime.sessions is not None
    with runtime.sessions() as session, session.begin():
        accepted = offers.accept(Deps(session=session, principal=principal, now=now, settings=runtime.settings),
                                 notice_id)
        order = session.get(Order, accepted.order_id)
        status = order.status.value if order else ""
    announce(runtime, [order_change(accepted.order_id, customer_id, status), notice_change(accepted.order_id, customer_id)])
    return accepted
