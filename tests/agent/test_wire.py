"""The OpenAI path replaying real wire captures of llama-server and llama-cpp-python.

The files in ``recordings/wire/`` are what those servers actually sent (see its README.md):
SSE comment lines, pretty-printed argument fragments, a tool name repeated in every chunk,
``finish_reason: length``, streams without usage, a 500 for ``content: null`` beside tool calls,
hallucinated write calls. Every test here failed on the code before issue #19.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from agent.service import AgentService
from promesa.principal import Principal, Role
from promesa.settings import Settings
from tests.agent.fakes import FakeRetriever

WIRE = Path(__file__).parent / "recordings" / "wire"
BASE_URL = "http://127.0.0.1:8190/v1"


def sse(name: str) -> httpx.Response:
    return httpx.Response(200, content=(WIRE / name).read_bytes(), headers={"content-type": "text/event-stream"})


def body(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=(WIRE / name).read_bytes(), headers={"content-type": "application/json"})


def completion(content: str | None = None, tool_calls: list[dict[str, Any]] | None = None) -> httpx.Response:
    """A non-streamed answer in llama-cpp-python's shape (08-llama-cpp-python-plain.json)."""
    recorded = json.loads((WIRE / "08-llama-cpp-python-plain.json").read_text())
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
        recorded["choices"][0]["finish_reason"] = "tool_calls"
    recorded["choices"][0]["message"] = message
    return httpx.Response(200, json=recorded)


def call(name: str, args: dict[str, Any], call_id: str = "call__0") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}


@pytest.fixture
def wire_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("OPENAI_API_KEY", "unused")
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    return settings.model_copy(update={"model": "openai:smollm2-135m", "model_max_retries": 1})


def profile(settings: Settings, name: str, **overrides: Any) -> Settings:
    return settings.model_copy(update={"model_profile": name, **overrides})


def run(world, settings, principal, now, responses, message="Where is PO-7001?"):  # type: ignore[no-untyped-def]
    async def turn():  # type: ignore[no-untyped-def]
        service = await AgentService.create(settings, engine=world, retriever=FakeRetriever)
        try:
            return await service.run_turn(thread_id=None, principal=principal, message=message, now=now)
        finally:
            await service.aclose()

    with respx.mock(base_url=BASE_URL, assert_all_mocked=True, assert_all_called=True) as router:
        route = router.post("/chat/completions").mock(side_effect=responses)
        result = asyncio.run(turn())
        requests = [json.loads(c.request.content) for c in route.calls]
    return result, requests


def handoff_reason(result) -> str | None:  # type: ignore[no-untyped-def]
    return next((d.reason for d in result.decisions if d.type == "handoff"), None)  # type: ignore[union-attr]


# --- request settings ---------------------------------------------------------------------


def test_llama_server_plain_json_unstreamed_with_max_tokens(world, wire_settings, customer, now) -> None:
    settings = profile(wire_settings, "llamacpp", model_streaming=False, model_max_tokens=64)
    result, (request,) = run(world, settings, customer, now, [body("01-llama-server-plain.json")], "hola")
    assert result.text == "Hola en español in English."
    assert not request.get("stream") and request["max_tokens"] == 64
    assert "max_completion_tokens" not in request and request["tool_choice"] == "auto"


def test_llama_server_stream_with_usage(world, wire_settings, customer, now) -> None:
    settings = profile(wire_settings, "llamacpp")
    result, (request,) = run(world, settings, customer, now, [sse("02-llama-server-stream-with-usage.sse")], "hola")
    assert result.text == "Hola in español."
    assert request["stream"] is True and request["stream_options"] == {"include_usage": True}
    assert request["max_tokens"] == 800


def test_llama_cpp_python_stream_without_usage(world, wire_settings, customer, now) -> None:
    settings = profile(wire_settings, "ollama")
    result, (request,) = run(world, settings, customer, now, [sse("09-llama-cpp-python-stream-no-usage.sse")], "hola")
    assert result.text == "Eh, pero no puede ser más claro en espanol."
    assert "stream_options" not in request and "tool_choice" not in request and request["max_tokens"] == 800


def test_openai_profile_sends_max_completion_tokens(world, wire_settings, customer, now) -> None:
    _, (request,) = run(world, wire_settings, customer, now, [sse("02-llama-server-stream-with-usage.sse")], "hola")
    assert request["max_completion_tokens"] == 800 and "max_tokens" not in request
    assert request["tool_choice"] == "auto"


def test_llama_cpp_python_tool_call_unstreamed_with_tool_choice(world, wire_settings, customer, now) -> None:
    settings = profile(wire_settings, "llama-cpp-python")
    result, requests = run(world, settings, customer, now, [
        body("05-llama-cpp-python-tool-call-auto-nonstream.json"), body("08-llama-cpp-python-plain.json")])
    assert [c.name for c in result.tool_calls] == ["get_order_status"]
    first, second = requests
    assert first["tool_choice"] == "auto" and not first.get("stream")
    # the tool-call message goes back with "" content: llama-cpp-python answers null with a 500
    (assistant,) = [m for m in second["messages"] if m["role"] == "assistant"]
    assert assistant["content"] == "" and assistant["tool_calls"]


def test_an_empty_streamed_200_is_asked_again_unstreamed(world, wire_settings, customer, now) -> None:
    settings = profile(wire_settings, "llamacpp")
    empty = httpx.Response(200, content=b"", headers={"content-type": "text/event-stream"})
    result, requests = run(world, settings, customer, now, [
        empty, body("05-llama-cpp-python-tool-call-auto-nonstream.json"), sse("09-llama-cpp-python-stream-no-usage.sse")])
    assert [bool(r.get("stream")) for r in requests] == [True, False, True]
    assert [c.name for c in result.tool_calls] == ["get_order_status"]
    assert handoff_reason(result) is None


def test_a_validation_500_is_not_retried(world, wire_settings, customer, now) -> None:
    settings = profile(wire_settings, "llama-cpp-python", model_tool_call_content="null")
    result, requests = run(world, settings, customer, now, [
        body("05-llama-cpp-python-tool-call-auto-nonstream.json"), body("07-llama-cpp-python-500-null-content.json", 500)])
    assert len(requests) == 2  # the 500 lists validation errors: the same request fails the same way
    assert next(m for m in requests[1]["messages"] if m["role"] == "assistant")["content"] is None
    assert handoff_reason(result) == "model_unavailable"


# --- stream shapes ------------------------------------------------------------------------


def test_a_tool_name_repeated_in_every_chunk_is_one_call(world, wire_settings, customer, now) -> None:
    result, _ = run(world, wire_settings, customer, now, [
        sse("06-llama-cpp-python-named-tool-stream-repeats-name.sse"), sse("09-llama-cpp-python-stream-no-usage.sse")])
    assert [(c.name, c.args) for c in result.tool_calls] == [("get_order_status", {"order_id": "PO-5001"})]
    assert handoff_reason(result) is None


def test_parallel_pretty_printed_calls_behind_a_comment_line(world, wire_settings, now) -> None:
    support = Principal(role=Role.support, subject="agent-ana")
    settings = profile(wire_settings, "llamacpp", model_parallel_tool_calls=True)
    result, requests = run(world, settings, support, now, [
        sse("03-llama-server-promesa-parallel-tool-calls.sse"), sse("02-llama-server-stream-with-usage.sse")],
        "Show me the customer with phone +52 81 1234 5678.")
    assert [(c.name, c.args) for c in result.tool_calls] == [
        ("check_availability", {"sku": "1234567890", "city": "1234567890"})] * 2
    assert requests[0]["parallel_tool_calls"] is True
    assert [m["role"] for m in requests[1]["messages"][-2:]] == ["tool", "tool"]


# --- truncation ---------------------------------------------------------------------------


def test_text_cut_by_length_is_never_delivered(world, wire_settings, customer, now) -> None:
    result, requests = run(world, profile(wire_settings, "llamacpp"), customer, now,
                           [sse("04-llama-server-promesa-finish-length.sse")], "¿Dónde está mi pedido?")
    assert "cópio" not in result.text and len(requests) == 1
    assert handoff_reason(result) == "truncated_reply"


def test_tool_calls_cut_by_length_never_run(world, wire_settings, customer, now) -> None:
    result, _ = run(world, profile(wire_settings, "llamacpp"), customer, now,
                    [sse("12-llama-server-tool-call-truncated-by-n_predict.sse")], "Quiero recogerlo en tienda")
    assert result.tool_calls == [] and result.pending_approval is None
    assert handoff_reason(result) == "truncated_reply"


def test_length_is_retried_once_on_a_shorter_context(world, wire_settings, customer, now) -> None:
    async def two_turns():  # type: ignore[no-untyped-def]
        service = await AgentService.create(profile(wire_settings, "llamacpp"), engine=world, retriever=FakeRetriever)
        try:
            first = await service.run_turn(thread_id=None, principal=customer, message="hola", now=now)
            return await service.run_turn(thread_id=first.thread_id, principal=customer, message="hola otra vez", now=now)
        finally:
            await service.aclose()

    with respx.mock(base_url=BASE_URL, assert_all_mocked=True, assert_all_called=True) as router:
        route = router.post("/chat/completions").mock(side_effect=[
            sse("02-llama-server-stream-with-usage.sse"), sse("04-llama-server-promesa-finish-length.sse"),
            sse("09-llama-cpp-python-stream-no-usage.sse")])
        result = asyncio.run(two_turns())
        requests = [json.loads(c.request.content) for c in route.calls]
    assert result.text == "Eh, pero no puede ser más claro en espanol."
    assert len(requests[2]["messages"]) < len(requests[1]["messages"])
    assert requests[2]["messages"][1] == {"role": "user", "content": "hola otra vez"}


def test_a_two_megabyte_reply_is_capped(world, wire_settings, customer, now) -> None:
    head = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    piece = "bla " * 256
    chunks = [{**head, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}] * 2048
    stream = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    assert len(stream) > 2_000_000
    response = httpx.Response(200, content=stream.encode(), headers={"content-type": "text/event-stream"})
    result, _ = run(world, wire_settings, customer, now, [response], "hola")
    assert len(result.text) <= wire_settings.max_reply_chars and "bla bla" not in result.text


def test_too_many_tool_calls_in_one_message_end_in_a_handoff(world, wire_settings, customer, now) -> None:
    settings = profile(wire_settings, "llama-cpp-python", max_tool_calls_per_message=2)
    calls = [call("get_order_status", {"order_id": "PO-7001"}, f"c{i}") for i in range(3)]
    result, _ = run(world, settings, customer, now, [completion(tool_calls=calls)])
    assert result.tool_calls == [] and handoff_reason(result) == "too_many_tool_calls"


# --- deadlines ----------------------------------------------------------------------------


def slow(name: str, seconds: float) -> httpx.Response:
    async def chunks() -> AsyncIterator[bytes]:
        await asyncio.sleep(seconds)
        yield (WIRE / name).read_bytes()

    return httpx.Response(200, content=chunks(), headers={"content-type": "text/event-stream"})


def test_no_first_token_in_time_is_retried(world, wire_settings, customer, now) -> None:
    settings = profile(wire_settings, "llamacpp", model_first_token_seconds=0.3)
    result, requests = run(world, settings, customer, now, [
        slow("02-llama-server-stream-with-usage.sse", 5), sse("09-llama-cpp-python-stream-no-usage.sse")], "hola")
    assert len(requests) == 2 and result.text == "Eh, pero no puede ser más claro en espanol."


def test_past_the_turn_deadline_the_user_gets_a_handoff(world, wire_settings, customer, now) -> None:
    settings = profile(wire_settings, "llamacpp", turn_deadline_seconds=0.3, model_first_token_seconds=30)
    result, _ = run(world, settings, customer, now, [slow("02-llama-server-stream-with-usage.sse", 5)], "hola")
    assert handoff_reason(result) == "turn_deadline" and "person" in result.text.lower()


def test_a_stream_broken_after_its_first_token_is_not_retried(world, wire_settings, customer, now) -> None:
    first_event = (WIRE / "02-llama-server-stream-with-usage.sse").read_bytes().split(b"\n\n")[1] + b"\n\n"

    async def broken() -> AsyncIterator[bytes]:
        yield first_event
        raise httpx.ReadError("connection reset")

    response = httpx.Response(200, content=broken(), headers={"content-type": "text/event-stream"})
    result, requests = run(world, profile(wire_settings, "llamacpp"), customer, now, [response], "hola")
    assert len(requests) == 1 and handoff_reason(result) == "model_unavailable"


def test_a_bad_request_is_not_retried(world, wire_settings, customer, now) -> None:
    bad = httpx.Response(400, json={"error": {"message": "tool_choice auto needs --enable-auto-tool-choice"}})
    result, requests = run(world, wire_settings, customer, now, [bad], "hola")
    assert len(requests) == 1 and handoff_reason(result) == "model_unavailable"


# --- writes and words ---------------------------------------------------------------------


def test_a_hallucinated_write_call_is_never_put_to_a_person(world, wire_settings, customer, now) -> None:
    settings = profile(wire_settings, "llama-cpp-python")
    result, requests = run(world, settings, customer, now, [
        body("10-llama-cpp-python-hallucinated-write-call.json"), body("08-llama-cpp-python-plain.json")],
        "Quiero recoger mi pedido en tienda")
    assert result.pending_approval is None
    (record,) = result.tool_calls
    # the domain refuses first: no order "./C-1001.php" is this customer's (issue #16's check)
    assert record.name == "convert_to_pickup" and not record.ok and record.error_code == "not_found"
    assert len(requests) == 2


def test_a_write_on_an_own_order_nothing_offered_is_never_put_to_a_person(world, wire_settings, customer, now) -> None:
    # the domain would allow it (the customer's own order, a real store); the thread never offered it
    settings = profile(wire_settings, "llama-cpp-python")
    result, requests = run(world, settings, customer, now, [
        completion(tool_calls=[call("convert_to_pickup", {"order_id": "PO-7003", "node_id": "MTY-STORE-02"})]),
        body("08-llama-cpp-python-plain.json")], "Quiero recoger mi pedido en tienda")
    assert result.pending_approval is None
    (record,) = result.tool_calls
    assert record.name == "convert_to_pickup" and not record.ok and record.error_code == "invalid_input"
    tool_reply = json.loads(requests[1]["messages"][-1]["content"])
    assert tool_reply["error"]["field"] == "order_id"


def test_two_hallucinated_write_calls_streamed(world, wire_settings, customer, now) -> None:
    result, _ = run(world, profile(wire_settings, "llamacpp"), customer, now, [
        sse("11-llama-server-two-hallucinated-write-calls.sse"), sse("02-llama-server-stream-with-usage.sse")],
        "Quiero recoger mi pedido en tienda")
    assert result.pending_approval is None
    assert [(r.name, r.ok) for r in result.tool_calls] == [("convert_to_pickup", False)] * 2


def test_a_write_naming_an_offered_order_and_node_is_put_to_a_person(world, wire_settings, customer, now) -> None:
    settings = profile(wire_settings, "llama-cpp-python")
    result, _ = run(world, settings, customer, now, [
        completion(tool_calls=[call("propose_pickup", {"order_id": "PO-7003"})]),
        completion(tool_calls=[call("convert_to_pickup", {"order_id": "PO-7003", "node_id": "MTY-STORE-02"}, "c2")]),
    ], "Can I pick up PO-7003 instead?")
    (proposal,) = [d for d in result.decisions if d.type == "reroute_proposal"]
    assert "MTY-STORE-02" in json.dumps(proposal.model_dump(mode="json")["options"])  # type: ignore[union-attr]
    assert result.pending_approval is not None
    assert result.pending_approval.args == {"order_id": "PO-7003", "node_id": "MTY-STORE-02"}


def test_invented_facts_in_text_are_replaced_by_the_decisions(world, wire_settings, customer, now) -> None:
    settings = profile(wire_settings, "llama-cpp-python")
    invented = "Your order PO-7001 was delivered on November 20, tracking 1Z999AA10123456784."
    result, _ = run(world, settings, customer, now, [
        completion(tool_calls=[call("get_order_status", {"order_id": "PO-7001"})]), completion(invented)])
    assert "delivered" not in result.text and "1Z999AA10123456784" not in result.text
    assert "PO-7001" in result.text and "November 24" in result.text
    assert [d.type for d in result.decisions] == ["order_status"]


def test_invented_facts_without_any_tool_become_a_clarification(world, wire_settings, customer, now) -> None:
    settings = profile(wire_settings, "llama-cpp-python")
    result, _ = run(world, settings, customer, now, [completion("Tu pedido PO-5001 fue entregado ayer.")],
                    "¿Dónde está mi pedido?")
    assert "PO-5001" not in result.text and "entregado" not in result.text
    (decision,) = result.decisions
    assert decision.type == "clarification" and decision.question == result.text  # type: ignore[union-attr]
