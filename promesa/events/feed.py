"""The change feed: what an applied event changed, fanned out to every worker's open surfaces.

A writer (an API worker, a consumer process) publishes the changes of each event after its
commit; every API worker listens and hands them to its server-sent-event subscribers. The
transport follows the deployment (DESIGN rule 6):

- SQLite (one process): in-process only;
- PostgreSQL: ``NOTIFY promesa_changes`` / ``LISTEN`` — every worker on every machine that
  shares the database hears every change, with nothing else to run;
- ``PROMESA_CHANGE_FEED_URL=redis://…``: Redis pub/sub on channel ``promesa:changes``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Engine, text

from promesa.domain.events.ingest import EventResult, Status
from promesa.settings import Settings

log = logging.getLogger("promesa.events")
CHANNEL = "promesa_changes"
REDIS_CHANNEL = "promesa:changes"
#: ``pg_notify`` once per payload, in the array's order (PostgreSQL delivers a transaction's
#: notifications in the order they were sent).
_NOTIFY_ALL = text("SELECT count(pg_notify(:channel, payload)) FROM "
                   "(SELECT payload FROM unnest(CAST(:payloads AS text[])) WITH ORDINALITY AS p(payload, n) "
                   "ORDER BY n) AS ordered")


def _changes(result: EventResult) -> list[dict[str, Any]]:
    if result.status is Status.rejected and result.error is not None:
        return [{"kind": "dead_letter", "id": result.id, "source": result.source,
                 "event_type": result.type, "code": result.error.code,
                 "field": result.error.field, "reason": result.error.reason}]
    if result.status is not Status.accepted or not result.applied:
        return []
    return [{**c, "event_type": result.type, "event_id": result.id} for c in result.changes]


class LocalFeed:
    """In-process fan-out; the base of the distributed feeds (they deliver through it)."""

    def __init__(self) -> None:
        self._subscribers: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[dict[str, Any]]]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def publish_result(self, result: EventResult) -> None:
        """Publish the changes of an applied event, or a rejected event's new dead letter
        (called after its commit)."""
        self.publish_results([result])

    def publish_results(self, results: list[EventResult]) -> None:
        """Publish the changes of a committed batch at once (one connection and one commit on
        PostgreSQL, instead of one per event)."""
        changes = [change for result in results for change in _changes(result)]
        if changes:
            self.publish(changes)

    def publish(self, changes: list[dict[str, Any]]) -> None:
        self.deliver(changes)

    def deliver(self, changes: list[dict[str, Any]]) -> None:
        with self._lock:
            targets = list(self._subscribers)
        for loop, queue in targets:
            for change in changes:
                try:
                    loop.call_soon_threadsafe(queue.put_nowait, change)
                except RuntimeError:  # that subscriber's loop has closed
                    pass

    async def subscribe(self) -> AsyncIterator[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=10_000)
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._subscribers.add(entry)
        try:
            while True:
                yield await queue.get()
        finally:
            with self._lock:
                self._subscribers.discard(entry)

    def start(self) -> None:
        """Start listening to other workers (nothing to do in-process)."""

    def close(self) -> None:
        self._stop.set()


class PostgresFeed(LocalFeed):
    """LISTEN/NOTIFY: NOTIFY after each commit, one listening connection per worker."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self._thread: threading.Thread | None = None

    def publish(self, changes: list[dict[str, Any]]) -> None:
        """NOTIFY each change, all in one statement: one notification per change keeps every
        payload under 8 kB, and one round trip for the lot (a statement per change cost 25 ms
        for a batch of 100, as long as ingesting it)."""
        with self.engine.connect() as connection:
            connection.execute(_NOTIFY_ALL, {"channel": CHANNEL,
                                             "payloads": [json.dumps(change) for change in changes]})
            connection.commit()

    def start(self) -> None:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._listen, args=(ready,), name="promesa-feed", daemon=True)
        self._thread.start()
        ready.wait(5)

    def _listen(self, ready: threading.Event) -> None:
        import psycopg

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    ready.set()
                    while not self._stop.is_set():
                        for note in connection.notifies(timeout=0.5):
                            self.deliver([json.loads(note.payload)])
            except Exception:  # the database went away: listen again shortly
                log.exception("change feed listener failed; reconnecting")
                self._stop.wait(1.0)

    def close(self) -> None:
        super().close()
        if self._thread is not None:
            self._thread.join(timeout=3)


class RedisFeed(LocalFeed):
    """Redis pub/sub on ``promesa:changes``."""

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis

        self.client = redis.Redis.from_url(url)
        self._thread: threading.Thread | None = None

    def publish(self, changes: list[dict[str, Any]]) -> None:
        """PUBLISH each change, in order, in one round trip (a pipeline)."""
        pipeline = self.client.pipeline(transaction=False)
        for change in changes:
            pipeline.publish(REDIS_CHANNEL, json.dumps(change))
        pipeline.execute()

    def start(self) -> None:
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]  # redis-py's pubsub() is unannotated
        pubsub.subscribe(REDIS_CHANNEL)
        self._thread = threading.Thread(target=self._listen, args=(pubsub,), name="promesa-feed", daemon=True)
        self._thread.start()

    def _listen(self, pubsub: Any) -> None:
        while not self._stop.is_set():
            try:
                message = pubsub.get_message(timeout=0.5)
            except Exception:
                log.exception("change feed listener failed")
                self._stop.wait(1.0)
                continue
            if message and message.get("type") == "message":
                self.deliver([json.loads(message["data"])])
        pubsub.close()

    def close(self) -> None:
        super().close()
        if self._thread is not None:
            self._thread.join(timeout=3)
        self.client.close()


def make_feed(settings: Settings, engine: Engine) -> LocalFeed:
    """The feed the deployment calls for (see the module docstring)."""
    if settings.change_feed_url:
        return RedisFeed(settings.change_feed_url)
    if engine.dialect.name == "postgresql":
        return PostgresFeed(engine)
    return LocalFeed()
