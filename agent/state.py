"""The checkpointed state of a conversation thread.

Everything here is JSON-like (dicts, strings) besides the messages, so checkpoints stay portable
between SQLite and PostgreSQL and between versions of the typed records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages

from promesa.principal import Principal


class AgentState(TypedDict, total=False):
    """A thread's state.

    Attributes:
        messages: The conversation, merged by id (``add_messages``).
        owner: ``Principal.model_dump()`` of who started the thread; only they continue it.
        language: ``en`` or ``es``, detected by the guard, sticky when ambiguous.
        decisions: Typed decisions (JSON dicts) accumulated on the thread; a turn's are a suffix.
        tool_calls: Records of executed tool calls, accumulated likewise.
        guard: The guard's refusal for this turn (``{"code", "message"}``) or None.
        queued_writes: WRITE tool calls of the last model message still waiting for a decision.
        pending: The approval request being asked (the interrupt payload) or None.
        approval: The resume answer for ``pending``, consumed by the ``execute`` node.
        turn_start: How many decisions the thread had when this turn's message arrived.
        rounds: Model calls in this turn (bounded, so a confused model cannot loop forever).
        failed: True when the model failed this turn and the turn ends in a handoff.
    """

    messages: Annotated[list[AnyMessage], add_messages]
    owner: dict[str, Any]
    language: str
    decisions: list[dict[str, Any]]
    tool_calls: list[dict[str, Any]]
    guard: dict[str, Any] | None
    queued_writes: list[dict[str, Any]]
    pending: dict[str, Any] | None
    approval: dict[str, Any] | None
    turn_start: int
    rounds: int
    failed: bool


def owner_of(state: Mapping[str, Any]) -> Principal | None:
    """Who started the thread (the ``owner`` kept in its state), or None for a new thread.

    The one place the stored owner is read back: checkpoints keep it as a JSON dict (portable
    between savers and versions), callers get the typed :class:`Principal`.
    """
    raw = state.get("owner")
    return Principal.model_validate(raw) if raw else None


def same_principal(a: Principal, b: Principal) -> bool:
    """Whether ``a`` and ``b`` are the same person for a thread (role, subject, order scope)."""
    return (a.role, a.subject, a.order_scope) == (b.role, b.subject, b.order_scope)
