"""The agent-overhead benchmark: a Promesa turn beside a bare LangGraph agent, same run.

Both sides get the same offline model, the same tool functions for the principal's role, the
same kind of checkpointer (``AsyncSqliteSaver`` on a file, the embedded default) and the same
scripted conversations; turns alternate between the sides so drift hits both equally.

* Promesa: ``AgentService.run_turn`` — guard, model, tools, decisions, checkpoint, per-thread
  lock, streaming of tokens and the ``TurnResult`` it returns.
* Bare: a ``StateGraph`` of model ⇄ ``ToolNode`` (``tools_condition``), no guard, decisions,
  approvals or locks; the system header the offline model needs (clock, role, user) is
  prepended on each model call, as any bare agent would.

Policy questions run the MiniLM retriever on both sides; they are measured as their own entry
(``agent_turn_policy``) so the embedding time does not hide the agent overhead.

Registered lazily from ``promesa/bench/agent_turn.py`` so ``promesa`` imports no LangChain.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from sqlalchemy import Engine

from agent.offline.model import OfflineChatModel
from agent.service import AgentService
from promesa.bench.registry import BenchContext, BenchResult, result
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.db import make_engine, migrate, session_factory
from tools.registry import ToolEnv, tools_for

CUSTOMER = Principal(role=Role.customer, subject="C-1001")
CUSTOMER_EN = Principal(role=Role.customer, subject="C-1000")
SUPPORT = Principal(role=Role.support, subject="agent-ana")
OPS = Principal(role=Role.ops, subject="ops-luis")


@dataclass(frozen=True)
class Conversation:
    """A scripted thread: who speaks and their messages, one turn each, on a fresh thread."""

    principal: Principal
    messages: tuple[str, ...]


#: The realistic mix over the demo world's stories (reads only: writes would pause for approval).
CONVERSATIONS: tuple[Conversation, ...] = (
    Conversation(CUSTOMER, ("where is my order PO-5001?", "why is it late?")),
    Conversation(CUSTOMER, ("¿Dónde está mi pedido PO-5001?",)),
    Conversation(CUSTOMER_EN, ("where is my order?", "PO-5000")),
    Conversation(SUPPORT, ("show me the profile of maria.lopez@example.com",
                           "can PO-5002 ship from another store?")),
    Conversation(OPS, ("which orders will miss their promise tomorrow?",)),
    Conversation(OPS, ("on-time rate by carrier",)),
)

#: Policy questions: both sides pay the same retriever (MiniLM) cost.
POLICY_CONVERSATIONS: tuple[Conversation, ...] = (
    Conversation(CUSTOMER_EN, ("how do returns work?",)),
    Conversation(CUSTOMER, ("¿Cuál es la política de devoluciones?",)),
    Conversation(SUPPORT, ("what is the pickup hold policy?",)),
)


@dataclass(frozen=True)
class Turn:
    """One scripted turn: the conversation it belongs to, its index there, and the message."""

    conversation: int
    index: int
    principal: Principal
    message: str


def script(conversations: Sequence[Conversation], n: int) -> list[Turn]:
    """The first ``n`` turns of the conversations played round-robin, each one whole."""
    turns = (
        Turn(c, i, conv.principal, message)
        for c, conv in itertools.cycle(enumerate(conversations))
        for i, message in enumerate(conv.messages)
    )
    return list(itertools.islice(turns, n))


# --- the bare reference ------------------------------------------------------------------------


def bare_system_header(principal: Principal, now: Any) -> str:
    """What the offline model needs to know, and no more: the clock, the role and the user."""
    lines = [f"Current time: {now.isoformat()}", f"Role: {principal.role.value}"]
    if principal.subject:
        lines.append(f"User: {principal.subject}")
    return "\n".join(lines)


def build_bare_graph(model: BaseChatModel, principal: Principal, checkpointer: Any) -> Any:
    """A minimal tool-calling agent: model ⇄ ``ToolNode`` over the role's tools, checkpointed.

    The tools read their ``ToolEnv`` from ``config["configurable"]["promesa_env"]``.
    """
    tools = [spec.as_langchain_tool() for spec in tools_for(principal)]
    bound = model.bind_tools(tools)

    async def call_model(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
        header = config["configurable"]["bare_system"]
        return {"messages": [await bound.ainvoke([SystemMessage(content=header), *state["messages"]])]}

    builder = StateGraph(MessagesState)
    builder.add_node("model", call_model)
    builder.add_node("tools", ToolNode(tools))
    builder.add_edge(START, "model")
    builder.add_conditional_edges("model", tools_condition)
    builder.add_edge("tools", "model")
    return builder.compile(checkpointer=checkpointer, name="bare")


class BareAgent:
    """Runs turns of bare graphs (one per role, built once) on one checkpointer."""

    def __init__(self, model: BaseChatModel, saver: Any, settings: Settings, engine: Engine,
                 retriever: Callable[[], Any] | None) -> None:
        self.model, self.saver, self.settings, self.retriever = model, saver, settings, retriever
        self.sessions = session_factory(engine)
        self._graphs: dict[Role, Any] = {}
        self.durability: Any = "async"

    async def run_turn(self, *, thread_id: str, principal: Principal, message: str, now: Any) -> dict[str, Any]:
        graph = self._graphs.get(principal.role)
        if graph is None:
            graph = self._graphs[principal.role] = build_bare_graph(self.model, principal, self.saver)
        env = ToolEnv(principal=principal, now=now, settings=self.settings, sessions=self.sessions,
                      thread_id=thread_id, retriever=self.retriever)
        config = {"configurable": {"thread_id": thread_id, "promesa_env": env,
                                   "bare_system": bare_system_header(principal, now)}}
        return await graph.ainvoke({"messages": [HumanMessage(content=message)]}, config,
                                   durability=self.durability)


# --- the measurement ---------------------------------------------------------------------------


@dataclass
class Sides:
    promesa: AgentService
    bare: BareAgent


class SidesDiverged(RuntimeError):
    """The two sides called different tools for the same turn: their times would not compare."""


async def _play(sides: Sides, turns: list[Turn], now: Any, *, label: str) -> tuple[list[float], list[float]]:
    """Play ``turns`` on both sides, alternating which goes first; return their wall times (ms).

    Raises:
        SidesDiverged: a turn where the sides' tool calls differ (checked outside the clock).
    """
    ours: list[float] = []
    ref: list[float] = []
    seen: dict[str, int] = {}  # bare thread -> messages already in it
    threads: dict[tuple[str, int], str] = {}
    for k, turn in enumerate(turns):
        for side in ("promesa", "bare"):
            if turn.index == 0:  # a conversation starts: a fresh thread on each side
                threads[(side, turn.conversation)] = f"{label}-{side}-{uuid.uuid4().hex[:12]}"
        called: dict[str, list[str]] = {}
        for side in ("promesa", "bare") if k % 2 == 0 else ("bare", "promesa"):
            tid = threads[(side, turn.conversation)]
            started = time.perf_counter()
            if side == "promesa":
                done = await sides.promesa.run_turn(
                    thread_id=tid, principal=turn.principal, message=turn.message, now=now)
                ours.append((time.perf_counter() - started) * 1000)
                called[side] = [c.name for c in done.tool_calls]
            else:
                state = await sides.bare.run_turn(
                    thread_id=tid, principal=turn.principal, message=turn.message, now=now)
                ref.append((time.perf_counter() - started) * 1000)
                new = state["messages"][seen.get(tid, 0):]
                seen[tid] = len(state["messages"])
                called[side] = [str(m.name) for m in new if isinstance(m, ToolMessage)]
        if called["promesa"] != called["bare"]:
            raise SidesDiverged(f"{turn.message!r}: promesa called {called['promesa']}, bare {called['bare']}")
    return ours, ref


async def _measure(ctx: BenchContext, settings: Settings, engine: Engine, workdir: Path,
                   retriever: Callable[[], Any]) -> list[BenchResult]:
    model = OfflineChatModel()
    # The production path for the Promesa side: open_checkpoints on a SQLite file.
    promesa_settings = settings.model_copy(update={"checkpoint_url": f"sqlite:///{workdir / 'promesa-ckpt.db'}"})
    async with AsyncSqliteSaver.from_conn_string(str(workdir / "bare-ckpt.db")) as bare_saver:
        await bare_saver.setup()
        # No checkpointer given: the service opens it the production way (open_checkpoints).
        service = await AgentService.create(promesa_settings, engine=engine, model=model, retriever=retriever)
        sides = Sides(service, BareAgent(model, bare_saver, settings, engine, retriever))
        try:
            # Warm caches (compiled SQL, tool schemas, the embedding model) outside the clock.
            await _play(sides, script(CONVERSATIONS, _turn_count(CONVERSATIONS)), ctx.now, label="warm")
            await _play(sides, script(POLICY_CONVERSATIONS, _turn_count(POLICY_CONVERSATIONS)), ctx.now,
                        label="warm")
            ours, ref = await _play(sides, script(CONVERSATIONS, ctx.n(200)), ctx.now, label="turn")
            p_ours, p_ref = await _play(sides, script(POLICY_CONVERSATIONS, ctx.n(30)), ctx.now, label="policy")
        finally:
            await service.aclose()
    note = "AgentService.run_turn vs bare LangGraph model⇄ToolNode; same offline model, tools, SQLite saver"
    return [
        result("agent_turn", ours, ctx, ref, note),
        result("bare_langgraph_turn", ref, ctx, None, "the reference side of agent_turn"),
        result("agent_turn_policy", p_ours, ctx, p_ref, "policy questions (MiniLM retriever on both sides)"),
        result("bare_langgraph_turn_policy", p_ref, ctx, None, "the reference side of agent_turn_policy"),
    ]


def _turn_count(conversations: Sequence[Conversation]) -> int:
    return sum(len(c.messages) for c in conversations)


def run_agent_turn_bench(ctx: BenchContext, *, orders: int | None = None, seed: int = 7) -> list[BenchResult]:
    """Build a demo world and a policy index in a temporary folder, then measure both sides.

    Args:
        ctx: The bench context (clock, settings, calls, the bench world's size).
        orders: World size; default the bench world's size capped at ``settings.demo_orders``
            (the agent answers over a store's working world, not a million-order one).
        seed: Seed of the demo world.

    Raises:
        SidesDiverged: the sides called different tools for a turn.
    """
    from knowledge.retriever import get_retriever
    from promesa.world.demo import build_demo_world

    size = orders if orders is not None else min(ctx.world_orders, ctx.settings.demo_orders)
    with tempfile.TemporaryDirectory(prefix="promesa-agent-bench-") as tmp:
        workdir = Path(tmp)
        settings = ctx.settings.model_copy(update={"data_dir": workdir / "data", "database_url": None,
                                                   "checkpoint_url": None, "chroma_url": None})
        settings.data_dir.mkdir(parents=True)
        engine = make_engine(settings.sqlalchemy_url)
        try:
            migrate(engine)
            build_demo_world(engine, now=ctx.now, orders=size, seed=seed)
            policy = get_retriever(settings)  # index + embedding model, before the clock starts
            local = replace(ctx, world_orders=size)
            return asyncio.run(_measure(local, settings, engine, workdir, lambda: policy))
        finally:
            engine.dispose()
