"""Running one turn: check the request and the thread, run the graph, read back the result.

A turn holds a worker slot (:class:`agent.turn_slots.TurnSlots`) and its thread's lock for its
whole run. Errors a caller can act on are ``promesa.errors`` types: ``NotFound`` (unknown thread
or not yours), ``Forbidden`` (may not approve), ``Conflict`` (an approval is pending / nothing
to approve), ``InvalidInput`` (neither message nor approval), ``Busy`` (no slot in time).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langgraph.types import Command
from sqlalchemy.orm import Session, sessionmaker

from agent.approvals import Approval, PendingApproval, may_approve
from agent.checkpoints import Checkpoints
from agent.context import AgentContext
from agent.contract import ToolCallRecord, TurnEvent, TurnRequest, TurnResult, error_event
from agent.decisions import parse_decisions
from agent.prompts import message as fixed_message
from agent.state import same_principal
from agent.threads import ThreadView, read_thread, thread_config
from agent.turn_events import closing_events, graph_events
from agent.turn_limits import turn_deadline
from agent.turn_slots import TurnSlots
from promesa.domain import outcomes
from promesa.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from promesa.principal import Principal
from promesa.settings import Settings
from promesa.text import strip_controls

log = logging.getLogger("agent.service")

#: How LangGraph's stream marks an interrupt (its own constant is private since LangGraph 1.0).
INTERRUPT = "__interrupt__"

#: The state lists a turn appends to; the turn's own entries are the suffix past their lengths.
_GROWING = ("decisions", "tool_calls", "messages")


class Turns:
    """Runs turns of a compiled graph over a checkpointer and the world database."""

    def __init__(
        self,
        settings: Settings,
        *,
        graph: Any,
        checkpoints: Checkpoints,
        sessions: sessionmaker[Session],
        retriever: Callable[[], Any] | None,
    ) -> None:
        self.settings = settings
        self.graph = graph
        self.checkpoints = checkpoints
        self.sessions = sessions
        self.retriever = retriever
        #: bounded concurrency per worker: one lock-pool connection per slot, a 503 past it
        self.slots = TurnSlots.from_settings(settings)

    async def run(self, request: TurnRequest) -> TurnResult:
        """Run one turn to its end; a refusal raises its ``promesa.errors`` type."""
        # No token events: nobody reads them here, and the messages stream costs per token.
        async for event in self.events(request, tokens=False):
            if event.type == "done" and isinstance(event.data, TurnResult):
                return event.data
        raise RuntimeError("the turn ended without a result")

    async def stream(self, request: TurnRequest) -> AsyncIterator[TurnEvent]:
        """Run one turn, yielding events as they happen; ends with ``done`` or ``error``."""
        tid = request.thread_id or ""
        try:
            async for event in self.events(request):
                tid = event.thread_id
                yield event
        except Exception as exc:
            if not isinstance(exc, DomainError):
                log.exception("turn failed on thread %s", tid)
            yield error_event(exc, tid)

    async def events(self, request: TurnRequest, *, tokens: bool = True) -> AsyncIterator[TurnEvent]:
        """The turn's events, raising the ``promesa.errors`` that refuse it."""
        message = _checked_message(request)
        tid = request.thread_id or f"t-{uuid.uuid4().hex}"
        if len(tid) > 64:
            raise InvalidInput("thread id is longer than 64 characters", field="thread_id")
        config = thread_config(tid)
        principal, now = request.principal, request.now
        async with self.slots.hold(), self.checkpoints.thread_lock(tid):
            view = await read_thread(self.graph, tid)
            graph_input: Any
            approver: Principal | None = None
            if message is not None:
                _check_owner(view, principal, tid)
                pending = view.pending
                if pending and await self._close_executed(pending, view, config, now):
                    view = await read_thread(self.graph, tid)
                    pending = view.pending
                if pending:
                    raise Conflict("this thread waits for an approval; approve or reject it first")
                graph_input = {"messages": [HumanMessage(content=message)]}
            else:
                assert request.resume is not None
                graph_input, owner = await self._resume_input(view, principal, request.resume)
                # the approver answers; the rest of the turn reads as the owner, who reads the thread
                approver, principal = principal, owner
            before = {k: len(view.values.get(k, [])) for k in _GROWING}
            context = self._context(principal, now, tid, approver=approver)
            outcome = RunOutcome()
            async for event in self._run(graph_input, config, context, tid, tokens=tokens, outcome=outcome):
                yield event
            # the run's own last state, not a third checkpoint load: the stream ends only once
            # the checkpoint is written (durability="exit"), so both are the same state
            final = outcome.view() or await read_thread(self.graph, tid)

        for event in closing_events(self._result(tid, final, before)):
            yield event

    def _context(self, principal: Principal, now: datetime, tid: str, *,
                 approver: Principal | None = None) -> AgentContext:
        return AgentContext(principal=principal, now=now, settings=self.settings, sessions=self.sessions,
                            thread_id=tid, retriever=self.retriever, approver=approver,
                            deadline=turn_deadline(self.settings))

    async def _resume_input(self, view: ThreadView, principal: Principal,
                            resume: Approval) -> tuple[Command[Any], Principal]:
        """The graph input answering the pending approval, and the thread's owner."""
        pending, owner = view.pending, view.owner
        if not pending or owner is None:
            raise Conflict("there is nothing to approve on this thread")
        if not may_approve(principal, pending, owner):
            raise Forbidden("you may not answer this approval", role=principal.role.value)
        if not resume.approve:
            await self._refuse_rejecting_executed(pending)
        answer = resume.model_copy(update={"by": principal.label()})
        return Command(resume=answer.model_dump()), owner

    def _run(self, graph_input: Any, config: dict[str, Any], context: AgentContext, tid: str, *,
             tokens: bool, outcome: RunOutcome | None = None) -> AsyncIterator[TurnEvent]:
        # durability="exit": one checkpoint per turn (at its end, its interrupt or its error), not
        # one per step. A turn is atomic for its thread; a crash mid-turn leaves the thread at
        # its last turn boundary, and a re-run write is still applied once (idempotency keys).
        stream = self.graph.astream(
            graph_input,
            config,
            context=context,
            stream_mode=["messages", "updates", "values"] if tokens else ["updates", "values"],
            durability="exit",
        )
        return graph_events((outcome or RunOutcome()).watch(stream), tid)

    async def _close_executed(self, pending: dict[str, Any], view: ThreadView,
                              config: dict[str, Any], now: datetime) -> bool:
        """A thread still waiting for an action that already ran (its turn crashed after the
        write, or another thread approved it) is closed with that outcome before a new message:
        the approval card is answered by what happened, and nothing runs again."""
        key = pending.get("action_key")
        done = await asyncio.to_thread(self._outcome, key) if key else None
        owner = view.owner
        if done is None or owner is None:
            return False
        answer = Approval(approve=True, by=done[1].get("approved_by") or owner.label())
        tid = pending["thread_id"]
        context = self._context(owner, now, tid)
        async for _ in self._run(Command(resume=answer.model_dump()), config, context, tid, tokens=False):
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

    def _result(self, tid: str, view: ThreadView, before: dict[str, int]) -> TurnResult:
        values = view.values
        language = values.get("language") or "en"
        new_messages: list[BaseMessage] = values.get("messages", [])[before["messages"]:]
        pending = view.pending
        text = next((m.text for m in reversed(new_messages) if isinstance(m, AIMessage) and m.text), "")
        if not text and pending:
            text = fixed_message("awaiting_approval", language)
        return TurnResult(
            thread_id=tid,
            text=text,
            decisions=parse_decisions(values.get("decisions", [])[before["decisions"]:]),
            pending_approval=PendingApproval.model_validate(pending) if pending else None,
            tool_calls=[ToolCallRecord.model_validate(r) for r in values.get("tool_calls", [])[before["tool_calls"]:]],
            language=language,
        )


class RunOutcome:
    """The state a graph run ended in, read from its own ``values`` and ``updates`` stream."""

    def __init__(self) -> None:
        self.values: dict[str, Any] | None = None
        self.interrupted = False

    async def watch(self, stream: AsyncIterator[tuple[str, Any]]) -> AsyncIterator[tuple[str, Any]]:
        """Pass ``stream`` on without its ``values`` chunks, keeping the last one."""
        async for mode, chunk in stream:
            if isinstance(chunk, dict) and INTERRUPT in chunk:
                self.interrupted = True  # an interrupt also arrives as a values chunk of its own
                if mode == "values":
                    continue
            elif mode == "values":
                self.values = chunk
                continue
            yield mode, chunk

    def view(self) -> ThreadView | None:
        """The thread as the run left it (None: the run streamed no state)."""
        if self.values is None:
            return None
        return ThreadView(values=dict(self.values), waiting=self.interrupted)


def _checked_message(request: TurnRequest) -> str | None:
    """The request's message without control characters (exactly one of message/resume)."""
    message = request.message
    if (message is None) == (request.resume is None):
        raise InvalidInput("send either a message or an approval", field="message")
    if message is None:
        return None
    # NUL and other controls never reach a checkpoint or a handoff (PostgreSQL refuses NUL)
    cleaned = strip_controls(message)
    if message and not cleaned:
        raise InvalidInput("the message has nothing but control characters", field="message")
    return cleaned


def _check_owner(view: ThreadView, principal: Principal, tid: str) -> None:
    owner = view.owner
    if owner is not None and not same_principal(owner, principal):
        # Same answer as a thread that does not exist: ids reveal nothing.
        raise NotFound(f"thread {tid} not found", thread_id=tid)
