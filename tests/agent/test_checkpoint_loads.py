"""A turn loads its thread's checkpoint once (issue #13): the graph reuses the turn's own load
while the thread is held, never a load made before a write or outside the thread's lock."""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import CheckpointTuple, empty_checkpoint
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy.engine import Engine

from agent.approvals import Approval
from agent.checkpoints import Checkpoints
from promesa.principal import Principal
from promesa.settings import Settings
from tests.agent.fakes import scripted_service
from tests.agent.test_approvals import executions, reroute_script


class CountingSaver(InMemorySaver):
    """An in-memory checkpointer that counts the loads that reach it."""

    def __init__(self) -> None:
        super().__init__()
        self.loads = 0

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        self.loads += 1
        return await super().aget_tuple(config)


def _config(thread_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}


async def _put(saver: InMemorySaver, thread_id: str) -> Any:
    checkpoint = empty_checkpoint()
    return await saver.aput(_config(thread_id), checkpoint, {"source": "input", "step": -1, "parents": {}}, {})


def test_the_graph_is_handed_the_turns_load_once_then_the_saver_answers() -> None:
    async def body() -> None:
        saver = CountingSaver()
        checkpoints = Checkpoints(saver=saver)
        await _put(saver, "t1")
        async with checkpoints.thread_lock("t1"):
            first = await saver.aget_tuple(_config("t1"))
            second = await saver.aget_tuple(_config("t1"))
            assert saver.loads == 1 and second is first  # the graph's load: the turn's
            third = await saver.aget_tuple(_config("t1"))
            assert saver.loads == 2 and third is not first  # handed once, never twice
        await saver.aget_tuple(_config("t1"))
        await saver.aget_tuple(_config("t1"))
        assert saver.loads == 4  # not held: every load reaches the saver

    asyncio.run(body())


def test_a_write_while_the_thread_is_held_closes_the_reuse() -> None:
    async def body() -> None:
        saver = CountingSaver()
        checkpoints = Checkpoints(saver=saver)
        await _put(saver, "t1")
        async with checkpoints.thread_lock("t1"):
            before = await saver.aget_tuple(_config("t1"))
            written = await _put(saver, "t1")
            after = await saver.aget_tuple(_config("t1"))
            assert saver.loads == 2 and after is not None and before is not None
            assert after.config["configurable"]["checkpoint_id"] == written["configurable"]["checkpoint_id"]
            # another thread's loads are its own
            await _put(saver, "t2")
            assert await saver.aget_tuple(_config("t2")) is not None
            assert await saver.aget_tuple(_config("t2")) is not None
            assert saver.loads == 4

    asyncio.run(body())


def test_a_turn_reads_the_checkpoint_once_and_approvals_still_execute_once(
    world: Engine, settings: Settings, support: Principal, now: Any
) -> None:
    saver = CountingSaver()

    async def body() -> None:
        async with scripted_service(world, settings, reroute_script, checkpointer=saver) as service:
            first = await service.run_turn(thread_id=None, principal=support, message="Reroute PO-7003", now=now)
            assert first.pending_approval is not None and executions(world) == 0
            saver.loads = 0
            done = await service.run_turn(thread_id=first.thread_id, principal=support,
                                          resume=Approval(approve=True), now=now)
            assert saver.loads == 1  # the turn's read; the graph reused it; the result came from the run
            assert [d.type for d in done.decisions] == ["reroute_executed"] and done.pending_approval is None
            history = await service.history(thread_id=first.thread_id, principal=support)
            assert history[-1]["role"] == "assistant" and history[-1]["content"] == done.text

    asyncio.run(body())
    assert executions(world) == 1
