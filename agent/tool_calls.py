"""Plumbing of a tool call in the graph: the LangChain tool, the environment it runs in, the
argument check for WRITE calls, and the ToolMessage and record its result becomes.

A tool's result is an envelope (``{"ok": ..., "result": ...}`` or ``{"ok": False, "error":
...}``, see :mod:`tools.errors`); these helpers never interpret it beyond ``ok`` and the error
code.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool

from agent.context import AgentContext
from promesa.principal import Principal
from tools import errors
from tools.registry import ToolEnv, ToolSpec


@lru_cache(maxsize=64)
def lc_tool(spec: ToolSpec) -> BaseTool:
    """The spec as a LangChain tool (for ``bind_tools``), built once per spec."""
    return spec.as_langchain_tool()


def tool_env(ctx: AgentContext, *, principal: Principal | None = None, **extra: Any) -> ToolEnv:
    """One call on this turn, acting for the turn's principal (or ``principal``)."""
    return ToolEnv.of(ctx, principal=principal, **extra)


def validate_args(spec: ToolSpec, args: dict[str, Any]) -> dict[str, Any] | None:
    """None when ``args`` fit the tool's schema, else the error envelope naming the problem."""
    try:
        spec.args.model_validate(args or {})
    except Exception as exc:  # noqa: BLE001 - becomes the tool's error message
        return errors.from_exception(exc)
    return None


def tool_message(name: str, call_id: str, envelope: dict[str, Any]) -> ToolMessage:
    """The message the model reads back for one tool call."""
    return ToolMessage(
        content=errors.encode(envelope),
        tool_call_id=call_id,
        name=str(name),
        status="success" if envelope.get("ok") else "error",
    )


def tool_record(name: str, args: dict[str, Any], envelope: dict[str, Any]) -> dict[str, Any]:
    """The thread's record of one executed call (name, arguments, outcome)."""
    error = envelope.get("error") or {}
    return {"name": str(name), "args": args, "ok": bool(envelope.get("ok")), "error_code": error.get("code")}
