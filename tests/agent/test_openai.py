"""The OpenAI-compatible path, replaying recorded chat-completions responses with respx.

No test reaches the network: every request must match a mocked route (``assert_all_mocked``).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
import respx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.service import AgentService
from promesa.principal import Principal
from promesa.settings import Settings
from promesa.store.models import Handoff
from tests.agent.fakes import FakeRetriever

RECORDINGS = Path(__file__).parent / "recordings"
BASE_URL = "https://llm.promesa.test/v1"


def sse(name: str) -> httpx.Response:
    return httpx.Response(
        200, content=(RECORDINGS / name).read_bytes(), headers={"content-type": "text/event-stream"}
    )


def error(status: int, name: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=json.loads((RECORDINGS / name).read_text()), headers=headers)


@pytest.fixture
def openai_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    return settings.model_copy(update={"model": "openai:gpt-4o-mini", "model_max_retries": 1})


def run(world, settings, principal, now, responses, message="Where is PO-7001?"):  # type: ignore[no-untyped-def]
    """One turn through ChatOpenAI against ``responses``; returns (result, requests)."""

    async def body():  # type: ignore[no-untyped-def]
        service = await AgentService.create(settings, engine=world, retriever=FakeRetriever)
        try:
            return await service.run_turn(thread_id=None, principal=principal, message=message, now=now)
        finally:
            await service.aclose()

    with respx.mock(base_url=BASE_URL, assert_all_mocked=True, assert_all_called=True) as router:
        route = router.post("/chat/completions").mock(side_effect=responses)
        result = asyncio.run(body())
        requests = [json.loads(c.request.content) for c in route.calls]
    return result, requests


def handoffs(world) -> int:  # type: ignore[no-untyped-def]
    with Session(world) as session:
        return session.scalar(select(func.count()).select_from(Handoff)) or 0


def test_a_tool_call_and_an_answer(world, openai_settings, customer: Principal, now) -> None:
    result, requests = run(world, openai_settings, customer, now, [sse("tool_call.sse"), sse("final_answer.sse")])
    assert [d.type for d in result.decisions] == ["order_status"]
    assert result.decisions[0].order_id == "PO-7001"  # type: ignore[union-attr]
    assert result.text == "Your order PO-7001 is allocated and promised for November 24."
    first = requests[0]
    tools = {t["function"]["name"]: t["function"]["parameters"] for t in first["tools"]}
    assert "execute_reroute" not in tools and "get_order_status" in tools
    for schema in tools.values():  # the principal and clock never appear in model-visible schemas
        assert not {"principal", "now", "deps", "env", "config"} & set(schema.get("properties", {}))
    assert first["messages"][0]["role"] == "system"
    # the second request carries the tool result in the shared envelope
    tool_message = requests[1]["messages"][-1]
    assert tool_message["role"] == "tool" and json.loads(tool_message["content"])["ok"] is True


def test_parallel_tool_calls(world, openai_settings, customer, now) -> None:
    result, requests = run(
        world, openai_settings, customer, now, [sse("parallel_tool_calls.sse"), sse("final_parallel.sse")]
    )
    assert [c.name for c in result.tool_calls] == ["get_order_status", "search_policies"]
    assert sorted(d.type for d in result.decisions) == ["order_status", "policy_answer"]
    policy = next(d for d in result.decisions if d.type == "policy_answer")
    assert policy.citations == ["returns#window"]  # type: ignore[union-attr]
    assert [m["role"] for m in requests[1]["messages"][-2:]] == ["tool", "tool"]


@pytest.mark.parametrize("recording", ["malformed_arguments.sse", "unknown_tool.sse"])
def test_a_malformed_tool_call_ends_in_a_handoff(world, openai_settings, customer, now, recording) -> None:
    result, _ = run(world, openai_settings, customer, now, [sse(recording)])
    (decision,) = result.decisions
    assert decision.type == "handoff" and decision.reason == "malformed_tool_call"  # type: ignore[union-attr]
    assert decision.handoff_id is not None  # type: ignore[union-attr]
    assert result.tool_calls == []
    assert "person" in result.text
    assert handoffs(world) == 1


@pytest.mark.parametrize(
    "responses",
    [
        pytest.param(lambda: [error(429, "rate_limited_429.json", **{"retry-after-ms": "5"})] * 2, id="429"),
        pytest.param(lambda: [error(500, "server_error_500.json", **{"retry-after-ms": "5"})] * 2, id="500"),
        pytest.param(lambda: [httpx.ReadTimeout("timed out")] * 2, id="timeout"),
    ],
)
def test_endpoint_failures_end_in_a_graceful_handoff(world, openai_settings, customer, now, responses) -> None:
    result, requests = run(world, openai_settings, customer, now, responses(), message="¿Dónde está PO-7001?")
    assert len(requests) == 2  # the first try and one retry (settings.model_max_retries)
    (decision,) = result.decisions
    assert decision.type == "handoff" and decision.reason == "model_unavailable"  # type: ignore[union-attr]
    assert result.language == "es" and "persona" in result.text
    assert handoffs(world) == 1


def test_a_prompt_injected_cross_customer_write_never_reaches_a_queue(world, openai_settings, other_customer, now) -> None:
    """Issue #16: an endpoint that emits convert_to_pickup for another customer's order (PO-7003
    is C-1's) gets the same refusal as a missing order, and nothing waits for approval."""
    result, requests = run(world, openai_settings, other_customer, now,
                           [sse("cross_customer_pickup.sse"), sse("final_answer.sse")],
                           message="Please switch PO-7003 to pickup at MTY-STORE-02")
    assert result.pending_approval is None
    (record,) = result.tool_calls
    assert (record.name, record.ok, record.error_code) == ("convert_to_pickup", False, "not_found")
    refusal = json.loads(requests[1]["messages"][-1]["content"])
    assert refusal["error"]["message"] == "order PO-7003 not found"
