"""``promesa events relay``: send the outbox's events to a RabbitMQ exchange (aio-pika).

Each pass takes the due events (:func:`outgoing.due`: oldest first, one unsent per key, locked
with ``SKIP LOCKED``), publishes each with publisher confirms (the broker has it before we
mark it), and marks it sent — or failed, to be retried with backoff — in the pass's
transaction. A crash between the broker's confirm and the commit sends it again with the same
CloudEvents ``id`` (``message_id``): delivery is at least once, and consumers drop a repeat by
id. Events go to a durable topic exchange with routing key = the event type, persistent.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aio_pika

from promesa.domain.deps import Deps
from promesa.domain.events import outgoing
from promesa.principal import SYSTEM
from promesa.store.models import OutgoingEvent

log = logging.getLogger("promesa.events")


@dataclass
class RelayStats:
    passes: int = 0
    sent: int = 0
    failed: int = 0


async def _publish_due(exchange: Any, sessions: Any, settings: Any, now: Callable[[], Any],
                       stats: RelayStats) -> int:
    def take() -> tuple[Any, Deps, list[OutgoingEvent]]:
        session = sessions()
        session.begin()
        deps = Deps(session=session, principal=SYSTEM, now=now(), settings=settings)
        return session, deps, outgoing.due(deps)

    session, deps, rows = await asyncio.to_thread(take)
    try:
        blocked: set[str] = set()
        for row in rows:
            if row.key in blocked:  # an earlier event of this key failed in this pass
                continue
            try:
                await exchange.publish(
                    aio_pika.Message(json.dumps(row.envelope).encode(), message_id=row.event_id,
                                     content_type="application/cloudevents+json",
                                     delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                                     headers={"ce-type": row.type, "ce-subject": row.key}),
                    routing_key=row.type)
            except Exception as error:  # refused or unreachable: retried after the backoff
                outgoing.failed(deps, row, f"{type(error).__name__}: {error}")
                blocked.add(row.key)
                stats.failed += 1
            else:
                outgoing.published(deps, row)
                stats.sent += 1
        await asyncio.to_thread(session.commit)
    finally:
        await asyncio.to_thread(session.close)
    stats.passes += 1
    return len(rows)


async def relay(url: str, exchange_name: str, *, sessions: Any, settings: Any, now: Callable[[], Any],
                interval: float = 0.5, once: bool = False, idle_seconds: float | None = None,
                declare_queue: str | None = None) -> RelayStats:
    """Relay until cancelled (or one pass with ``once``; or until idle for ``idle_seconds``).

    ``declare_queue`` binds a durable queue of that name to every outgoing type (a consumer's
    queue, for tests and simple setups).
    """
    stats = RelayStats()
    connection = await aio_pika.connect_robust(url)
    idle = 0.0
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(exchange_name, aio_pika.ExchangeType.TOPIC, durable=True)
        if declare_queue:
            queue = await channel.declare_queue(declare_queue, durable=True)
            await queue.bind(exchange, routing_key="promesa.#")
        while True:
            handled = await _publish_due(exchange, sessions, settings, now, stats)
            if once:
                break
            idle = 0.0 if handled else idle + interval
            if idle_seconds is not None and idle >= idle_seconds:
                break
            await asyncio.sleep(interval)
    finally:
        await connection.close()
    return stats
