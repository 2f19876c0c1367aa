"""Changes the API itself makes that open surfaces follow live (issue #15).

Ingested events publish their own changes (``promesa.events.feed``); these are the ones people
make through the API: a handoff queued by a conversation, claimed or resolved by staff, a
staff reply into the customer's conversation, the notices a staff decision on an orchestrator
proposal drafts, and the order a customer's accepted offer changed. Each is published after its transaction commits,
so a surface that refreshes on it reads the committed row. Who may see which change is decided
in ``api.routes.live.visible``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from enum import StrEnum
from typing import Any

from agent.contract import DoneEvent, TurnEvent, TurnResult
from api.state import Runtime
from promesa.domain.handoffs import HandoffView, StaffReply

log = logging.getLogger("promesa.api")


class ChangeKind(StrEnum):
    """The kinds of change the API publishes (the feed's other kinds come from events)."""

    handoff = "handoff"
    reply = "reply"
    notice = "notice"
    order = "order"


def handoff_change(view: HandoffView) -> dict[str, Any]:
    """The live change announcing a handoff's new state."""
    return {"kind": ChangeKind.handoff.value, "id": view.handoff_id, "status": view.status.value,
            "customer_id": view.customer_id, "order_id": view.order_id}


def queued_change(handoff_id: int | str, thread_id: str) -> dict[str, Any]:
    """A handoff a turn queued (the turn's decision carries its id; it is open by definition)."""
    return {"kind": ChangeKind.handoff.value, "id": handoff_id, "status": "open", "thread_id": thread_id}


def reply_change(reply: StaffReply, message: dict[str, Any]) -> dict[str, Any]:
    """A staff reply for the customer's open widget: only its owner's surfaces see it."""
    return {"kind": ChangeKind.reply.value, "id": message.get("id"), "handoff_id": reply.handoff_id,
            "thread_id": reply.thread_id, "customer_id": reply.customer_id, "order_id": reply.order_id,
            "text": reply.text, "sent_at": reply.sent_at.isoformat()}


def notice_change(order_id: str, customer_id: str) -> dict[str, Any]:
    """New notices for a customer's order (their widget reads ``/v1/me/notices`` again)."""
    return {"kind": ChangeKind.notice.value, "id": order_id, "order_id": order_id, "customer_id": customer_id}


def order_change(order_id: str, customer_id: str, status: str) -> dict[str, Any]:
    """An order a person changed through the API (the shape ingested events use for orders)."""
    return {"kind": ChangeKind.order.value, "id": order_id, "customer_id": customer_id, "status": status}


def announce(runtime: Runtime, changes: list[dict[str, Any]]) -> None:
    """Publish ``changes`` (after their commit); a feed that fails never fails the request."""
    feed = runtime.change_feed
    if feed is None or not changes:
        return
    try:
        feed.publish(changes)
    except Exception:  # noqa: BLE001 - the write happened; only the live refresh is lost
        log.exception("could not publish %d change(s) to the live feed", len(changes))


def handoffs_of(decisions: list[dict[str, Any]] | None, thread_id: str) -> list[dict[str, Any]]:
    """The live changes for the handoffs among a turn's decisions (JSON dicts)."""
    return [queued_change(d["handoff_id"], thread_id) for d in decisions or []
            if d.get("type") == "handoff" and d.get("handoff_id") is not None]


async def announcing(runtime: Runtime, events: AsyncIterator[TurnEvent]) -> AsyncIterator[TurnEvent]:
    """Pass a turn's events through; once it is done (its writes committed), announce the
    handoffs it queued."""
    async for event in events:
        yield event
        if isinstance(event, DoneEvent) and isinstance(event.data, TurnResult):
            decisions = [d.model_dump(mode="json") for d in event.data.decisions]
            announce(runtime, handoffs_of(decisions, event.thread_id))
