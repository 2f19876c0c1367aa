"""The graph driven by the deterministic offline model (the embedded default)."""

from __future__ import annotations

import asyncio

from agent.contract import DoneEvent, TokenEvent, TurnResult
from agent.offline.model import OfflineChatModel
from agent.service import AgentService
from tests.agent.fakes import FakeRetriever, play


def turn(world, settings, principal, now, *messages: str):  # type: ignore[no-untyped-def]
    async def body():  # type: ignore[no-untyped-def]
        service = await AgentService.create(settings, engine=world, model=OfflineChatModel(), retriever=FakeRetriever)
        try:
            return await play(service, principal, now, *messages)
        finally:
            await service.aclose()

    return asyncio.run(body())


def test_order_status_in_spanish(world, settings, customer, now) -> None:
    (result,) = turn(world, settings, customer, now, "¿Dónde está mi pedido PO-7001?")
    assert [c.name for c in result.tool_calls] == ["get_order_status"]
    assert [(d.type, d.order_id) for d in result.decisions] == [("order_status", "PO-7001")]  # type: ignore[union-attr]
    assert result.language == "es"
    assert "PO-7001" in result.text


def test_other_customers_order_is_refused(world, settings, other_customer, now) -> None:
    (result,) = turn(world, settings, other_customer, now, "Where is order PO-7001?")
    assert [d.type for d in result.decisions] == ["refusal"]
    assert "Ana" not in result.text and "C-1" not in result.text


def test_asks_for_the_missing_order_then_answers(world, settings, customer, now) -> None:
    first, second = turn(world, settings, customer, now, "where is my order?", "PO-7001")
    assert first.decisions[0].type in ("clarification", "order_status")
    assert any(d.type == "order_status" for d in first.decisions + second.decisions)


def test_streaming_yields_tokens_then_done(world, settings, customer, now) -> None:
    async def body():  # type: ignore[no-untyped-def]
        service = await AgentService.create(settings, engine=world, model=OfflineChatModel(), retriever=FakeRetriever)
        try:
            return [e async for e in service.stream_turn(thread_id=None, principal=customer,
                                                          message="Where is PO-7001?", now=now)]
        finally:
            await service.aclose()

    events = asyncio.run(body())
    types = [e.type for e in events]
    assert types[-1] == "done" and "tool_call" in types and "tool_result" in types and "decision" in types
    tokens = "".join(e.data.text for e in events if isinstance(e, TokenEvent))
    done = events[-1]
    assert isinstance(done, DoneEvent) and isinstance(done.data, TurnResult)
    assert tokens.split() == done.data.text.split()
