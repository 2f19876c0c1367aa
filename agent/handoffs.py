"""Ending a turn in a handoff when the agent cannot finish it (model down, malformed tool call,
too many steps): queue the handoff for a person, tell the user, emit the handoff decision.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from langchain_core.messages import AIMessage

from agent import decisions as dec
from agent.context import AgentContext
from agent.prompts import message
from agent.state import AgentState
from promesa.domain.handoffs import queue_handoff

log = logging.getLogger(__name__)


async def hand_off(state: AgentState, ctx: AgentContext, key: str, reason: str) -> dict[str, Any]:
    """End the turn gracefully: queue a handoff for a person and say so.

    Args:
        state: The thread's state (its language and decisions so far).
        ctx: The turn's context.
        key: The user-facing message to send (see :func:`agent.prompts.message`).
        reason: Why the turn is handed off (kept on the handoff and its decision).

    Returns:
        The state update: the message, the decisions plus a handoff, and ``failed``.
    """
    language = state.get("language") or "en"
    handoff_id = None
    try:
        envelope = await asyncio.to_thread(_queue, ctx, reason, f"Automatic handoff: {reason}.")
        handoff_id = envelope.handoff_id
    except Exception:  # noqa: BLE001 - the answer must still reach the user
        log.exception("could not queue a handoff for thread %s", ctx.thread_id)
    decision = dec.dump(dec.HandoffDecision(reason=reason, handoff_id=handoff_id))
    return {
        "messages": [AIMessage(content=message(key, language))],
        "decisions": [*state.get("decisions", []), decision],
        "failed": True,
    }


def _queue(ctx: AgentContext, reason: str, summary: str) -> Any:
    from promesa.domain.deps import Deps

    with ctx.sessions() as session, session.begin():
        deps = Deps(session=session, principal=ctx.principal, now=ctx.now, settings=ctx.settings)
        return queue_handoff(deps, thread_id=ctx.thread_id, reason=reason, summary=summary)
