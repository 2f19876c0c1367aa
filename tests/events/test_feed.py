"""The change feed reaches another worker: PostgreSQL LISTEN/NOTIFY and Redis pub/sub, for real."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from promesa.domain.events.ingest import EventResult, Status
from promesa.events import feed as feeds
from promesa.store.db import make_engine

CHANGE = {"kind": "inventory", "id": "N/S", "on_hand": 3}


def _result() -> EventResult:
    return EventResult(id=f"e-{uuid.uuid4()}", source="/s", type="promesa.inventory.pos_sale.v1",
                       status=Status.accepted, applied=True, changes=[CHANGE])


async def _one_through(writer: feeds.LocalFeed, reader: feeds.LocalFeed) -> dict:
    stream = reader.subscribe().__aiter__()
    waiting = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.2)  # the subscription is registered
    await asyncio.to_thread(writer.publish_result, _result())
    try:
        return await asyncio.wait_for(waiting, 10)
    finally:
        await stream.aclose()


def test_local_feed_delivers_in_process():
    feed = feeds.LocalFeed()
    got = asyncio.run(_one_through(feed, feed))
    assert got["on_hand"] == 3 and got["event_type"] == "promesa.inventory.pos_sale.v1"


@pytest.mark.skipif(not os.environ.get("PROMESA_TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_postgres_listen_notify_reaches_another_worker():
    engine = make_engine(os.environ["PROMESA_TEST_DATABASE_URL"])
    writer, reader = feeds.PostgresFeed(engine), feeds.PostgresFeed(engine)
    reader.start()
    try:
        got = asyncio.run(_one_through(writer, reader))
    finally:
        reader.close()
        engine.dispose()
    assert got["id"] == "N/S"


async def _many_through(writer: feeds.LocalFeed, reader: feeds.LocalFeed, n: int) -> list[dict]:
    stream = reader.subscribe().__aiter__()
    first = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.2)  # the subscription is registered
    results = [_result().model_copy(update={"changes": [{**CHANGE, "on_hand": i}]}) for i in range(n)]
    await asyncio.to_thread(writer.publish_results, results)
    try:
        got = [await asyncio.wait_for(first, 10)]
        while len(got) < n:
            got.append(await asyncio.wait_for(stream.__anext__(), 10))
        return got
    finally:
        await stream.aclose()


@pytest.mark.skipif(not os.environ.get("PROMESA_TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_postgres_a_batch_arrives_whole_and_in_order():
    engine = make_engine(os.environ["PROMESA_TEST_DATABASE_URL"])
    writer, reader = feeds.PostgresFeed(engine), feeds.PostgresFeed(engine)
    reader.start()
    try:
        got = asyncio.run(_many_through(writer, reader, 150))
    finally:
        reader.close()
        engine.dispose()
    assert [c["on_hand"] for c in got] == list(range(150))


def test_redis_a_batch_arrives_whole_and_in_order(monkeypatch):
    monkeypatch.setattr(feeds, "REDIS_CHANNEL", f"i17-test:{uuid.uuid4().hex}")
    writer, reader = feeds.RedisFeed("redis://127.0.0.1:6379/7"), feeds.RedisFeed("redis://127.0.0.1:6379/7")
    reader.start()
    try:
        got = asyncio.run(_many_through(writer, reader, 50))
    finally:
        reader.close()
        writer.close()
    assert [c["on_hand"] for c in got] == list(range(50))


def test_redis_pubsub_reaches_another_worker(monkeypatch):
    monkeypatch.setattr(feeds, "REDIS_CHANNEL", f"i17-test:{uuid.uuid4().hex}")
    writer, reader = feeds.RedisFeed("redis://127.0.0.1:6379/0"), feeds.RedisFeed("redis://127.0.0.1:6379/0")
    reader.start()
    try:
        got = asyncio.run(_one_through(writer, reader))
    finally:
        reader.close()
        writer.close()
    assert got["id"] == "N/S"
