"""Tool specs, tau2-style READ/WRITE marking, role scoping, and the one way a tool is executed.

A tool is a plain function ``fn(deps, args, env) -> record`` with a pydantic ``args`` model and a
docstring that is the model's instruction. The model sees only ``args``: the Principal, the clock
and the idempotency key come from the runtime (``Deps``/``ToolEnv``), never from model arguments
(DESIGN rule 3). Authorization itself lives in the domain services, which receive the Principal.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, get_type_hints

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


class Access(StrEnum):
    """Whether a tool only reads (runs at once) or writes (waits for a human's approval)."""

    read = "read"
    write = "write"


@dataclass(frozen=True)
class ToolEnv:
    """What a tool call knows besides its arguments; filled by the graph, never by the model."""

    principal: Principal
    now: datetime
    settings: Settings
    sessions: sessionmaker[Session]
    thread_id: str = ""
    tool_call_id: str = ""
    idempotency_key: str | None = None
    approved_by: str | None = None
    approval_note: str | None = None
    retriever: Callable[[], Any] | None = None
    #: Who asked for a WRITE (the thread owner) when someone else (the approver) executes it.
    requester: Principal | None = None
    #: The approved action (promesa.domain.outcomes): key and the order's state version when asked
    action_key: str | None = None
    state_version: str | None = None


ToolFn = Callable[[Deps, Any, ToolEnv], Any]


@dataclass(frozen=True)
class ToolSpec:
    """One agent tool: name, typed arguments, instruction, access and the roles that get it."""

    name: str
    args: type[BaseModel]
    description: str
    access: Access
    roles: frozenset[Role]
    fn: ToolFn
    approvers: frozenset[Role] = field(default_factory=frozenset)
    #: For a WRITE: authorizes the request for the asking principal and describes the change
    #: (a domain ``WriteRequest``); runs when the call is proposed, before any approval queue.
    authorize: ToolFn | None = None

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
        """Validate arguments, run the service in one transaction, return the JSON envelope.

        Any error rolls the transaction back and becomes an error envelope (tools/errors.py).
        """
        try:
            args = self.args.model_validate(raw_args or {})
        except ValidationError as exc:
            return errors.from_exception(exc)
        try:
            with env.sessions() as session, session.begin():
                deps = Deps(session=session, principal=env.principal, now=env.now, settings=env.settings)
                if self.access is Access.write:
                    begin_write(session)
                    if env.action_key:
                        return self._execute_once(deps, args, env)
                return errors.ok(self.fn(deps, args, env))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a tool error, never a crash
            return errors.from_exception(exc)

    def _execute_once(self, deps: Deps, args: BaseModel, env: ToolEnv) -> dict[str, Any]:
        """An approved action runs once whoever approves it, however often: an executed
        outcome is the answer; otherwise the write and its outcome commit together."""
        assert env.action_key
        done = outcomes.find(deps.session, env.action_key)
        if done is not None:
            return errors.ok({**done.result, "replayed": True})
        envelope = errors.ok(self.fn(deps, args, env))
        result = envelope["result"]
        stored = {k: v for k, v in result.items() if k != "replayed"} if isinstance(result, dict) else {"result": result}
        outcomes.record(
            deps.session, key=env.action_key, action=self.name, order_id=getattr(args, "order_id", None),
            version=env.state_version or "", thread_id=env.thread_id,
            decided_by=env.approved_by or env.principal.label(), now=env.now, result=stored,
        )
        return envelope

    async def aexecute(self, raw_args: dict[str, Any], env: ToolEnv) -> dict[str, Any]:
        """``execute`` off the event loop (the domain services are synchronous SQLAlchemy)."""
        return await asyncio.to_thread(self.execute, raw_args, env)

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


_REGISTRY: dict[str, ToolSpec] = {}


def tool(
    *,
    roles: Iterable[Role],
    access: Access = Access.read,
    approvers: Iterable[Role] = (),
    authorize: ToolFn | None = None,
) -> Callable[[ToolFn], ToolFn]:
    """Register ``fn(deps, args, env)`` as a tool named after the function.

    The arguments model is the annotation of ``args``; the docstring is the model's instruction.
    """

    def register(fn: ToolFn) -> ToolFn:
        hints = get_type_hints(fn)
        args_model = hints["args"]
        description = inspect.cleandoc(fn.__doc__ or "")
        if not description:
            raise ValueError(f"tool {fn.__name__} needs a docstring: it is the model's instruction")
        _REGISTRY[fn.__name__] = ToolSpec(
            name=fn.__name__,
            args=args_model,
            description=description,
            access=access,
            roles=frozenset(roles),
            fn=fn,
            approvers=frozenset(approvers),
            authorize=authorize,
        )
        return fn

    return register


def _load() -> None:
    # Importing the modules registers their tools.
    from tools import actions, customers, fulfillment, handoff, knowledge, ops, orders  # noqa: F401


def all_tools() -> dict[str, ToolSpec]:
    """Every registered tool by name."""
    _load()
    return dict(_REGISTRY)


def tools_for(principal: Principal) -> list[ToolSpec]:
    """The tools a principal's role may use, in a stable order."""
    role = principal.role
    if role is Role.anonymous and not principal.order_scope:
        # An unverified visitor gets policies and a human, nothing about orders.
        return [t for t in all_tools().values() if t.name in ("search_policies", "request_handoff")]
    return [t for t in all_tools().values() if role in t.roles]
