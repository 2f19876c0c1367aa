"""``GET /v1/live``: the changes events make, pushed to open surfaces as server-sent events.

Each frame is ``event: change`` with the change as JSON (``kind``: inventory | order | node |
capacity | customer | dead_letter from ingested events, with ``event_type``; handoff | reply |
notice | order from people, see ``api.live_changes``; ``id`` and its new values). Staff see
every change (a new dead letter only ops); a customer only the changes of their own orders and
profile, the staff replies to them and their new notices; a verified visitor only their
order's. A comment line every ``HEARTBEAT``
seconds keeps proxies from closing the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.sse import EventSourceResponse, format_sse_event

from api.deps import PrincipalDep, RuntimeDep
from api.schemas import ERRORS
from promesa.principal import Principal, Role

router = APIRouter(tags=["events"])
HEARTBEAT = 15.0


def visible(principal: Principal, change: dict[str, Any]) -> bool:
    """Whether ``principal`` may see ``change`` (authorization stays with the principal)."""
    if change.get("kind") == "dead_letter":  # dead letters are ops' to see (they carry payloads)
        return principal.role in (Role.ops, Role.system)
    if principal.is_staff:
        return True
    kind = change.get("kind")
    if principal.role is Role.customer:
        return kind in ("order", "customer", "reply", "notice") and (
            change.get("customer_id") == principal.subject
            or (kind == "customer" and change.get("id") == principal.subject))
    if principal.role is Role.anonymous:
        if kind == "reply":  # a visitor's handoff belongs to the order they verified
            return (principal.order_scope is not None and change.get("customer_id") is None
                    and change.get("order_id") == principal.order_scope)
        return kind == "order" and change.get("id") == principal.order_scope
    return False


async def _frames(request: Request, principal: Principal, runtime: RuntimeDep) -> AsyncIterator[bytes]:
    feed = runtime.change_feed
    yield format_sse_event(event="ready", data_str="{}")
    if feed is None:
        return
    changes = feed.subscribe().__aiter__()
    pending: asyncio.Task[dict[str, Any]] | None = None
    try:
        while not await request.is_disconnected():
            pending = pending or asyncio.ensure_future(changes.__anext__())
            done, _ = await asyncio.wait({pending}, timeout=HEARTBEAT)
            if not done:
                yield b": keep-alive\n\n"
                continue
            change, pending = pending.result(), None
            if visible(principal, change):
                yield format_sse_event(event="change", data_str=json.dumps(change, ensure_ascii=False))
    finally:
        if pending is not None:
            # the generator is closed only once the cancelled read has left it (else aclose()
            # finds it still running)
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        await changes.aclose()


@router.get("/v1/live", responses={**ERRORS, 200: {"content": {"text/event-stream": {}}}})
async def live(request: Request, principal: PrincipalDep, runtime: RuntimeDep) -> EventSourceResponse:
    """Server-sent events: every change an ingested event makes that you may see."""
    return EventSourceResponse(_frames(request, principal, runtime),
                               headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
