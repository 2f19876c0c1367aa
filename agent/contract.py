"""The turn contract: what a caller sends for one turn, what it gets back, what it streams.

The API, the CLI and the evals use these types; the API's OpenAPI document describes the
server-sent events from :data:`STREAM_EVENTS` (the JSON schema of :data:`TurnEvent`), and
``api/static/js/client.js`` reads the same event names.

On the wire every :data:`TurnEvent` is one SSE frame: ``event:`` is its ``type`` and ``data:``
its ``data`` as JSON. ``done`` always comes last: the :class:`TurnResult`, or
``{"ok": false}`` after an ``error``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, NotRequired, Protocol, Required, TypedDict

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from typing_extensions import Unpack

from agent.approvals import Approval, PendingApproval
from agent.decisions import Decision
from promesa.errors import Busy, DomainError
from promesa.principal import Principal


class TurnArgs(TypedDict, total=False):
    """The keyword arguments of one turn (``run_turn(**args)`` / ``stream_turn(**args)``).

    Exactly one of ``message`` (a user message) and ``resume`` (the answer to the thread's
    pending approval) is given; ``thread_id`` None starts a new thread.
    """

    thread_id: Required[str | None]
    principal: Required[Principal]
    now: Required[datetime]
    message: NotRequired[str | None]
    resume: NotRequired[Approval | None]


@dataclass(frozen=True)
class TurnRequest:
    """One turn as the service runs it (built from :class:`TurnArgs`)."""

    thread_id: str | None
    principal: Principal
    now: datetime
    message: str | None = None
    resume: Approval | None = None

    @classmethod
    def of(cls, **args: Unpack[TurnArgs]) -> TurnRequest:
        """The request for these keyword arguments."""
        return cls(
            thread_id=args["thread_id"],
            principal=args["principal"],
            now=args["now"],
            message=args.get("message"),
            resume=args.get("resume"),
        )


class ToolCallRecord(BaseModel):
    """One executed tool call of a turn: which tool, with what, and whether it succeeded."""

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


class EventType(StrEnum):
    """The names of the streamed events (the SSE ``event:`` field)."""

    token = "token"
    tool_call = "tool_call"
    tool_result = "tool_result"
    decision = "decision"
    interrupt = "interrupt"
    error = "error"
    done = "done"


class TokenData(BaseModel):
    """A piece of the answer's text."""

    text: str


class ToolCallData(BaseModel):
    """The model asked for a tool call."""

    name: str
    args: dict[str, Any] = {}
    id: str | None = None


class ToolResultData(BaseModel):
    """A tool call finished."""

    name: str | None = None
    id: str
    ok: bool


class ErrorData(BaseModel):
    """Why the turn stopped: a ``promesa.errors`` code and a message safe to show."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str
    retry_after: int | None = Field(None, description="Seconds to wait (``busy`` only).")
    status: int | None = Field(None, description="The HTTP status the same error has as JSON.")


class StreamFailed(BaseModel):
    """The ``done`` payload after an ``error``: the turn has no result."""

    ok: Literal[False] = False


class _Event(BaseModel):
    # the documented (serialization) schema requires ``type``: every event carries it
    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    thread_id: str = Field(description="The thread (not on the wire: the TurnResult carries it).")


class TokenEvent(_Event):
    """``token``: a piece of the answer (after the text check)."""

    type: Literal[EventType.token] = EventType.token
    data: TokenData


class ToolCallEvent(_Event):
    """``tool_call``: the model asked for a tool."""

    type: Literal[EventType.tool_call] = EventType.tool_call
    data: ToolCallData


class ToolResultEvent(_Event):
    """``tool_result``: a tool call finished."""

    type: Literal[EventType.tool_result] = EventType.tool_result
    data: ToolResultData


class DecisionEvent(_Event):
    """``decision``: one typed decision of the turn."""

    type: Literal[EventType.decision] = EventType.decision
    data: Decision


class InterruptEvent(_Event):
    """``interrupt``: a write waits for approval."""

    type: Literal[EventType.interrupt] = EventType.interrupt
    data: PendingApproval


class ErrorEvent(_Event):
    """``error``: the turn failed; ``done`` follows with ``{"ok": false}``."""

    type: Literal[EventType.error] = EventType.error
    data: ErrorData


class DoneEvent(_Event):
    """``done``: always last; the turn's result, or ``{"ok": false}`` after an error."""

    type: Literal[EventType.done] = EventType.done
    data: TurnResult | StreamFailed


#: One streamed event of a turn, discriminated by ``type``.
TurnEvent = Annotated[
    TokenEvent | ToolCallEvent | ToolResultEvent | DecisionEvent | InterruptEvent | ErrorEvent | DoneEvent,
    Field(discriminator="type"),
]
STREAM_EVENTS: TypeAdapter[TurnEvent] = TypeAdapter(TurnEvent)
#: The name this union had before the contract was typed (annotations only: it is a union).
AgentEvent = TurnEvent


def error_event(exc: BaseException, thread_id: str, *, status: int | None = None) -> ErrorEvent:
    """The ``error`` event for a failed turn: a domain error says what it is (with
    ``retry_after`` when busy); anything else is an ``internal_error`` with no detail."""
    if isinstance(exc, DomainError):
        retry_after = exc.retry_after if isinstance(exc, Busy) else None
        data = ErrorData(code=exc.code, message=exc.message, retry_after=retry_after, status=status)
    else:
        data = ErrorData(code="internal_error", message="The turn failed.")
    return ErrorEvent(thread_id=thread_id, data=data)


def event_payload(event: TurnEvent) -> dict[str, Any]:
    """The ``data:`` of an event's SSE frame: its payload as JSON, without unset extras."""
    if isinstance(event, ErrorEvent):
        return event.data.model_dump(mode="json", exclude_none=True)
    return event.data.model_dump(mode="json")


class TurnRunner(Protocol):
    """What callers of the agent use for turns (``AgentService``; tests may pass a stand-in)."""

    async def run_turn(self, **turn: Unpack[TurnArgs]) -> TurnResult:
        """Run one turn to its end."""
        ...


__all__ = [
    "STREAM_EVENTS",
    "AgentEvent",
    "DecisionEvent",
    "DoneEvent",
    "ErrorData",
    "ErrorEvent",
    "EventType",
    "InterruptEvent",
    "StreamFailed",
    "TokenEvent",
    "ToolCallEvent",
    "ToolCallRecord",
    "ToolResultEvent",
    "TurnArgs",
    "TurnEvent",
    "TurnRequest",
    "TurnResult",
    "TurnRunner",
]
