"""Many turns at once (issue #13): PostgreSQL checkpoints never starve, a saturated worker
answers Busy at once, one thread id has one owner."""

from __future__ import annotations

import asyncio
import os
import time

import pytest
from langchain_core.messages import AIMessage, BaseMessage

from promesa.errors import Busy, NotFound
from promesa.settings import Settings
from tests.agent.fakes import scripted_service

PG_URL = os.environ.get("PROMESA_TEST_DATABASE_URL")


def slow_hello(messages: list[BaseMessage]) -> AIMessage:
    time.sleep(0.2)  # a model that takes a while: turns overlap
    return AIMessage(content="Hello, how can I help?")


@pytest.mark.skipif(not PG_URL, reason="needs PROMESA_TEST_DATABASE_URL (set in CI)")
def test_twelve_concurrent_turns_on_postgres_checkpoints_all_finish(world, settings, customer, now) -> None:
    """Was: the per-thread advisory lock took a connection from the checkpointer's pool of 8,
    so 8 concurrent turns held every connection and each waited for the pool (PoolTimeout)."""
    pg = settings.model_copy(update={"checkpoint_url": PG_URL, "checkpoint_pool_size": 4,
                                     "max_concurrent_turns": 12})

    async def body() -> list[str]:
        async with scripted_service(world, pg, slow_hello) as service:
            async def turn() -> str:
                result = await asyncio.wait_for(
                    service.run_turn(thread_id=None, principal=customer, message="hello", now=now), timeout=25)
                return result.text

            return await asyncio.gather(*(turn() for _ in range(12)))

    assert asyncio.run(body()) == ["Hello, how can I help?"] * 12


def test_a_saturated_worker_refuses_at_once_with_retry_after(world, settings: Settings, customer, now) -> None:
    tight = settings.model_copy(update={"max_concurrent_turns": 2, "turn_queue_seconds": 0.05})

    async def body() -> list[object]:
        async with scripted_service(world, tight, slow_hello) as service:
            return await asyncio.gather(*(
                service.run_turn(thread_id=None, principal=customer, message="hello", now=now) for _ in range(4)
            ), return_exceptions=True)

    results = asyncio.run(body())
    busy = [r for r in results if isinstance(r, Busy)]
    assert len(busy) == 2 and all(b.retry_after >= 1 for b in busy)
    assert sum(1 for r in results if getattr(r, "text", None)) == 2


def test_two_customers_creating_one_thread_id_one_wins(world, settings, customer, other_customer, now) -> None:
    async def body() -> list[object]:
        async with scripted_service(world, settings, slow_hello) as service:
            return await asyncio.gather(*(
                service.run_turn(thread_id="t-same", principal=who, message="hello", now=now)
                for who in (customer, other_customer)
            ), return_exceptions=True)

    results = asyncio.run(body())
    assert sum(isinstance(r, NotFound) for r in results) == 1
    assert sum(getattr(r, "thread_id", None) == "t-same" for r in results) == 1


def test_warm_start_loads_the_nlu_and_the_policy_retriever(world, settings) -> None:
    from agent.offline.nlu_model import get_model
    from agent.service import AgentService
    from tests.agent.fakes import FakeRetriever

    retriever = FakeRetriever()

    async def body() -> None:
        service = await AgentService.create(settings, engine=world, retriever=lambda: retriever)
        try:
            await service.warm()
        finally:
            await service.aclose()

    asyncio.run(body())
    assert retriever.queries  # one search: the embedding model is loaded before the first question
    assert get_model.cache_info().currsize == 1
