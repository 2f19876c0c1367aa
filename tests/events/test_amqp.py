"""The AMQP consumer against the real RabbitMQ on 127.0.0.1:5672 (never skipped)."""

from __future__ import annotations

import asyncio
import json
import uuid

import aio_pika
from sqlalchemy.orm import Session

from promesa.events.amqp import consume, publish
from promesa.principal import SYSTEM
from promesa.store.db import session_factory
from promesa.store.models import DeadLetter, IngestedEvent, InventoryPosition
from tests.domain.events_helpers import NOW, ev, settings, world

AMQP = "amqp://guest:guest@127.0.0.1:5672/"


async def _depth(queue: str) -> int:
    connection = await aio_pika.connect_robust(AMQP)
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return declared.declaration_result.message_count
    finally:
        await connection.close()


async def _cleanup(queue: str) -> None:
    connection = await aio_pika.connect_robust(AMQP)
    try:
        channel = await connection.channel()
        for name in (queue, f"{queue}.dead"):
            await channel.queue_delete(name)
        await channel.exchange_delete(f"{queue}.dlx")
    finally:
        await connection.close()


def test_two_consumers_share_a_queue_ack_after_commit_and_dead_letter_poison(engine):
    with Session(engine) as session:
        world(session)
    queue = f"i17-test-{uuid.uuid4().hex[:10]}"
    sales = [ev("inventory.pos_sale", {"node_id": "DC-CDMX-01", "sku": "SKU-1", "quantity": 1})
             for _ in range(6)]
    bodies = [json.dumps(e).encode() for e in sales]
    bodies += [bodies[0], bodies[1]]  # redeliveries
    bodies += [b"{not json", json.dumps(ev("inventory.pos_sale", {"node_id": "DC-CDMX-01"})).encode()]
    sessions = session_factory(engine)

    async def run() -> tuple:
        await publish(AMQP, queue, bodies)
        consumers = [consume(AMQP, queue, sessions=sessions, principal=SYSTEM, settings=settings(),
                             now=lambda: NOW, prefetch=2, idle_seconds=1.5) for _ in range(2)]
        stats = await asyncio.gather(*consumers)
        return stats, await _depth(queue), await _depth(f"{queue}.dead")

    try:
        stats, left, dead = asyncio.run(run())
    finally:
        asyncio.run(_cleanup(queue))
    assert sum(s.messages for s in stats) == len(bodies)
    assert all(s.messages > 0 for s in stats)  # both consumers took a share
    assert sum(s.accepted for s in stats) == 6 and sum(s.duplicates for s in stats) == 2
    assert sum(s.rejected for s in stats) == 2
    assert left == 0 and dead == 2  # acked after commit; poison went to the dead-letter exchange
    with Session(engine) as session:
        assert session.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).on_hand == 10 - 6
        assert session.query(IngestedEvent).count() == 6
        letters = session.query(DeadLetter).all()
        assert len(letters) == 2 and {d.field for d in letters} == {"body", "data.sku"}
