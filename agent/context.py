"""The run-scoped context of one turn, passed to the graph as LangGraph runtime context.

It is :class:`tools.context.TurnContext` under the name the graph's nodes use: one object per
turn, defined below the agent because every tool call carries it (``ToolEnv.turn``).
"""

from __future__ import annotations

from tools.context import TurnContext as AgentContext

__all__ = ["AgentContext"]
