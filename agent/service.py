"""The one entry point to the agent for the API, the CLI and the evals.

``AgentService`` owns the compiled graph, its checkpointer and the world database handles and
composes the jobs: running turns (:mod:`agent.turn_run`, events from :mod:`agent.turn_events`)
and reading threads and approvals (:mod:`agent.threads`). The turn contract (``TurnResult``,
the stream's ``TurnEvent`` union) is :mod:`agent.contract`. Errors a caller can act on are ``promesa.errors`` types:
``NotFound`` (unknown thread or not yours), ``Forbidden`` (may not approve), ``Conflict`` (an
approval is pending / nothing to approve), ``InvalidInput`` (neither message nor approval).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy import Engine
from typing_extensions import Unpack

from agent.approvals import PendingApproval
from agent.checkpoints import Checkpoints, open_checkpoints
from agent.contract import AgentEvent, ToolCallRecord, TurnArgs, TurnEvent, TurnRequest, TurnResult
from agent.graph import build_graph
from agent.models import make_chat_model
from agent.threads import STAFF_AUTHOR, Threads
from agent.threads import message_dict as _message_dict
from agent.turn_run import Turns
from promesa.principal import Principal
from promesa.settings import Settings
from promesa.store.db import make_engine, session_factory


class AgentService:
    """Runs turns of the Promesa graph. Create with ``await AgentService.create(settings)``."""

    def __init__(
        self,
        settings: Settings,
        *,
        graph: Any,
        checkpoints: Checkpoints,
        engine: Engine,
        stack: AsyncExitStack,
        owns_engine: bool,
        retriever: Callable[[], Any] | None,
    ) -> None:
        self.settings = settings
        self.graph = graph
        self.checkpoints = checkpoints
        self.engine = engine
        self.sessions = session_factory(engine)
        self._stack = stack
        self._owns_engine = owns_engine
        self._retriever = retriever
        self.turns = Turns(settings, graph=graph, checkpoints=checkpoints, sessions=self.sessions,
                           retriever=retriever)
        self.threads = Threads(graph, checkpoints, self.sessions)
        #: bounded concurrency per worker: one lock-pool connection per slot, a 503 past it
        self.slots = self.turns.slots

    @classmethod
    async def create(
        cls,
        settings: Settings,
        *,
        engine: Engine | None = None,
        checkpointer: BaseCheckpointSaver[Any] | None = None,
        model: BaseChatModel | None = None,
        retriever: Callable[[], Any] | None = None,
    ) -> AgentService:
        """Open the checkpointer (unless given), the database engine (unless given) and the model.

        Args:
            settings: Process settings (model, checkpoint and database URLs, data_dir).
            engine: The world database; default ``make_engine(settings.sqlalchemy_url)``.
            checkpointer: A LangGraph checkpointer to use instead of the configured one.
            model: A chat model to use instead of ``make_chat_model(settings)``.
            retriever: Returns the policy retriever; default built lazily from ``knowledge``.
        """
        stack = AsyncExitStack()
        if checkpointer is None:
            checkpoints = await stack.enter_async_context(open_checkpoints(settings))
        else:
            checkpoints = Checkpoints(saver=checkpointer)
        owns_engine = engine is None
        engine = engine or make_engine(settings.sqlalchemy_url)
        graph = build_graph(model or make_chat_model(settings), checkpointer=checkpoints.saver)
        return cls(
            settings,
            graph=graph,
            checkpoints=checkpoints,
            engine=engine,
            stack=stack,
            owns_engine=owns_engine,
            retriever=retriever if retriever is not None else _default_retriever(settings),
        )

    async def warm(self) -> None:
        """Load every model now, so the first question after a start does not pay for it:
        the offline NLU (trained or read from its cache) and the policy retriever's embedding
        model (one search). Runs off the event loop."""

        def load() -> None:
            if self.settings.model.strip() == "offline":
                from agent.offline.nlu_model import get_model

                get_model()
            if self._retriever is not None:
                from promesa.principal import Role

                self._retriever().search(Principal(role=Role.system, subject="warm-up"), "delivery promise")

        await asyncio.to_thread(load)

    async def aclose(self) -> None:
        """Close the checkpointer this service opened (and the engine, when it made it)."""
        await self._stack.aclose()
        if self._owns_engine:
            self.engine.dispose()

    # --- turns (agent.turn_run) ------------------------------------------------------------

    async def run_turn(self, **turn: Unpack[TurnArgs]) -> TurnResult:
        """Run one turn (a user message, or an answer to the pending approval) to its end."""
        return await self.turns.run(TurnRequest.of(**turn))

    def stream_turn(self, **turn: Unpack[TurnArgs]) -> AsyncIterator[TurnEvent]:
        """Run one turn, yielding events as they happen; ends with ``done`` or ``error``."""
        return self.turns.stream(TurnRequest.of(**turn))

    # --- threads and approvals (agent.threads) -----------------------------------------------

    async def pending_approvals(self, *, principal: Principal) -> list[PendingApproval]:
        """Approvals this principal may answer, oldest first."""
        return await self.threads.pending_approvals(principal)

    async def history(self, *, thread_id: str, principal: Principal) -> list[dict[str, Any]]:
        """The thread's messages for its owner (or an approver of its pending approval)."""
        return await self.threads.history(thread_id, principal)

    async def transcript(self, *, thread_id: str) -> list[dict[str, Any]]:
        """A handed-off thread's messages for staff (the caller has authorized the handoff)."""
        return await self.threads.transcript(thread_id)

    async def add_staff_reply(self, *, thread_id: str, text: str, message_id: str) -> dict[str, Any]:
        """Append a person's reply to a handed-off conversation (see ``Threads.add_staff_reply``)."""
        return await self.threads.add_staff_reply(thread_id, text, message_id)


def _default_retriever(settings: Settings) -> Callable[[], Any] | None:
    """A lazy accessor for the policy retriever (loading it costs an embedding model)."""
    cache: dict[str, Any] = {}

    def get() -> Any:
        if "retriever" not in cache:
            from knowledge.retriever import get_retriever

            cache["retriever"] = get_retriever(settings)
        return cache["retriever"]

    return get


__all__ = ["STAFF_AUTHOR", "AgentEvent", "AgentService", "ToolCallRecord", "TurnEvent", "TurnResult", "_message_dict"]
