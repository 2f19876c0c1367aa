"""The two contexts a tool call runs in: the turn's (who, when, the handles) and the call's own.

One object per turn, :class:`TurnContext`, is made by the agent service and passed to the graph as
LangGraph runtime context; one object per tool call, :class:`tools.registry.ToolEnv`, carries that
turn plus what only the call knows (its id, the approval it executes). Neither is checkpointed:
every turn and every resume supplies who is acting and the clock. Both live here, below the
agent, because the tools read them; the agent re-exports the turn context as ``AgentContext``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from promesa.principal import Principal
from promesa.settings import Settings


@dataclass(frozen=True)
class TurnContext:
    """Who acts in this turn, when, and the handles the tools need.

    Attributes:
        principal: The signed-in person; tools receive it from here, never from the model.
        now: The injected clock (DESIGN rule 5).
        settings: Process settings (built once by the caller; nothing below reads the environment).
        sessions: Session factory over the world database.
        thread_id: The conversation id (for handoffs and idempotency keys).
        retriever: Returns the policy retriever (built lazily: it loads an embedding model).
        approver: On a resume, the person answering the approval. ``principal`` stays the
            thread's owner, so everything the rest of the turn reads is what the owner may read.
        deadline: Event-loop time by which the turn must be done with the model (None: no limit).
    """

    principal: Principal
    now: datetime
    settings: Settings
    sessions: sessionmaker[Session]
    thread_id: str = ""
    retriever: Callable[[], Any] | None = None
    approver: Principal | None = None
    deadline: float | None = None

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("TurnContext.now must be timezone-aware")
