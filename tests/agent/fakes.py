"""A scripted chat model for graph tests: a function of the conversation decides each reply."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from sqlalchemy import Engine

from agent.service import AgentService, TurnResult
from promesa.principal import Principal
from promesa.settings import Settings


class ScriptedModel(BaseChatModel):
    """Replies with ``script(messages)``; records the tool names it was bound with."""

    script: Callable[[list[BaseMessage]], AIMessage]
    bound: list[list[str]] = []
    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[Any, BaseMessage]:
        # recorded per call, not per binding: the graph binds a tool set once and reuses it
        return self.bind(promesa_tools=[t.name for t in tools])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls += 1
        if "promesa_tools" in kwargs:
            self.bound.append(kwargs["promesa_tools"])
        return ChatResult(generations=[ChatGeneration(message=self.script(messages))])


def call(name: str, args: dict[str, Any], call_id: str = "call_1", text: str = "") -> AIMessage:
    return AIMessage(content=text, tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}])


def last_human(messages: list[BaseMessage]) -> str:
    return next(m.text for m in reversed(messages) if isinstance(m, HumanMessage))


def tool_results(messages: list[BaseMessage]) -> list[dict[str, Any]]:
    """The JSON envelopes of the tool messages since the last human message."""
    out: list[dict[str, Any]] = []
    for m in reversed(messages):
        if isinstance(m, HumanMessage):
            break
        if isinstance(m, ToolMessage):
            out.insert(0, json.loads(m.text))
    return out


def summarise(messages: list[BaseMessage]) -> AIMessage:
    """A final answer built from the tool results only (like the offline model's writer)."""
    parts = []
    for env in tool_results(messages):
        if env["ok"]:
            result = env["result"]
            if isinstance(result, dict) and "order_id" in result:
                parts.append(f"Order {result['order_id']}: {result.get('status', 'done')}.")
            else:
                parts.append("Done.")
        else:
            parts.append(f"Sorry, I can't do that ({env['error']['code']}).")
    return AIMessage(content=" ".join(parts) or "How can I help?")


@asynccontextmanager
async def scripted_service(
    engine: Engine, settings: Settings, script: Callable[[list[BaseMessage]], AIMessage], **kwargs: Any
) -> AsyncIterator[AgentService]:
    """An ``AgentService`` on ``engine`` whose model follows ``script``."""
    service = await AgentService.create(settings, engine=engine, model=ScriptedModel(script=script), **kwargs)
    try:
        yield service
    finally:
        await service.aclose()


async def play(service: AgentService, principal: Principal, now: datetime, *messages: str) -> list[TurnResult]:
    """Run ``messages`` as consecutive turns of one thread; the TurnResults in order."""
    results: list[TurnResult] = []
    thread = None
    for message in messages:
        result = await service.run_turn(thread_id=thread, principal=principal, message=message, now=now)
        thread = result.thread_id
        results.append(result)
    return results


class FakeRetriever:
    """Returns one fixed passage for any query mentioning returns; nothing otherwise."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, str]] = []

    def search(self, principal: Any, query: str, **_: Any) -> list[Any]:
        from knowledge.retriever import PolicyPassage

        self.queries.append((principal.label(), query))
        if "return" not in query.lower() and "devol" not in query.lower():
            return []
        return [
            PolicyPassage(
                doc_id="returns", anchor="window", citation="returns#window", title="Returns",
                section_title="Return window", text="Most items may be returned within 30 days.",
                locale="en", audience="customer", version=1, score=0.9,
            )
        ]
