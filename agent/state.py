"""The checkpointed state of a conversation thread.

Everything here is JSON-like (dicts, strings) besides the messages, so checkpoints stay portable
between SQLite and PostgreSQL and between versions of the typed records.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


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
