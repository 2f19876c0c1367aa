"""Where threads are checkpointed: a SQLite file by default, PostgreSQL by URL (DESIGN rule 6).

Also the per-thread turn lock: one turn at a time per thread (an asyncio lock in the process,
plus a PostgreSQL advisory lock when the checkpoints live on PostgreSQL, so several API
workers serialise turns on the same thread too). Different threads run in parallel.

The advisory lock is a session lock, so it holds a connection for the whole turn. That
connection comes from a lock pool of its own, never from the checkpointer's: a turn that holds
its lock must still be able to read and write checkpoints (issue #13: with one shared pool of
8, the 8th concurrent turn starved every other). The lock pool has one connection per turn
slot (``max_concurrent_turns``), so a slot holder always finds one.

A turn loads its thread's newest checkpoint once (issue #13: it was deserialised three times,
the largest cost of the API turn after the model): the turn's own read before the run fills a
slot that the graph's load at the start of the run takes. That is safe because the turn holds
its thread: nothing else writes the thread until the turn ends, and the first write (the
graph's ``aput``) closes the slot.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from weakref import WeakValueDictionary

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)

from promesa.settings import Settings


def checkpoint_target(settings: Settings) -> tuple[str, str]:
    """``("postgres", conninfo)`` or ``("sqlite", path)`` for this configuration.

    ``checkpoint_url`` wins; else a PostgreSQL ``database_url`` is followed; else a SQLite file
    ``checkpoints.db`` under ``data_dir``.
    """
    url = settings.checkpoint_url or settings.database_url or ""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgres", "postgresql://" + url[len(prefix):]
    if settings.checkpoint_url:
        path = settings.checkpoint_url.removeprefix("sqlite:///")
        return "sqlite", path
    return "sqlite", str(settings.data_dir / "checkpoints.db")


#: the advisory lock key that serialises checkpoint set-up across workers ("PROMESA" in ASCII;
#: a thread's lock key is a SHA-256 prefix, so a clash is as likely as any 64-bit collision)
SETUP_LOCK_KEY = int.from_bytes(b"PROMESA", "big")


@dataclass
class _Reuse:
    """A held thread's newest checkpoint, loaded by the turn and not yet handed to the graph."""

    loaded: CheckpointTuple | None = None
    #: True once a load filled the slot or a write closed it: later loads go to the saver
    done: bool = False


@dataclass
class Checkpoints:
    """An open checkpointer and, on PostgreSQL, the pool used for advisory locks."""

    saver: BaseCheckpointSaver[Any]
    #: PostgreSQL only: the pool of the advisory locks (separate from the saver's pool)
    lock_pool: Any = None
    _locks: WeakValueDictionary[str, asyncio.Lock] = field(default_factory=WeakValueDictionary)
    #: the threads held by a turn in this process (see the module's note on loading once)
    _held: dict[str, _Reuse] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # the compiled graph calls the saver it was given: the saver's own load and writes are
        # wrapped on the instance, so the graph and the turn share one load
        load, put = self.saver.aget_tuple, self.saver.aput
        held = self._held

        async def aget_tuple(config: RunnableConfig) -> CheckpointTuple | None:
            slot = held.get(_newest_of(config) or "")
            if slot is None:
                return await load(config)
            if slot.loaded is not None:  # the second load of the turn: the graph's
                reused, slot.loaded = slot.loaded, None
                return reused
            found = await load(config)
            if not slot.done:
                slot.loaded, slot.done = found, True
            return found

        async def aput(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata,
                       new_versions: ChannelVersions) -> RunnableConfig:
            slot = held.get(str(config.get("configurable", {}).get("thread_id", "")))
            if slot is not None:  # the thread changes: nothing loaded before may be handed out
                slot.loaded, slot.done = None, True
            return await put(config, checkpoint, metadata, new_versions)

        self.saver.aget_tuple = aget_tuple  # type: ignore[method-assign]
        self.saver.aput = aput  # type: ignore[method-assign]

    @asynccontextmanager
    async def thread_lock(self, thread_id: str) -> AsyncIterator[None]:
        """Hold the thread for one turn (in this process and, on PostgreSQL, across workers)."""
        lock = self._locks.get(thread_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[thread_id] = lock
        async with lock:
            if self.lock_pool is None:
                async with self._holding(thread_id):
                    yield
                return
            key = int.from_bytes(hashlib.sha256(thread_id.encode()).digest()[:8], "big", signed=True)
            async with self.lock_pool.connection() as conn:
                await conn.execute("SELECT pg_advisory_lock(%s)", (key,))
                try:
                    async with self._holding(thread_id):
                        yield
                finally:
                    await conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    @asynccontextmanager
    async def _holding(self, thread_id: str) -> AsyncIterator[None]:
        # only while every lock is held: a load outside them may be stale by the time it is used
        self._held[thread_id] = _Reuse()
        try:
            yield
        finally:
            del self._held[thread_id]


def _newest_of(config: RunnableConfig) -> str | None:
    """The thread id when ``config`` asks for a root graph's newest checkpoint (else None)."""
    conf = config.get("configurable", {})
    if conf.get("checkpoint_id") or conf.get("checkpoint_ns"):
        return None
    thread_id = conf.get("thread_id")
    return str(thread_id) if thread_id else None


@asynccontextmanager
async def open_checkpoints(settings: Settings) -> AsyncIterator[Checkpoints]:
    """Open (and set up) the configured checkpointer for the life of the context."""
    kind, target = checkpoint_target(settings)
    if kind == "postgres":
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        from psycopg import AsyncConnection
        from psycopg.rows import dict_row
        from psycopg_pool import AsyncConnectionPool

        # a pool of dict-row connections (the saver reads rows by column name)
        pool: AsyncConnectionPool[AsyncConnection[dict[str, Any]]] = AsyncConnectionPool(
            target,
            connection_class=AsyncConnection[dict[str, Any]],
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            min_size=1,
            max_size=settings.checkpoint_pool_size,
            open=False,
        )
        lock_pool = AsyncConnectionPool(
            target,
            kwargs={"autocommit": True},
            min_size=1,
            max_size=settings.max_concurrent_turns,
            open=False,
        )
        await pool.open()
        await lock_pool.open()
        try:
            saver = AsyncPostgresSaver(conn=pool)
            # the workers of one server start together: LangGraph's setup (CREATE TABLE IF NOT
            # EXISTS, then its migration rows) races with itself on a fresh database, and one
            # worker's failed start makes uvicorn stop the whole server — so one at a time
            async with lock_pool.connection() as conn:
                # polled, never waited for in a statement: the set-up builds indexes CONCURRENTLY,
                # which waits for every running statement, a blocked pg_advisory_lock included
                while not (await (await conn.execute("SELECT pg_try_advisory_lock(%s)",
                                                     (SETUP_LOCK_KEY,))).fetchone() or (False,))[0]:
                    await asyncio.sleep(0.05)
                try:
                    await saver.setup()
                finally:
                    await conn.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK_KEY,))
            yield Checkpoints(saver=saver, lock_pool=lock_pool)
        finally:
            await lock_pool.close()
            await pool.close()
        return
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    Path(target).parent.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(target) as sqlite_saver:
        await sqlite_saver.setup()
        yield Checkpoints(saver=sqlite_saver)
