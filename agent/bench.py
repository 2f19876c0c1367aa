"""The agent-overhead benchmark: a Promesa turn beside a bare LangGraph agent, same run.

The sides get the same offline model, the same tool functions for the principal's role, the
same kind of checkpointer (``AsyncSqliteSaver`` on a file, the embedded default) and the same
scripted conversations; turns rotate between the sides so drift hits all of them equally, and
a turn where the sides call different tools stops the run (``SidesDiverged``).

* Promesa: ``AgentService.run_turn`` — per-thread lock, owner check, guard, model, tools,
  decisions, respond, one checkpoint per turn and the ``TurnResult`` it returns.
* Bare (the reference): a ``StateGraph`` of model ⇄ ``ToolNode`` (``tools_condition``), no
  guard, decisions, approvals or locks, one checkpoint per turn like Promesa; the system header
  the offline model needs (clock, role, user) is prepended on each model call.
* Bare default: the same bare agent with LangGraph's default durability (a checkpoint per
  step), reported for context.

Policy questions run the MiniLM retriever on both sides (index built and model loaded before the
clock starts); they are their own entry (``agent_turn_policy``) so the embedding time does not
hide the agent overhead of the main mix (``agent_turn``). Their answers are long, so the
per-chunk cost of Promesa's streamed model call (the bare agent invokes) shows most there.

Registered lazily by the composition root (``cli/benches.py``) so ``promesa`` imports no LangChain.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from langgraph.types import Durability
from sqlalchemy import Engine

from agent.offline.model import OfflineChatModel
from agent.service import AgentService
from promesa.bench.registry import BenchContext, BenchResult, result
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.db import make_engine, migrate, session_factory
from tools.catalog import tools_for
from tools.context import TurnContext
from tools.registry import ToolEnv

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


def bare_system_header(principal: Principal, now: datetime) -> str:
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
    """Runs turns of bare graphs (one per role, built once) on one checkpointer.

    Args:
        durability: LangGraph's checkpoint policy: ``"exit"`` (one checkpoint per turn, as
            Promesa writes) or ``"async"`` (LangGraph's default: one per step).
    """

    def __init__(self, model: BaseChatModel, saver: Any, settings: Settings, engine: Engine,
                 retriever: Callable[[], Any] | None, *, durability: Durability = "exit") -> None:
        self.model, self.saver, self.settings, self.retriever = model, saver, settings, retriever
        self.durability = durability
        self.sessions = session_factory(engine)
        self._graphs: dict[Role, Any] = {}
        self._seen: dict[str, int] = {}  # thread -> messages it had after its last turn

    async def run_turn(self, *, thread_id: str, principal: Principal, message: str, now: Any) -> list[str]:
        """Run one turn; return the names of the tools it called."""
        graph = self._graphs.get(principal.role)
        if graph is None:
            graph = self._graphs[principal.role] = build_bare_graph(self.model, principal, self.saver)
        env = ToolEnv.of(TurnContext(principal=principal, now=now, settings=self.settings,
                                     sessions=self.sessions, thread_id=thread_id, retriever=self.retriever))
        config: RunnableConfig = {"configurable": {
            "thread_id": thread_id, "promesa_env": env, "bare_system": bare_system_header(principal, now)}}
        state = await graph.ainvoke({"messages": [HumanMessage(content=message)]}, config,
                                    durability=self.durability)
        new = state["messages"][self._seen.get(thread_id, 0):]
        self._seen[thread_id] = len(state["messages"])
        return [str(m.name) for m in new if isinstance(m, ToolMessage)]


# --- the measurement ---------------------------------------------------------------------------

#: A side of the comparison: runs one turn on a thread, returns the names of the tools called.
Side = Callable[[str, Turn, datetime], Awaitable[list[str]]]


def promesa_side(service: AgentService) -> Side:
    """The Promesa side: a turn through ``AgentService.run_turn``; the tools it called."""
    async def run(thread_id: str, turn: Turn, now: datetime) -> list[str]:
        done = await service.run_turn(thread_id=thread_id, principal=turn.principal, message=turn.message, now=now)
        return [c.name for c in done.tool_calls]

    return run


def bare_side(agent: BareAgent) -> Side:
    """The reference side: the same turn through the bare LangGraph agent."""
    async def run(thread_id: str, turn: Turn, now: datetime) -> list[str]:
        return await agent.run_turn(thread_id=thread_id, principal=turn.principal, message=turn.message, now=now)

    return run


class SidesDiverged(RuntimeError):
    """The sides called different tools for the same turn: their times would not compare."""


async def play(sides: dict[str, Side], turns: list[Turn], now: datetime, *, label: str) -> dict[str, list[float]]:
    """Play ``turns`` on every side, rotating which goes first; return each side's times (ms).

    Raises:
        SidesDiverged: a turn where the sides' tool calls differ (checked outside the clock).
    """
    times: dict[str, list[float]] = {name: [] for name in sides}
    threads: dict[tuple[str, int], str] = {}
    names = list(sides)
    for k, turn in enumerate(turns):
        called: dict[str, list[str]] = {}
        for name in names[k % len(names):] + names[:k % len(names)]:
            if turn.index == 0:  # a conversation starts: a fresh thread on each side
                threads[(name, turn.conversation)] = f"{label}-{name}-{uuid.uuid4().hex[:12]}"
            started = time.perf_counter()
            called[name] = await sides[name](threads[(name, turn.conversation)], turn, now)
            times[name].append((time.perf_counter() - started) * 1000)
        if len({tuple(c) for c in called.values()}) > 1:
            raise SidesDiverged(f"{turn.message!r}: {called}")
    return times


async def _measure(ctx: BenchContext, settings: Settings, engine: Engine, workdir: Path,
                   retriever: Callable[[], Any]) -> list[BenchResult]:
    model = OfflineChatModel()
    promesa_settings = settings.model_copy(update={"checkpoint_url": f"sqlite:///{workdir / 'promesa-ckpt.db'}"})
    async with AsyncSqliteSaver.from_conn_string(str(workdir / "bare-ckpt.db")) as saver, \
            AsyncSqliteSaver.from_conn_string(str(workdir / "bare-default-ckpt.db")) as default_saver:
        await saver.setup()
        await default_saver.setup()
        # No checkpointer given: the service opens it the production way (open_checkpoints).
        service = await AgentService.create(promesa_settings, engine=engine, model=model, retriever=retriever)
        sides = {
            "promesa": promesa_side(service),
            "bare": bare_side(BareAgent(model, saver, settings, engine, retriever)),
            "bare_default": bare_side(
                BareAgent(model, default_saver, settings, engine, retriever, durability="async")),
        }
        try:
            # Warm caches (compiled SQL, tool schemas, the embedding model) outside the clock.
            for convs in (CONVERSATIONS, POLICY_CONVERSATIONS):
                await play(sides, script(convs, _turn_count(convs)), ctx.now, label="warm")
            mix = await play(sides, script(CONVERSATIONS, ctx.n(200)), ctx.now, label="turn")
            policy = await play({k: sides[k] for k in ("promesa", "bare")},
                                script(POLICY_CONVERSATIONS, ctx.n(30)), ctx.now, label="policy")
        finally:
            await service.aclose()
    return [
        result("agent_turn", mix["promesa"], ctx, mix["bare"],
               "AgentService.run_turn vs bare model⇄ToolNode: same offline model, tools, SQLite saver "
               "and one checkpoint per turn"),
        result("bare_langgraph_turn", mix["bare"], ctx, None, "the reference side of agent_turn"),
        result("bare_langgraph_turn_default", mix["bare_default"], ctx, None,
               "the bare agent with LangGraph's default durability (a checkpoint per step)"),
        result("agent_turn_policy", policy["promesa"], ctx, policy["bare"],
               "policy questions, MiniLM retriever on both sides"),
        result("bare_langgraph_turn_policy", policy["bare"], ctx, None, "the reference side of agent_turn_policy"),
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
