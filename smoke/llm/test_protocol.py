"""Protocol smoke test of the OpenAI path against a real llama-server (`make llm-smoke`).

It asserts the protocol, never the answers' quality (a 135M model answers badly): the request
Promesa sends, streaming, tool-call plumbing, parallel calls, timeouts and truncation.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool

from agent.completion import TRUNCATED, CallPolicy, complete
from agent.model_errors import FirstTokenTimeout
from agent.models import HTTP_TRANSPORT, make_chat_model
from agent.openai_wire import tool_binding
from agent.service import AgentService
from evals.recorded import RecordingTransport
from promesa.settings import Settings
from tests.agent.fakes import FakeRetriever


@tool
def get_order_status(order_id: str) -> str:
    """Look up where an order is. order_id looks like PO-5001."""
    return order_id


@tool
def search_policies(query: str) -> str:
    """Search the store's return and delivery policies."""
    return query


ASK = [SystemMessage(content="You are a store assistant. Use the tools."),
       HumanMessage(content="Where is order PO-5001, and what is the returns policy?")]


@pytest.fixture
def wire(llama_server: str, settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server)
    monkeypatch.setenv("OPENAI_API_KEY", "unused")

    def build(**overrides: Any) -> tuple[Any, RecordingTransport, Settings]:
        configured = settings.model_copy(update={"model": "openai:smollm2-135m", "model_profile": "llamacpp",
                                                 "model_max_tokens": 96,
                                                 # a CPU shared with other work: reads may be slow
                                                 "model_timeout_seconds": 180.0, **overrides})
        transport = RecordingTransport()
        token = HTTP_TRANSPORT.set(transport)
        try:
            model = make_chat_model(configured)
        finally:
            HTTP_TRANSPORT.reset(token)
        return model, transport, configured

    return build


def bound(model: Any, settings: Settings) -> Any:
    return model.bind_tools([get_order_status, search_policies], **tool_binding(settings.model_request()))


def test_request_shape_and_streaming(wire) -> None:  # type: ignore[no-untyped-def]
    model, transport, settings = wire()
    message, _ = asyncio.run(complete(bound(model, settings), ASK, CallPolicy(streaming=True, first_token_seconds=60)))
    (request,) = transport.requests
    assert request["stream"] is True and request["max_tokens"] == 96 and "max_completion_tokens" not in request
    assert request["tool_choice"] == "auto" and request["stream_options"] == {"include_usage": True}
    assert {t["function"]["name"] for t in request["tools"]} == {"get_order_status", "search_policies"}
    body = transport.responses[0]["wire"]["body"]
    assert body.count("data: ") > 2 and body.rstrip().endswith("data: [DONE]")  # streamed, in chunks
    assert message.response_metadata.get("finish_reason") in ("stop", "tool_calls", "length")


def test_unstreamed_request(wire) -> None:  # type: ignore[no-untyped-def]
    model, transport, settings = wire(model_streaming=False)
    asyncio.run(complete(bound(model, settings), ASK, CallPolicy(streaming=False)))
    (request,) = transport.requests
    assert not request.get("stream") and "stream_options" not in request
    assert json.loads(transport.responses[0]["wire"]["body"])["object"] == "chat.completion"


@pytest.mark.parametrize("streaming", [True, False])
def test_tool_call_plumbing_and_parallel_calls(wire, streaming) -> None:  # type: ignore[no-untyped-def]
    model, transport, settings = wire(model_tool_choice="required", model_parallel_tool_calls=True,
                                      model_streaming=streaming)
    message, raw_ok = asyncio.run(complete(bound(model, settings), ASK, CallPolicy(streaming=streaming, first_token_seconds=60)))
    (request,) = transport.requests
    assert request["tool_choice"] == "required" and request["parallel_tool_calls"] is True
    if message.response_metadata.get(TRUNCATED):
        return  # cut by max_tokens: the graph never runs such calls (asserted in the unit tests)
    assert message.tool_calls, "tool_choice required must yield a tool call"
    for call in message.tool_calls:  # one name each (no repeats merged), an id, parsed arguments
        assert call["name"] in ("get_order_status", "search_policies") and call["id"]
        assert isinstance(call["args"], dict)
    assert raw_ok


def test_truncation_is_reported(wire) -> None:  # type: ignore[no-untyped-def]
    model, _, _ = wire(model_max_tokens=4)
    story = [HumanMessage(content="Write a long story about a parcel travelling across Mexico.")]
    message, _ = asyncio.run(complete(model, story, CallPolicy(streaming=True, first_token_seconds=60)))
    assert message.response_metadata.get("finish_reason") == "length"
    assert message.response_metadata.get(TRUNCATED) == "length"


def test_first_token_timeout(wire) -> None:  # type: ignore[no-untyped-def]
    model, transport, _ = wire()
    with pytest.raises(FirstTokenTimeout):
        asyncio.run(complete(model, ASK, CallPolicy(streaming=True, retries=1, first_token_seconds=0.001)))
    assert len(transport.requests) == 2  # retried once, before any token


def test_a_whole_turn_through_the_graph(wire, world, customer, now) -> None:  # type: ignore[no-untyped-def]
    _, _, settings = wire(model_max_tokens=128)

    async def turn():  # type: ignore[no-untyped-def]
        service = await AgentService.create(settings, engine=world, retriever=FakeRetriever)
        try:
            return await service.run_turn(thread_id=None, principal=customer, message="Where is PO-7001?", now=now)
        finally:
            await service.aclose()

    result = asyncio.run(turn())
    assert result.text and len(result.text) <= settings.max_reply_chars
    assert result.decisions, "every turn emits typed decisions"
    assert result.pending_approval is None or result.pending_approval.args.get("order_id") in ("PO-7001", "PO-7003")
