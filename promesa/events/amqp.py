"""``promesa events consume``: the same events from a RabbitMQ queue (aio-pika).

Each message is ingested in its own transaction and acknowledged only after the commit, so a
crash before the ack redelivers it — harmlessly, because ingestion is idempotent by event id.
A message whose event is rejected (unparseable, invalid, refused) is kept in the dead-letter
table and rejected without requeue, which RabbitMQ routes to the queue's dead-letter exchange
``<queue>.dlx`` (bound to ``<queue>.dead``). Any other failure (the database is down) is
nacked with requeue, to be tried again. Several consumers may share one queue: RabbitMQ hands
each message to one of them, ``prefetch`` at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue, AbstractRobustChannel

from promesa.domain.deps import Deps
from promesa.domain.events.envelope import read_body
from promesa.domain.events.ingest import EventResult, Status, ingest_each, reject
from promesa.errors import InvalidInput

log = logging.getLogger("promesa.events")


@dataclass
class ConsumeStats:
    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    requeued: int = 0
    results: list[EventResult] = field(default_factory=list)


async def declare(channel: AbstractRobustChannel, queue: str) -> AbstractQueue:
    """The durable queue with its dead-letter exchange and queue (idempotent)."""
    dlx = await channel.declare_exchange(f"{queue}.dlx", aio_pika.ExchangeType.FANOUT, durable=True)
    dead = await channel.declare_queue(f"{queue}.dead", durable=True)
    await dead.bind(dlx)
    return await channel.declare_queue(queue, durable=True,
                                       arguments={"x-dead-letter-exchange": f"{queue}.dlx"})


def _raws(message: AbstractIncomingMessage) -> list[Any]:
    """The events of a message; raises InvalidInput for a body that is no CloudEvent at all."""
    headers = {str(k): str(v) for k, v in (message.headers or {}).items()}
    if message.content_type:
        headers["content-type"] = message.content_type
    return read_body(headers, message.body)


def _poison(sessions: Any, principal: Any, now: Any, settings: Any, body: bytes,
            error: InvalidInput) -> list[EventResult]:
    raw = {"body": body.decode("utf-8", "replace")[:10_000]}
    with sessions() as session, session.begin():
        return [reject(Deps(session=session, principal=principal, now=now, settings=settings), raw, error)]


async def consume(url: str, queue: str, *, sessions: Any, principal: Any, settings: Any,
                  now: Callable[[], Any], prefetch: int = 32, idle_seconds: float | None = None,
                  on_commit: Callable[[EventResult], None] | None = None) -> ConsumeStats:
    """Consume ``queue`` until cancelled, or until no message came for ``idle_seconds``."""
    stats = ConsumeStats()
    connection = await aio_pika.connect_robust(url)
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=prefetch)
        source = await declare(channel, queue)
        async with source.iterator() as messages:
            while True:
                try:
                    message = await asyncio.wait_for(messages.__anext__(), idle_seconds)
                except (TimeoutError, StopAsyncIteration):
                    break
                await _handle(message, stats, sessions, principal, settings, now, on_commit)
    finally:
        await connection.close()
    return stats


async def _handle(message: AbstractIncomingMessage, stats: ConsumeStats, sessions: Any, principal: Any,
                  settings: Any, now: Callable[[], Any], on_commit: Any) -> None:
    stats.messages += 1
    try:
        try:
            raws = _raws(message)
        except InvalidInput as error:
            results = await asyncio.to_thread(_poison, sessions, principal, now(), settings,
                                              message.body, error)
        else:
            results = await asyncio.to_thread(ingest_each, sessions, principal, now(), settings,
                                              raws, on_commit)
    except Exception:  # the database or the process failed: leave the message for another try
        log.exception("event message %s failed; requeued", message.message_id)
        stats.requeued += 1
        await message.nack(requeue=True)
        return
    stats.results.extend(results)
    for result in results:
        if result.status is Status.accepted:
            stats.accepted += 1
        elif result.status is Status.duplicate:
            stats.duplicates += 1
        else:
            stats.rejected += 1
    if any(r.status is Status.rejected for r in results):
        await message.reject(requeue=False)  # -> <queue>.dlx -> <queue>.dead
    else:
        await message.ack()


async def publish(url: str, queue: str, bodies: list[bytes]) -> None:
    """Publish structured-mode CloudEvents to ``queue`` (tests, backfills)."""
    connection = await aio_pika.connect_robust(url)
    try:
        channel = await connection.channel()
        await declare(channel, queue)
        for body in bodies:
            await channel.default_exchange.publish(
                aio_pika.Message(body, content_type="application/cloudevents+json",
                                 delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=queue)
    finally:
        await connection.close()
