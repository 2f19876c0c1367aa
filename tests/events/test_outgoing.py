"""Outgoing "sellable online" events: outbox written with the change, relayed to the real RabbitMQ.

Once per threshold crossing (never on a change that keeps the level), nothing when the change
rolls back, ordered per SKU, a failed send retried after its backoff without being overtaken.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

import aio_pika
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from promesa.domain.availability import online_sellable
from promesa.domain.deps import Deps
from promesa.domain.events import outgoing
from promesa.domain.events.ingest import ingest
from promesa.events.relay import relay
from promesa.principal import SYSTEM
from promesa.store.db import session_factory
from promesa.store.enums import Channel
from promesa.store.models import InventoryPosition, OutgoingEvent
from tests.domain.events_helpers import NOW, ev, send, settings, world

AMQP = "amqp://guest:guest@127.0.0.1:5672/"
STORE, DC = "MX-STORE-01", "DC-CDMX-01"


def _web_events(session: Session) -> list[dict]:
    session.expire_all()
    rows = session.scalars(select(OutgoingEvent).where(OutgoingEvent.key == "SKU-1/web").order_by(OutgoingEvent.id))
    return [r.envelope for r in rows]


def _only_store_stock(session: Session, on_hand: int) -> None:
    """SKU-1 sellable on the web only from the store: ``on_hand`` − 1 reserved."""
    world(session)
    session.execute(update(InventoryPosition).where(InventoryPosition.node_id == DC).values(on_hand=0))
    session.execute(update(InventoryPosition).where(InventoryPosition.node_id == STORE)
                    .values(on_hand=on_hand, safety_stock=0))
    session.commit()


def _sale(qty: int, minutes: float) -> dict:
    return ev("inventory.pos_sale", {"node_id": STORE, "sku": "SKU-1", "quantity": qty}, minutes=minutes)


def test_an_event_per_threshold_crossing_and_none_within_a_level(session):
    _only_store_stock(session, 9)  # web sellable 8: in stock (threshold 5)
    assert online_sellable(session, "SKU-1")[Channel.web] == 8
    send(session, _sale(1, 1))  # 7: first announcement, in stock
    send(session, _sale(1, 2))  # 6: still in stock -> nothing
    send(session, _sale(2, 3))  # 4: low
    send(session, _sale(1, 4))  # 3: low -> nothing
    send(session, ev("inventory.shrink", {"node_id": STORE, "sku": "SKU-1", "quantity": 3}, minutes=5))  # 0
    events = _web_events(session)
    assert [(e["data"]["level"], e["data"]["sellable"], e["data"]["previous_level"]) for e in events] == [
        ("in_stock", 7, None), ("low", 4, "in_stock"), ("out_of_stock", 0, "low")]
    assert [e["sequence"] for e in events] == ["1", "2", "3"]
    assert [e["id"] for e in events] == [f"sellable:SKU-1:web:{n}" for n in (1, 2, 3)]
    assert {e["type"] for e in events} == {"promesa.availability.sellable_changed.v1"}
    assert all(e["specversion"] == "1.0" and e["subject"] == "SKU-1" for e in events)


def test_a_rolled_back_change_announces_nothing(session):
    _only_store_stock(session, 9)
    send(session, _sale(1, 1))
    before = _web_events(session)
    result = ingest(Deps(session=session, principal=SYSTEM, now=NOW, settings=settings()), _sale(5, 2))
    assert result.status == "accepted"  # 7 -> 2: low, to be written at the commit
    session.rollback()
    assert _web_events(session) == before
    send(session, _sale(1, 3))  # a later transaction does not inherit the rolled-back change
    assert _web_events(session) == before


def test_several_events_in_one_transaction_announce_at_its_commit(session):
    _only_store_stock(session, 9)
    deps = Deps(session=session, principal=SYSTEM, now=NOW, settings=settings())
    for i in range(3):  # 8 -> 5 (low) -> ... all in one transaction, as a dead-letter replay does
        ingest(deps, _sale(1, i + 1))
    assert _web_events(session) == []  # nothing before the commit
    session.commit()
    assert [(e["data"]["level"], e["data"]["sellable"]) for e in _web_events(session)] == [("low", 5)]


def test_a_rejected_sale_or_a_stale_one_announces_nothing(session):
    _only_store_stock(session, 9)
    send(session, _sale(1, 1))
    assert send(session, _sale(50, 2)).status == "rejected"
    assert len(_web_events(session)) == 1


def test_due_keeps_per_sku_order_and_backs_off_after_a_failure(session):
    _only_store_stock(session, 9)
    for i, qty in enumerate((1, 3, 4)):  # in stock, low, out of stock
        send(session, _sale(qty, i + 1))
    deps = Deps(session=session, principal=SYSTEM, now=NOW, settings=settings())
    first = outgoing.due(deps)
    assert [r.id for r in first] == sorted(r.id for r in first)  # in the order written
    assert [r.envelope["data"]["level"] for r in first if r.key == "SKU-1/web"] == ["in_stock", "low", "out_of_stock"]
    web = next(r for r in first if r.key == "SKU-1/web")
    outgoing.failed(deps, web, "ConnectionError: broker down")
    assert web.attempts == 1 and web.next_attempt_at == NOW + timedelta(seconds=2)
    assert all(r.key != "SKU-1/web" for r in outgoing.due(deps))  # blocked: nothing overtakes it
    later = Deps(session=session, principal=SYSTEM, now=NOW + timedelta(seconds=3), settings=settings())
    assert next(r for r in outgoing.due(later) if r.key == "SKU-1/web").id == web.id
    for _ in range(12):
        outgoing.failed(deps, web, "still down")
    assert web.next_attempt_at == NOW + timedelta(seconds=settings().outbox_max_backoff_seconds)


async def _drain(queue: str, n: int) -> list[aio_pika.abc.AbstractIncomingMessage]:
    connection = await aio_pika.connect_robust(AMQP)
    got = []
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True)
        for _ in range(50):
            message = await declared.get(fail=False)
            if message is None:
                if len(got) >= n:
                    break
                await asyncio.sleep(0.1)
                continue
            await message.ack()
            got.append(message)
        await channel.queue_delete(queue)
    finally:
        await connection.close()
    return got


def test_the_relay_publishes_to_rabbitmq_once_in_order(engine):
    with Session(engine) as session:
        _only_store_stock(session, 9)
        for i, qty in enumerate((1, 3, 4)):
            send(session, _sale(qty, i + 1))
    exchange, queue = f"i17b.outgoing.{uuid.uuid4().hex[:8]}", f"i17b.outgoing.q.{uuid.uuid4().hex[:8]}"
    sessions = session_factory(engine)
    stats = asyncio.run(relay(AMQP, exchange, sessions=sessions, settings=settings(), now=lambda: NOW,
                              idle_seconds=0.2, interval=0.05, declare_queue=queue))
    with Session(engine) as session:
        rows = session.scalars(select(OutgoingEvent).order_by(OutgoingEvent.id)).all()
    assert stats.sent == len(rows) and stats.failed == 0 and all(r.published_at == NOW for r in rows)
    again = asyncio.run(relay(AMQP, exchange, sessions=sessions, settings=settings(), now=lambda: NOW, once=True))
    assert again.sent == 0  # sent once: a second relay finds nothing due
    messages = asyncio.run(_drain(queue, len(rows)))
    bodies = [json.loads(m.body) for m in messages]
    assert [b["id"] for b in bodies] == [r.event_id for r in rows]
    assert [m.message_id for m in messages] == [r.event_id for r in rows]
    web = [b for b in bodies if b["data"]["channel"] == "web"]
    assert [b["data"]["level"] for b in web] == ["in_stock", "low", "out_of_stock"]
    assert all(m.routing_key == "promesa.availability.sellable_changed.v1" for m in messages)
    asyncio.run(_delete_exchange(exchange))


async def _delete_exchange(name: str) -> None:
    connection = await aio_pika.connect_robust(AMQP)
    try:
        channel = await connection.channel()
        await channel.exchange_delete(name)
    finally:
        await connection.close()
