"""The one entry point to the agent for the API, the CLI and the evals.

``AgentService`` owns the compiled graph, its checkpointer and the world database handles. It
enforces thread ownership, serialises turns per thread and turns graph runs into ``TurnResult``s
or a stream of ``AgentEvent``s. Errors a caller can act on are ``promesa.errors`` types:
``NotFound`` (unknown thread or not yours), ``Forbidden`` (may not approve), ``Conflict`` (an
approval is pending / nothing to approve), ``InvalidInput`` (neither message nor approval).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import datetime
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from agent.approvals import Approval, PendingApproval, may_approve
from agent.checkpoints import Checkpoints, open_checkpoints
from agent.context import AgentContext
from agent.decisions import Decision, parse_decisions
from agent.graph import build_graph
from agent.models import make_chat_model
from agent.prompts import message as fixed_message
from agent.turn_limits import turn_deadline
from agent.turn_slots import TurnSlots
from promesa.domain import outcomes
from promesa.errors import Busy, Conflict, DomainError, Forbidden, InvalidInput, NotFound
from promesa.principal import Principal
from promesa.settings import Settings
from promesa.store.db import make_engine, session_factory
from promesa.text import strip_controls

log = logging.getLogger(__name__)


class ToolCallRecord(BaseModel):
    name: str
    args: dict[str, Any] = {}
    ok: bool
    error_code: str | None = None


class TurnResult(BaseModel):
    """What one turn produced: the words, the typed decisions and any approval it waits for."""

    thread_id: str
    text: str
    decisions: list[Decision]
    pending_approval: PendingApproval | None = None
    tool_calls: list[ToolCallRecord] = []
    language: str = "en"


class AgentEvent(BaseModel):
    """One streamed event. ``data`` by type:

    * ``token``: ``{"text"}`` — a piece of the answer;
    * ``tool_call``: ``{"name", "args", "id"}``; ``tool_result``: ``{"name", "id", "ok", "error_code"}``;
    * ``decision``: a decision (JSON); ``interrupt``: a ``PendingApproval`` (JSON);
    * ``done``: a ``TurnResult`` (JSON); ``error``: ``{"code", "message"}``.
    """

    type: Literal["token", "tool_call", "tool_result", "decision", "interrupt", "done", "error"]
    thread_id: str
    data: dict[str, Any] = Field(default_factory=dict)


def _same(a: Principal, b: Principal) -> bool:
    return (a.role, a.subject, a.order_scope) == (b.role, b.subject, b.order_scope)


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
        #: bounded concurrency per worker: one lock-pool connection per slot, a 503 past it
        self.slots = TurnSlots.from_settings(settings)

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
        await self._stack.aclose()
        if self._owns_engine:
            self.engine.dispose()

    # --- turns ------------------------------------------------------------------------------

    async def run_turn(
        self,
        *,
        thread_id: str | None,
        principal: Principal,
        message: str | None = None,
        resume: Approval | None = None,
        now: datetime,
    ) -> TurnResult:
        """Run one turn (a user message, or an answer to the pending approval) to its end."""
        result: TurnResult | None = None
        # No token events: nobody reads them here, and the messages stream costs per token.
        async for event in self._events(thread_id, principal, message, resume, now, tokens=False):
            if event.type == "done":
                result = TurnResult.model_validate(event.data)
        assert result is not None
        return result

    async def stream_turn(
        self,
        *,
        thread_id: str | None,
        principal: Principal,
        message: str | None = None,
        resume: Approval | None = None,
        now: datetime,
    ) -> AsyncIterator[AgentEvent]:
        """Run one turn, yielding events as they happen; ends with ``done`` or ``error``."""
        tid = thread_id or ""
        try:
            async for event in self._events(thread_id, principal, message, resume, now):
                tid = event.thread_id
                yield event
        except DomainError as exc:
            data: dict[str, Any] = {"code": exc.code, "message": exc.message}
            if isinstance(exc, Busy):
                data["retry_after"] = exc.retry_after
            yield AgentEvent(type="error", thread_id=tid, data=data)
        except Exception:
            log.exception("turn failed on thread %s", tid)
            yield AgentEvent(
                type="error", thread_id=tid, data={"code": "internal_error", "message": "The turn failed."}
            )

    async def _events(
        self,
        thread_id: str | None,
        principal: Principal,
        message: str | None,
        resume: Approval | None,
        now: datetime,
        *,
        tokens: bool = True,
    ) -> AsyncIterator[AgentEvent]:
        if (message is None) == (resume is None):
            raise InvalidInput("send either a message or an approval", field="message")
        if message is not None:
            # NUL and other controls never reach a checkpoint or a handoff (PostgreSQL refuses NUL)
            cleaned = strip_controls(message)
            if message and not cleaned:
                raise InvalidInput("the message has nothing but control characters", field="message")
            message = cleaned
        tid = thread_id or f"t-{uuid.uuid4().hex}"
        if len(tid) > 64:
            raise InvalidInput("thread id is longer than 64 characters", field="thread_id")
        config = {"configurable": {"thread_id": tid}}
        async with self.slots.hold(), self.checkpoints.thread_lock(tid):
            snapshot = await self.graph.aget_state(config)
            values = snapshot.values or {}
            pending = values.get("pending") if snapshot.next else None
            graph_input: Any
            approver: Principal | None = None
            if message is not None:
                self._check_owner(values, principal, tid)
                if pending and await self._close_executed(pending, values, config, now):
                    snapshot = await self.graph.aget_state(config)
                    values = snapshot.values or {}
                    pending = values.get("pending") if snapshot.next else None
                if pending:
                    raise Conflict("this thread waits for an approval; approve or reject it first")
                graph_input = {"messages": [HumanMessage(content=message)]}
            else:
                assert resume is not None
                if not pending:
                    raise Conflict("there is nothing to approve on this thread")
                owner = Principal.model_validate(values["owner"])
                if not may_approve(principal, pending, owner):
                    raise Forbidden("you may not answer this approval", role=principal.role.value)
                if not resume.approve:
                    await self._refuse_rejecting_executed(pending)
                answer = resume.model_copy(update={"by": principal.label()})
                graph_input = Command(resume=answer.model_dump())
                # the approver answers; the rest of the turn reads as the owner, who reads the thread
                approver, principal = principal, owner
            before = {k: len(values.get(k, [])) for k in ("decisions", "tool_calls", "messages")}
            context = AgentContext(
                principal=principal,
                now=now,
                settings=self.settings,
                sessions=self.sessions,
                thread_id=tid,
                retriever=self._retriever,
                approver=approver,
                deadline=turn_deadline(self.settings),
            )
            async for event in self._run(graph_input, config, context, tid, tokens=tokens):
                yield event
            final = await self.graph.aget_state(config)
        result = self._result(tid, final, before)
        for decision in result.decisions:
            yield AgentEvent(type="decision", thread_id=tid, data=decision.model_dump(mode="json"))
        if result.pending_approval:
            yield AgentEvent(
                type="interrupt", thread_id=tid, data=result.pending_approval.model_dump(mode="json")
            )
        yield AgentEvent(type="done", thread_id=tid, data=result.model_dump(mode="json"))

    async def _run(
        self, graph_input: Any, config: dict[str, Any], context: AgentContext, tid: str, *, tokens: bool
    ) -> AsyncIterator[AgentEvent]:
        # durability="exit": one checkpoint per turn (at its end, its interrupt or its error), not
        # one per step. A turn is atomic for its thread; a crash mid-turn leaves the thread at
        # its last turn boundary, and a re-run write is still applied once (idempotency keys).
        stream = self.graph.astream(
            graph_input,
            config,
            context=context,
            stream_mode=["messages", "updates"] if tokens else ["updates"],
            durability="exit",
        )
        async for mode, chunk in stream:
            if mode == "messages":
                msg, meta = chunk
                # only the respond node's message: it is the reply after the text check
                if (
                    meta.get("langgraph_node") == "respond"
                    and isinstance(msg, AIMessage | AIMessageChunk)
                    and msg.text
                ):
                    yield AgentEvent(type="token", thread_id=tid, data={"text": msg.text})
                continue
            for node, update in (chunk or {}).items():
                if not isinstance(update, dict):
                    continue
                for msg in update.get("messages", []):
                    if isinstance(msg, AIMessage):
                        for call in msg.tool_calls:
                            data = {"name": call["name"], "args": call["args"], "id": call["id"]}
                            yield AgentEvent(type="tool_call", thread_id=tid, data=data)
                    elif isinstance(msg, ToolMessage):
                        data = {"name": msg.name, "id": msg.tool_call_id, "ok": msg.status == "success"}
                        yield AgentEvent(type="tool_result", thread_id=tid, data=data)

    async def _close_executed(self, pending: dict[str, Any], values: dict[str, Any],
                              config: dict[str, Any], now: datetime) -> bool:
        """A thread still waiting for an action that already ran (its turn crashed after the
        write, or another thread approved it) is closed with that outcome before a new message:
        the approval card is answered by what happened, and nothing runs again."""
        key = pending.get("action_key")
        done = await asyncio.to_thread(self._outcome, key) if key else None
        if done is None:
            return False
        owner = Principal.model_validate(values["owner"])
        answer = Approval(approve=True, by=done[1].get("approved_by") or owner.label())
        context = AgentContext(principal=owner, now=now, settings=self.settings, sessions=self.sessions,
                               thread_id=pending["thread_id"], retriever=self._retriever,
                               deadline=turn_deadline(self.settings))
        async for _ in self._run(Command(resume=answer.model_dump()), config, context, pending["thread_id"],
                                 tokens=False):
            pass
        return True

    async def _refuse_rejecting_executed(self, pending: dict[str, Any]) -> None:
        """An action that already ran (from another thread, or before a crash) can't be
        rejected: say what happened instead of recording a decision that contradicts it."""
        key = pending.get("action_key")
        if not key:
            return
        done = await asyncio.to_thread(self._outcome, key)
        if done is not None:
            raise Conflict(f"{done[0]}; it can't be rejected", action_key=key, outcome=done[1])

    def _outcome(self, key: str) -> tuple[str, dict[str, Any]] | None:
        with self.sessions() as session:
            found = outcomes.find(session, key)
            return (outcomes.describe(found), dict(found.result)) if found else None

    def _executed(self, keys: list[str]) -> set[str]:
        with self.sessions() as session:
            return outcomes.executed(session, keys)

    def _check_owner(self, values: dict[str, Any], principal: Principal, tid: str) -> None:
        owner = values.get("owner")
        if owner and not _same(Principal.model_validate(owner), principal):
            # Same answer as a thread that does not exist: ids reveal nothing.
            raise NotFound(f"thread {tid} not found", thread_id=tid)

    def _result(self, tid: str, snapshot: Any, before: dict[str, int]) -> TurnResult:
        values = snapshot.values or {}
        language = values.get("language") or "en"
        new_messages: list[BaseMessage] = values.get("messages", [])[before["messages"]:]
        pending = values.get("pending") if snapshot.next else None
        text = next(
            (m.text for m in reversed(new_messages) if isinstance(m, AIMessage) and m.text), ""
        )
        if not text and pending:
            text = fixed_message("awaiting_approval", language)
        return TurnResult(
            thread_id=tid,
            text=text,
            decisions=parse_decisions(values.get("decisions", [])[before["decisions"]:]),
            pending_approval=PendingApproval.model_validate(pending) if pending else None,
            tool_calls=[
                ToolCallRecord.model_validate(r) for r in values.get("tool_calls", [])[before["tool_calls"]:]
            ],
            language=language,
        )

    # --- reading ----------------------------------------------------------------------------

    async def pending_approvals(self, *, principal: Principal) -> list[PendingApproval]:
        """Approvals this principal may answer, oldest first.

        Scans the newest checkpoint of every thread: fine for one store's volume; a large
        deployment would index pending approvals in a table.
        """
        # Collect ids first: the saver holds its lock while listing, and aget_state needs it.
        threads: dict[str, None] = {}
        async for item in self.checkpoints.saver.alist(None):
            threads.setdefault(item.config["configurable"]["thread_id"], None)
        found: list[PendingApproval] = []
        for tid in threads:
            snapshot = await self.graph.aget_state({"configurable": {"thread_id": tid}})
            values = snapshot.values or {}
            pending = values.get("pending") if snapshot.next else None
            if pending and may_approve(principal, pending, Principal.model_validate(values["owner"])):
                found.append(PendingApproval.model_validate(pending))
        # derived from the outcomes too: an action that ran (e.g. just before a crash, or from
        # another thread) is no longer waiting for anyone
        done = await asyncio.to_thread(self._executed, [p.action_key for p in found if p.action_key])
        found = [p for p in found if p.action_key not in done]
        return sorted(found, key=lambda p: p.requested_at)

    async def history(self, *, thread_id: str, principal: Principal) -> list[dict[str, Any]]:
        """The thread's messages for its owner (or an approver of its pending approval)."""
        snapshot = await self.graph.aget_state({"configurable": {"thread_id": thread_id}})
        values = snapshot.values or {}
        if not values.get("owner"):
            raise NotFound(f"thread {thread_id} not found", thread_id=thread_id)
        owner = Principal.model_validate(values["owner"])
        pending = values.get("pending") if snapshot.next else None
        if not _same(owner, principal) and not (pending and may_approve(principal, pending, owner)):
            raise NotFound(f"thread {thread_id} not found", thread_id=thread_id)
        return [_message_dict(m) for m in values.get("messages", [])]

    async def transcript(self, *, thread_id: str) -> list[dict[str, Any]]:
        """A handed-off thread's messages for staff: the caller has had the handoff authorized
        by the domain (``promesa.domain.handoffs.get_handoff``); an unknown thread is empty."""
        snapshot = await self.graph.aget_state({"configurable": {"thread_id": thread_id}})
        return [_message_dict(m) for m in (snapshot.values or {}).get("messages", [])]


    async def add_staff_reply(self, *, thread_id: str, text: str, message_id: str) -> dict[str, Any]:
        """Append a person's reply to a handed-off conversation (issue #15).

        The caller has had the reply authorized by the domain
        (``promesa.domain.handoffs.authorize_reply``). The reply is an assistant message named
        ``STAFF_AUTHOR``: the customer's history shows it as from a person, and the model reads it
        as context on the next turn. Idempotent by ``message_id`` (a retried request replaces
        the same message, ``add_messages`` merges by id).

        Raises:
            NotFound: the conversation has no messages (nothing to reply to).
            Conflict: the conversation waits for an approval (answer that first).
        """
        config = {"configurable": {"thread_id": thread_id}}
        snapshot = await self.graph.aget_state(config)
        if not (snapshot.values or {}).get("messages"):
            raise NotFound(f"thread {thread_id} not found", thread_id=thread_id)
        if snapshot.next:
            raise Conflict("the conversation is waiting for an approval; answer it first", field="thread_id")
        message = AIMessage(content=text, name=STAFF_AUTHOR, id=message_id)
        # written as the graph's last node, so the thread stays finished and the next message
        # starts a fresh turn from the guard
        await self.graph.aupdate_state(config, {"messages": [message]}, as_node="respond")
        return _message_dict(message)


#: The name of assistant messages a person wrote (a staff reply), not the model.
STAFF_AUTHOR = "staff"


def _message_dict(message: BaseMessage) -> dict[str, Any]:
    if isinstance(message, AIMessage) and message.name == STAFF_AUTHOR:
        return {"role": "staff", "content": message.text, "id": message.id}
    if isinstance(message, HumanMessage):
        return {"role": "user", "content": message.text}
    if isinstance(message, ToolMessage):
        return {"role": "tool", "name": message.name, "tool_call_id": message.tool_call_id, "content": message.text}
    calls = [{"name": c["name"], "args": c["args"], "id": c["id"]} for c in getattr(message, "tool_calls", [])]
    return {"role": "assistant", "content": message.text, "tool_calls": calls}


def _default_retriever(settings: Settings) -> Callable[[], Any] | None:
    """A lazy accessor for the policy retriever (loading it costs an embedding model)."""
    cache: dict[str, Any] = {}

    def get() -> Any:
        if "retriever" not in cache:
            from knowledge.retriever import get_retriever

            cache["retriever"] = get_retriever(settings)
        return cache["retriever"]

    return get
