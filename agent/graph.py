"""The Promesa graph: guard -> model <-> tools -> respond, with approval -> execute for writes.

```
START -> guard -(refused)-> respond -> END
           |
           v
         model -(tool calls)-> tools -(writes queued)-> approval -> execute -> model ...
           |                      \\-(reads only)-> model
           \\-(answer / failure)-> respond
```

This module holds the wiring: which node follows which (the routing functions below) and the
compiled graph. The nodes themselves are :class:`agent.nodes.TurnNodes`; the helpers they use
are in :mod:`agent.completion` (the model call), :mod:`agent.tool_calls` (running a tool call),
:mod:`agent.write_requests` (approval requests and executed records) and :mod:`agent.handoffs`.
``langgraph.json`` points at :func:`make_graph`.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph
from langgraph.types import Checkpointer

from agent.context import AgentContext
from agent.nodes import MAX_ROUNDS, Registry, TurnNodes
from agent.state import AgentState
from tools.catalog import tools_for


def build_graph(
    model: BaseChatModel,
    *,
    checkpointer: Checkpointer = None,
    registry: Registry = tools_for,
) -> Any:
    """Compile the agent graph.

    Args:
        model: A chat model with ``bind_tools`` (the offline model or ChatOpenAI).
        checkpointer: Where threads are kept; required for approvals (interrupts).
        registry: The tools a principal gets (tests may pass a smaller set).
    """
    nodes = TurnNodes(model, registry)
    builder = StateGraph(AgentState, context_schema=AgentContext)
    builder.add_node("guard", nodes.guard)
    builder.add_node("model", nodes.call_model)
    builder.add_node("tools", nodes.run_tools)
    builder.add_node("approval", nodes.approval)
    builder.add_node("execute", nodes.execute)
    builder.add_node("respond", nodes.respond)
    builder.add_edge(START, "guard")
    builder.add_conditional_edges("guard", after_guard)
    builder.add_conditional_edges("model", after_model)
    builder.add_conditional_edges("tools", after_tools)
    builder.add_edge("approval", "execute")
    builder.add_conditional_edges("execute", after_tools)
    builder.add_edge("respond", END)
    return builder.compile(checkpointer=checkpointer, name="promesa")


def after_guard(state: AgentState) -> Literal["model", "respond"]:
    """A refused message goes straight to ``respond``."""
    return "respond" if state.get("guard") else "model"


def after_model(state: AgentState) -> Literal["tools", "respond"]:
    """Tool calls go to ``tools``; an answer or a failed turn goes to ``respond``."""
    last = state["messages"][-1]
    if state.get("failed") or not (isinstance(last, AIMessage) and last.tool_calls):
        return "respond"
    return "tools"


def after_tools(state: AgentState) -> Literal["approval", "model"]:
    """Queued WRITE calls wait for approval one by one; then the model reads the results."""
    return "approval" if state.get("queued_writes") else "model"


def make_graph() -> Any:
    """Module-level factory for LangGraph tooling (``langgraph.json``): the configured model,
    no checkpointer (the LangGraph server brings its own). Runs need an ``AgentContext``."""
    from agent.models import make_chat_model
    from promesa.settings import get_settings

    return build_graph(make_chat_model(get_settings()))


__all__ = ["MAX_ROUNDS", "Registry", "build_graph", "make_graph"]
