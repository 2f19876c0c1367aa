"""``OfflineChatModel``: the deterministic, embedded default chat model (no network, no weights).

Per call it rebuilds the dialogue state from the messages, then either plans tool calls for the
latest human message (phase 1) or writes the answer from this turn's tool results, chaining one
more call when a result asks for it (phase 2). Same messages and tools → same output.

Clock and principal: in a graph run they come from the turn's LangGraph runtime context (an
:class:`agent.context.AgentContext`), and the system prompt is not read at all: it is words
for a real model, so rewording or translating it changes nothing here; the language is the
one the conversation's messages are in (the guard's own detection). Called on its own (tests,
the NLU bench) the model reads a machine header in a system message (``Current time: <ISO>``,
``Role: <role>``, ``User: <id>``, ``Order scope: <PO-…>``, ``Language: es``), else the
``now``/``role`` invoke kwargs, else the constructor fields. Without a clock, relative dates
are left unresolved.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langgraph.runtime import get_runtime

from agent.context import AgentContext
from agent.offline import dialogue, planner, writer
from promesa.principal import Principal


class OfflineChatModel(BaseChatModel):
    """A rule-based bilingual (en/es) chat model with tool calling.

    Attributes:
        now: Fallback clock when the messages carry none (tests, CLI).
        role: Fallback role (customer, support, ops, anonymous) when the prompt names none.
    """

    now: datetime | None = None
    role: str | None = None

    @property
    def _llm_type(self) -> str:
        return "promesa-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": "promesa-offline"}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind the tools this model may call (the role's tool set); it calls no others."""
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

    # -- the pipeline ---------------------------------------------------------------------

    def respond(
        self,
        messages: list[BaseMessage],
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        now: datetime | str | None = None,
        role: str | None = None,
        principal: Principal | None = None,
    ) -> AIMessage:
        """The next assistant message for ``messages`` given the bound ``tools``.

        With ``principal`` (and ``now``) given as data, system messages are not read: who is
        asking and when come only from these arguments.
        """
        schemas = _tool_schemas(tools or [])
        clock = datetime.fromisoformat(now) if isinstance(now, str) else now
        if principal is not None:
            messages = [m for m in messages if not isinstance(m, SystemMessage)]
            role = principal.role.value
        ctx = dialogue.build(messages, now=clock or self.now, role=role or self.role or _role_from_tools(schemas))
        if principal is not None:
            ctx.subject, ctx.order_scope = principal.subject, principal.order_scope
        if ctx.role is None:
            ctx.role = _role_from_tools(schemas)
        n_prior = sum(len(m.tool_calls) for m in messages if isinstance(m, AIMessage))
        tail = next((m for m in reversed(messages) if isinstance(m, (HumanMessage, ToolMessage, AIMessage))), None)
        if ctx.turn is None:
            return _text(writer.reply(planner.Reply("greeting", "greeting"), ctx.lang), "greeting", "greeting")
        intent = planner.resolve_intent(ctx)
        if isinstance(tail, HumanMessage):
            step = planner.plan_turn(ctx, schemas)
            if isinstance(step, planner.Reply):
                # message metadata holds plain strings: checkpoints store no enum objects
                meta = {"intent": str(intent), "kind": step.kind, "pending": step.pending,
                        "pending_intent": str(step.pending_intent) if step.pending_intent else None}
                return _text(writer.reply(step, ctx.lang), intent, step.kind, meta)
            return _calls(step, n_prior, intent)
        chained = planner.next_step(ctx, schemas) if isinstance(tail, ToolMessage) else None
        if chained is not None:
            return _calls(chained, n_prior, intent)
        text, pending = writer.write(ctx, intent)
        if not text:
            text = writer.reply(planner.Reply("anything_else", "info"), ctx.lang)
        meta = {"intent": str(intent), "kind": "answer", "pending": pending,
                "pending_intent": str(intent) if pending in ("which_order", "identifier") else None}
        return _text(text, intent, "answer", meta)

    def _respond_to(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        """``respond`` with the bound tools and the turn's context: the graph run's, else the
        ``now``/``role`` invoke kwargs."""
        turn = _turn_context()
        if turn is not None:
            return self.respond(messages, tools=kwargs.get("tools"), now=turn.now, principal=turn.principal)
        return self.respond(messages, tools=kwargs.get("tools"), now=kwargs.get("now"), role=kwargs.get("role"))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = self._respond_to(messages, kwargs)
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        # Pure Python, well under a millisecond: cheaper on the loop than a hop to a thread.
        return self._generate(messages, stop, **kwargs)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Word-by-word chunks of the same message ``_generate`` returns."""
        message = self._respond_to(messages, kwargs)
        for chunk in _chunks(message):
            if run_manager and chunk.text:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        """``_stream`` natively async: the default would hop to a thread once per word."""
        message = self._respond_to(messages, kwargs)
        for chunk in _chunks(message):
            if run_manager and chunk.text:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk


def _turn_context() -> AgentContext | None:
    """The running graph turn's context (LangGraph runtime context), None outside a graph run."""
    try:
        runtime = get_runtime(AgentContext)
    except RuntimeError:  # not inside a runnable: a direct call
        return None
    context = getattr(runtime, "context", None)
    return context if isinstance(context, AgentContext) else None


def _chunks(message: AIMessage) -> Iterator[ChatGenerationChunk]:
    """The streamed form of ``message``: its tool calls in one chunk, else its text word by word."""
    if message.tool_calls:
        chunks = [tool_call_chunk(name=c["name"], args=json.dumps(c["args"]), id=c["id"], index=i)
                  for i, c in enumerate(message.tool_calls)]
        yield ChatGenerationChunk(message=AIMessageChunk(
            content="", tool_call_chunks=chunks, response_metadata=message.response_metadata))
        return
    words = re.findall(r"\S+\s*", str(message.content))
    for i, word in enumerate(words):
        last = i == len(words) - 1
        chunk = AIMessageChunk(content=word, response_metadata=message.response_metadata if last else {})
        yield ChatGenerationChunk(message=chunk)


def _tool_schemas(tools: Sequence[Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for tool in tools:
        spec = tool if isinstance(tool, dict) else convert_to_openai_tool(tool)
        fn = spec.get("function", spec)
        if fn.get("name"):
            out[fn["name"]] = fn.get("parameters") or {}
    return out


def _role_from_tools(schemas: dict[str, Any]) -> str | None:
    if "scan_risk" in schemas or "run_analytics" in schemas:
        return "ops"
    if "find_customer" in schemas:
        return "support"
    if "list_my_orders" in schemas:
        return "customer"
    return None


def _calls(step: planner.Calls, n_prior: int, intent: str) -> AIMessage:
    calls = [{"name": name, "args": args, "id": f"call_{n_prior + i + 1}", "type": "tool_call"}
             for i, (name, args) in enumerate(step.calls)]
    return AIMessage(content=step.text, tool_calls=calls, response_metadata={"promesa": {"intent": str(intent), "kind": "tool_calls"}})


def _text(text: str, intent: str, kind: str, meta: dict[str, Any] | None = None) -> AIMessage:
    return AIMessage(content=text, response_metadata={"promesa": meta or {"intent": str(intent), "kind": kind}})
