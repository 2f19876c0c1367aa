"""A support agent's reply lands in the customer's own conversation, from a person (#15)."""

from __future__ import annotations

import asyncio

import pytest

from agent.offline.model import OfflineChatModel
from agent.service import AgentService
from promesa.errors import NotFound
from tests.agent.fakes import FakeRetriever


def test_a_staff_reply_is_in_the_thread_as_from_a_person_and_the_thread_goes_on(world, settings, customer, now) -> None:
    async def body():  # type: ignore[no-untyped-def]
        service = await AgentService.create(settings, engine=world, model=OfflineChatModel(), retriever=FakeRetriever)
        try:
            first = await service.run_turn(thread_id=None, principal=customer, message="I'd like to talk to a person", now=now)
            tid = first.thread_id
            sent = await service.add_staff_reply(thread_id=tid, text="Hi Ana, I'm on it.", message_id="staff-abc12345")
            again = await service.add_staff_reply(thread_id=tid, text="Hi Ana, I'm on it.", message_id="staff-abc12345")
            history = await service.history(thread_id=tid, principal=customer)
            after = await service.run_turn(thread_id=tid, principal=customer, message="Where is PO-7001?", now=now)
            transcript = await service.transcript(thread_id=tid)
            with pytest.raises(NotFound):
                await service.add_staff_reply(thread_id="no-such-thread", text="hello", message_id="staff-x1234567")
            return first, sent, again, history, after, transcript
        finally:
            await service.aclose()

    first, sent, again, history, after, transcript = asyncio.run(body())
    assert any(d.type == "handoff" for d in first.decisions)
    assert sent == again == {"role": "staff", "content": "Hi Ana, I'm on it.", "id": "staff-abc12345"}
    staff = [m for m in history if m["role"] == "staff"]
    assert staff == [sent]  # once, though the request was retried
    assert history[-1] == sent  # the last thing the customer reads
    # the thread is not broken: the next question is answered as usual, the reply kept in place
    assert [d.type for d in after.decisions] == ["order_status"]
    roles = [m["role"] for m in transcript]
    assert roles.index("staff") < len(roles) - 1 and roles.count("staff") == 1
