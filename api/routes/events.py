"""Events in (``POST /v1/events``), the dead letters (ops), and a channel's availability.

A sender authenticates as an event source: ``X-Promesa-Source`` (its name),
``X-Promesa-Source-Key`` (its credential) and ``X-Promesa-Signature: t=<unix>,v1=<hex>``
(HMAC-SHA256 of ``"<unix>." + body`` with its signing secret). The body is one CloudEvent
(structured JSON or HTTP binary mode with ``ce-*`` headers) or a JSON array of them. A batch
commits once (``event_batch_commit=per_batch``, the default) or once per event (``per_event``);
either way each event is all-or-nothing and gets its own result, and a rejected one never
undoes the others. The answer is 200 when every event was accepted or a duplicate, 207 when
some were rejected (their results say why). A committed batch's changes go to the change feed
once the answer is sent: the events are already in ATP, and a feed that fails is logged, not
answered as a 500 for events that committed (the sender would only send them again).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker
from starlette.background import BackgroundTask

from api.deps import DomainDeps, NowDep, OpsDep, RowId, RuntimeDep, StaffDep
from api.errors import ApiError, error_response
from api.schemas import ERRORS, errors
from promesa.domain.availability import Availability, sellable
from promesa.domain.events.deadletters import DeadLetterView, discard, list_dead_letters, replay
from promesa.domain.events.envelope import read_body
from promesa.domain.events.ingest import EventResult, Status, ingest_batch, ingest_each
from promesa.domain.events.sources import SignatureError, verify
from promesa.errors import InvalidInput
from promesa.events.feed import LocalFeed
from promesa.principal import Principal
from promesa.store.enums import Channel

router = APIRouter(tags=["events"])
log = logging.getLogger("promesa.events")

#: The status of a single rejected event, by its error code.
_STATUS = {"invalid_input": 422, "not_found": 404, "forbidden": 403, "conflict": 409,
           "policy_violation": 409}


class EventResults(BaseModel):
    accepted: int
    duplicates: int
    rejected: int
    results: list[EventResult]


def _source_principal(request: Request, body: bytes, runtime: RuntimeDep) -> Principal:
    settings = runtime.settings
    try:
        # the signature window is security, so it runs on the wall clock (like token expiry)
        return verify(settings.event_sources, name=request.headers.get("x-promesa-source"),
                      key=request.headers.get("x-promesa-source-key"),
                      signature=request.headers.get("x-promesa-signature"), body=body,
                      now_epoch=time.time(), tolerance_seconds=settings.event_signature_tolerance_seconds)
    except SignatureError as exc:
        raise ApiError(401, "unauthorized", str(exc)) from exc


@router.post("/v1/events", response_model=EventResults, responses={**ERRORS, 207: {"model": EventResults}})
async def post_events(request: Request, runtime: RuntimeDep, now: NowDep) -> JSONResponse:
    """Ingest one CloudEvent or a batch; a redelivered event answers its original outcome."""
    body = await request.body()
    principal = _source_principal(request, body, runtime)
    try:
        raws = read_body(dict(request.headers), body)
    except InvalidInput as exc:
        return error_response(422, exc.code, exc.message, exc.field)
    if not raws:
        return error_response(422, "invalid_input", "the batch is empty", "body")
    if len(raws) > runtime.settings.event_batch_max:
        return error_response(422, "invalid_input",
                              f"a batch carries at most {runtime.settings.event_batch_max} events", "body")
    assert runtime.sessions is not None
    feed: LocalFeed | None = getattr(runtime, "change_feed", None)
    results, published = await _run(runtime, runtime.sessions, principal, now, raws, feed)
    counts = {s: sum(1 for r in results if r.status is s) for s in Status}
    payload = EventResults(accepted=counts[Status.accepted], duplicates=counts[Status.duplicate],
                           rejected=counts[Status.rejected], results=results)
    status = 207 if counts[Status.rejected] else 200
    if len(results) == 1 and results[0].error is not None:  # one event: its own error status
        status = _STATUS.get(results[0].error.code, 409)
    after = None if published or feed is None else BackgroundTask(_publish, feed, results)
    return JSONResponse(payload.model_dump(mode="json"), status_code=status, background=after)


def _publish(feed: LocalFeed, results: list[EventResult]) -> None:
    """Push a committed batch's changes (after its answer: measured 5-15 ms for 100 changes on
    PostgreSQL, a third of the POST, and the events are visible in ATP without it)."""
    try:
        feed.publish_results(results)
    except Exception:  # the events committed: the open surfaces miss these changes until a reload
        log.exception("the change feed failed to publish %d results", len(results))


async def _run(runtime: RuntimeDep, sessions: sessionmaker[Session], principal: Principal, now: datetime,
               raws: list[Any], feed: LocalFeed | None) -> tuple[list[EventResult], bool]:
    """The results, and whether their changes were published already (one event per commit)."""
    from starlette.concurrency import run_in_threadpool

    if runtime.settings.event_batch_commit == "per_batch":  # one commit, so one publication, after the answer
        return await run_in_threadpool(ingest_batch, sessions, principal, now, runtime.settings, raws), False
    publish = feed.publish_result if feed is not None else None
    return await run_in_threadpool(ingest_each, sessions, principal, now, runtime.settings, raws, publish), True


@router.get("/v1/events/dead-letters", response_model=list[DeadLetterView], responses=ERRORS)
def dead_letters(
    _ops: OpsDep, deps: DomainDeps,
    include_resolved: Annotated[bool, Query(description="Also the ones a replay applied.")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeadLetterView]:
    """Rejected events with the field and reason, newest first (ops)."""
    return list_dead_letters(deps, include_resolved=include_resolved, limit=limit)


@router.post("/v1/events/dead-letters/{letter_id}/replay", response_model=EventResult,
             responses=errors(not_found="No such dead letter"))
def replay_dead_letter(_ops: OpsDep, deps: DomainDeps, letter_id: RowId) -> EventResult:
    """Ingest a dead letter again after a fix (as the source that sent it)."""
    return replay(deps, letter_id)


@router.post("/v1/events/dead-letters/{letter_id}/discard", response_model=DeadLetterView,
             responses=errors(not_found="No such dead letter", conflict="The dead letter is already resolved"))
def discard_dead_letter(_ops: OpsDep, deps: DomainDeps, letter_id: RowId) -> DeadLetterView:
    """Close a dead letter without applying it (ops); it leaves the open list, audited."""
    return discard(deps, letter_id)


@router.get("/v1/availability", response_model=Availability, responses=errors(not_found="No such product or node"))
def availability(
    _staff: StaffDep, deps: DomainDeps,
    sku: Annotated[str, Query(min_length=1, max_length=32)],
    channel: Channel = Channel.web,
    node_id: Annotated[str | None, Query(max_length=32, description="The store, for channel=store.")] = None,
) -> Availability:
    """What a channel may sell of a SKU now, from the live positions."""
    return sellable(deps, sku, channel, node_id)
