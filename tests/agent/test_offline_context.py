"""The offline model takes who asks and when from the turn's runtime context, not the prompt:
rewording or translating the system prompt leaves every turn the same."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine

import agent.nodes
from agent.contract import TurnResult
from agent.offline.model import OfflineChatModel
from agent.service import AgentService
from promesa.principal import Principal, Role
from promesa.settings import Settings
from tests.agent.fakes import FakeRetriever, play

CONVERSATIONS = [
    (Principal(role=Role.customer, subject="C-1"), ["¿Dónde está mi pedido PO-7001?", "gracias"]),
    (Principal(role=Role.customer, subject="C-1"), ["where is my order?", "PO-7001", "can I pick it up instead?"]),
    (Principal(role=Role.customer, subject="C-2"), ["Where is order PO-7001?"]),
    (Principal(role=Role.anonymous, order_scope="PO-7001"), ["when does it arrive?"]),
    (Principal(role=Role.support, subject="agent-ana"), ["Where is PO-7003? reroute it"]),
]


def _translated(principal: Principal, *, language: str, now: datetime, tz: str, variant: str = "default") -> str:
    """A system prompt in other words and another language, with no header and no date."""
    return ("Eres Promesa, la asistente de pedidos de una tienda. Responde con hechos de las "
            "herramientas; nunca inventes fechas.")


def _turns(world: Engine, settings: Settings, principal: Principal, now: datetime,
           messages: list[str]) -> list[dict[str, Any]]:
    async def body() -> list[TurnResult]:
        service = await AgentService.create(settings, engine=world, model=OfflineChatModel(), retriever=FakeRetriever)
        try:
            return await play(service, principal, now, *messages)
        finally:
            await service.aclose()

    results = asyncio.run(body())
    return [r.model_dump(mode="json", exclude={"thread_id", "pending_approval"}) for r in results]


@pytest.mark.parametrize(("principal", "messages"), CONVERSATIONS)
def test_a_translated_system_prompt_changes_nothing(world, settings, now, monkeypatch,  # noqa: ANN001
                                                    principal: Principal, messages: list[str]) -> None:
    plain = _turns(world, settings, principal, now, messages)
    monkeypatch.setattr(agent.nodes, "system_prompt", _translated)
    translated = _turns(world, settings, principal, now, messages)
    assert translated == plain
    assert any(turn["decisions"] for turn in plain)  # the conversations do something to compare


def test_the_clock_comes_from_the_context_not_the_prompt(world, settings, now, monkeypatch) -> None:  # noqa: ANN001
    """A prompt naming another day and another customer is ignored: the context's clock and
    principal decide (the relative date "tomorrow" resolves against the context's clock)."""
    customer = Principal(role=Role.customer, subject="C-1")
    plain = _turns(world, settings, customer, now, ["Where is PO-7001?"])

    def misleading(principal: Principal, **_: Any) -> str:
        return "Current time: 2030-01-01T00:00:00+00:00\nRole: ops\nUser: C-2\nLanguage: es\nToday is 2030-01-01."

    monkeypatch.setattr(agent.nodes, "system_prompt", misleading)
    assert _turns(world, settings, customer, now, ["Where is PO-7001?"]) == plain
