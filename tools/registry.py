"""Tool specs, tau2-style READ/WRITE marking, role scoping, and the one way a tool is executed.

A tool is a plain function ``fn(deps, args, env) -> record`` with a pydantic ``args`` model, a
pydantic return model (``returns``), the decisions that record supports (``decisions``) and a
docstring that is the model's instruction; ``@tool`` turns it into a :class:`ToolSpec` and
:mod:`tools.catalog` lists the specs (this module imports no tool module: no import circle). The model sees only ``args``: the Principal, the clock
and the idempotency key come from the runtime (``Deps``/``ToolEnv``), never from model arguments
(DESIGN rule 3). Authorization itself lives in the domain services, which receive the Principal.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar, get_type_hints

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from promesa.domain import outcomes
from promesa.domain.deps import Deps
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.db import begin_write
from tools import errors
from tools.context import TurnContext
from tools.decisions import BaseDecision, from_error
from tools.names import ToolName

if TYPE_CHECKING:
    from promesa.domain.fulfillment.rights import WriteRequest


class Access(StrEnum):
    """Whether a tool only reads (runs at once) or writes (waits for a human's approval)."""

    read = "read"
    write = "write"


@dataclass(frozen=True)
class ToolEnv:
    """One tool call: the turn it belongs to and what only the call knows; filled by the graph,
    never by the model.

    ``principal`` is whom the call acts for: the turn's principal, or on an approved WRITE the
    approver (with ``requester`` the thread owner who asked).
    """

    turn: TurnContext
    principal: Principal
    tool_call_id: str = ""
    idempotency_key: str | None = None
    approved_by: str | None = None
    approval_note: str | None = None
    #: Who asked for a WRITE (the thread owner) when someone else (the approver) executes it.
    requester: Principal | None = None
    #: The approved action (promesa.domain.outcomes): key and the order's state version when asked
    action_key: str | None = None
    state_version: str | None = None

    @classmethod
    def of(cls, turn: TurnContext, *, principal: Principal | None = None, **call: Any) -> ToolEnv:
        """A call on ``turn``, acting for ``principal`` (default: the turn's principal)."""
        return cls(turn=turn, principal=principal or turn.principal, **call)

    @property
    def now(self) -> datetime:
        """The turn's injected clock."""
        return self.turn.now

    @property
    def settings(self) -> Settings:
        """The process settings the turn was started with."""
        return self.turn.settings

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory over the world database."""
        return self.turn.sessions

    @property
    def thread_id(self) -> str:
        """The conversation the call belongs to."""
        return self.turn.thread_id

    @property
    def retriever(self) -> Callable[[], Any] | None:
        """The turn's policy retriever factory, if any."""
        return self.turn.retriever


ToolFn = Callable[[Deps, Any, ToolEnv], BaseModel]
AuthorizeFn = Callable[[Deps, Any, ToolEnv], "WriteRequest"]
DecideFn = Callable[[Any], Sequence[BaseDecision]]

A = TypeVar("A", bound=BaseModel)
R = TypeVar("R", bound=BaseModel)


def _no_decisions(record: BaseModel) -> Sequence[BaseDecision]:
    return ()


@dataclass(frozen=True)
class ToolResult:
    """One call's outcome: the typed record (None on an error) and the envelope the model reads."""

    envelope: dict[str, Any]
    record: BaseModel | None = None


@dataclass(frozen=True)
class ToolSpec:
    """One agent tool: name, typed arguments and result, instruction, access and the roles that get it."""

    name: ToolName
    args: type[BaseModel]
    description: str
    access: Access
    roles: frozenset[Role]
    fn: ToolFn
    #: The pydantic record ``fn`` returns (a RootModel for a list); a stored result is read back with it.
    returns: type[BaseModel]
    #: The decisions that record supports (DESIGN rule 2), declared beside the tool.
    decisions: DecideFn = _no_decisions
    approvers: frozenset[Role] = field(default_factory=frozenset)
    #: For a WRITE: authorizes the request for the asking principal and describes the change
    #: (a domain ``WriteRequest``); runs when the call is proposed, before any approval queue.
    authorize: AuthorizeFn | None = None

    def decide(self, result: ToolResult) -> list[BaseDecision]:
        """The decisions of one outcome: from the typed record, or from the error envelope."""
        if result.record is not None:
            return list(self.decisions(result.record))
        if result.envelope.get("ok"):
            return []
        return list(from_error(self.name, result.envelope.get("error") or {}))

    def decide_envelope(self, envelope: dict[str, Any]) -> list[BaseDecision]:
        """The decisions of an envelope with no record at hand (an error, or a stored result)."""
        if envelope.get("ok"):
            return list(self.decisions(self.returns.model_validate(envelope.get("result"))))
        return list(from_error(self.name, envelope.get("error") or {}))

    def request(self, raw_args: dict[str, Any], env: ToolEnv) -> dict[str, Any]:
        """The envelope of a WRITE request: the authorized description, or the refusal.

        A WRITE without an ``authorize`` function is refused: nothing is queued unchecked.
        """
        if self.authorize is None:
            return errors.error("forbidden", f"{self.name} cannot be requested here.")
        try:
            args = self.args.model_validate(raw_args or {})
        except ValidationError as exc:
            return errors.from_exception(exc)
        authorize = self.authorize
        try:
            # a request only reads: the session closes without a commit
            with env.sessions() as session:
                deps = Deps(session=session, principal=env.principal, now=env.now, settings=env.settings)
                envelope = errors.ok(authorize(deps, args, env))
                # the action this request names, the same for every thread asking it in this state
                order_id = getattr(args, "order_id", None)
                version = outcomes.state_version(session, order_id)
                key = outcomes.action_key(self.name, order_id, args.model_dump(mode="json"), version)
                envelope["action"] = {"key": key, "state_version": version}
                return envelope
        except Exception as exc:  # noqa: BLE001 - a refusal becomes the tool's error message
            return errors.from_exception(exc)

    async def arequest(self, raw_args: dict[str, Any], env: ToolEnv) -> dict[str, Any]:
        return await asyncio.to_thread(self.request, raw_args, env)

    def execute(self, raw_args: dict[str, Any], env: ToolEnv) -> dict[str, Any]:
        """Validate arguments, run the service in one transaction, return the JSON envelope."""
        return self.run(raw_args, env).envelope

    def run(self, raw_args: dict[str, Any], env: ToolEnv) -> ToolResult:
        """Validate arguments, run the service in one transaction: the typed record and its envelope.

        Any error rolls the transaction back and becomes an error envelope (tools/errors.py).
        """
        try:
            args = self.args.model_validate(raw_args or {})
        except ValidationError as exc:
            return ToolResult(errors.from_exception(exc))
        try:
            with env.sessions() as session, session.begin():
                deps = Deps(session=session, principal=env.principal, now=env.now, settings=env.settings)
                if self.access is Access.write:
                    begin_write(session)
                    if env.action_key:
                        return self._execute_once(deps, args, env)
                record = self._call(deps, args, env)
                return ToolResult(errors.ok(record), record)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a tool error, never a crash
            return ToolResult(errors.from_exception(exc))

    def _call(self, deps: Deps, args: BaseModel, env: ToolEnv) -> BaseModel:
        record = self.fn(deps, args, env)
        if not isinstance(record, self.returns):
            raise TypeError(f"{self.name} returned {type(record).__name__}, not {self.returns.__name__}")
        return record

    def _execute_once(self, deps: Deps, args: BaseModel, env: ToolEnv) -> ToolResult:
        """An approved action runs once whoever approves it, however often: an executed
        outcome is the answer; otherwise the write and its outcome commit together."""
        assert env.action_key
        done = outcomes.find(deps.session, env.action_key)
        if done is not None:
            replayed = self.returns.model_validate({**done.result, "replayed": True})
            return ToolResult(errors.ok(replayed), replayed)
        record = self._call(deps, args, env)
        envelope = errors.ok(record)
        result = envelope["result"]
        stored = {k: v for k, v in result.items() if k != "replayed"} if isinstance(result, dict) else {"result": result}
        outcomes.record(
            deps.session, key=env.action_key, action=self.name, order_id=getattr(args, "order_id", None),
            version=env.state_version or "", thread_id=env.thread_id,
            decided_by=env.approved_by or env.principal.label(), now=env.now, result=stored,
        )
        return ToolResult(envelope, record)

    async def aexecute(self, raw_args: dict[str, Any], env: ToolEnv) -> dict[str, Any]:
        """``execute`` off the event loop (the domain services are synchronous SQLAlchemy)."""
        return await asyncio.to_thread(self.execute, raw_args, env)

    async def arun(self, raw_args: dict[str, Any], env: ToolEnv) -> ToolResult:
        """``run`` off the event loop."""
        return await asyncio.to_thread(self.run, raw_args, env)

    def as_langchain_tool(self) -> BaseTool:
        """A LangChain tool whose schema is ``args`` only; it reads its ``ToolEnv`` from the config.

        The graph binds these to the model; run directly, pass
        ``config={"configurable": {"promesa_env": env}}``.
        """
        spec = self

        async def _run(config: RunnableConfig, **kwargs: Any) -> str:
            env = (config.get("configurable") or {}).get("promesa_env")
            if not isinstance(env, ToolEnv):
                return errors.encode(errors.error("unauthenticated", "No principal for this call."))
            return errors.encode(await spec.aexecute(kwargs, env))

        return StructuredTool.from_function(
            coroutine=_run, name=self.name, description=self.description, args_schema=self.args
        )


def tool(
    *,
    roles: Iterable[Role],
    returns: type[R],
    decisions: Callable[[R], Sequence[BaseDecision]] | None = None,
    access: Access = Access.read,
    approvers: Iterable[Role] = (),
    authorize: Callable[[Deps, A, ToolEnv], WriteRequest] | None = None,
) -> Callable[[Callable[[Deps, A, ToolEnv], R]], ToolSpec]:
    """Make ``fn(deps, args, env) -> returns`` a tool named after the function (a :class:`ToolName`).

    The arguments model is the annotation of ``args``; the docstring is the model's instruction;
    ``decisions`` turns the typed record into the decisions it supports. mypy checks that ``fn``
    returns ``returns`` and that ``decisions`` and ``authorize`` take what ``fn`` gives and takes.
    """

    def register(fn: Callable[[Deps, A, ToolEnv], R]) -> ToolSpec:
        hints = get_type_hints(fn)
        args_model = hints["args"]
        description = inspect.cleandoc(fn.__doc__ or "")
        if not description:
            raise ValueError(f"tool {fn.__name__} needs a docstring: it is the model's instruction")
        if fn.__name__ not in ToolName.__members__:
            raise ValueError(f"tool {fn.__name__} is not a ToolName")
        return ToolSpec(
            name=ToolName(fn.__name__),
            args=args_model,
            description=description,
            access=access,
            roles=frozenset(roles),
            fn=fn,
            returns=returns,
            decisions=decisions or _no_decisions,
            approvers=frozenset(approvers),
            authorize=authorize,
        )

    return register
