"""Checkpoint location by configuration, and approvals surviving a restart on PostgreSQL too."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from agent.approvals import Approval
from agent.checkpoints import checkpoint_target, open_checkpoints
from promesa.settings import Settings
from tests.agent.fakes import scripted_service
from tests.agent.test_approvals import executions, reroute_script

PG_URL = os.environ.get("PROMESA_TEST_DATABASE_URL")


def test_sqlite_by_default_postgres_by_url(tmp_path: Path) -> None:
    plain = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert checkpoint_target(plain) == ("sqlite", str(tmp_path / "checkpoints.db"))
    follows = plain.model_copy(update={"database_url": "postgresql://u@db:5432/promesa"})
    assert checkpoint_target(follows) == ("postgres", "postgresql://u@db:5432/promesa")
    explicit = follows.model_copy(update={"checkpoint_url": "postgresql+psycopg://u@cp/checkpoints"})
    assert checkpoint_target(explicit) == ("postgres", "postgresql://u@cp/checkpoints")
    sqlite_db = plain.model_copy(update={"database_url": "sqlite:///x.db"})
    assert checkpoint_target(sqlite_db)[0] == "sqlite"


def test_turns_on_one_thread_are_serialised(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    order: list[str] = []

    async def body() -> None:
        async with open_checkpoints(settings) as checkpoints:
            async def turn(thread: str, name: str) -> None:
                async with checkpoints.thread_lock(thread):
                    order.append(f"{name}+")
                    await asyncio.sleep(0.02)
                    order.append(f"{name}-")

            await asyncio.gather(turn("t1", "a"), turn("t1", "b"), turn("t2", "c"))

    asyncio.run(body())
    assert order.index("a-") < order.index("b+")  # same thread: one after the other
    assert order.index("c+") < order.index("a-")  # other thread: in parallel


@pytest.mark.skipif(not PG_URL, reason="needs PROMESA_TEST_DATABASE_URL (set in CI)")
def test_approval_survives_a_restart_on_postgres_checkpoints(world, settings, support, now) -> None:
    pg = settings.model_copy(update={"checkpoint_url": PG_URL})

    async def body() -> None:
        async with scripted_service(world, pg, reroute_script) as service:
            first = await service.run_turn(thread_id=None, principal=support, message="Reroute PO-7003", now=now)
            assert first.pending_approval is not None
        async with scripted_service(world, pg, reroute_script) as service:
            done = await service.run_turn(thread_id=first.thread_id, principal=support,
                                          resume=Approval(approve=True), now=now)
            assert [d.type for d in done.decisions] == ["reroute_executed"]

    asyncio.run(body())
    assert executions(world) == 1


@pytest.mark.skipif(not PG_URL, reason="needs PROMESA_TEST_DATABASE_URL (set in CI)")
def test_workers_starting_together_on_a_fresh_database_all_set_up(tmp_path: Path) -> None:
    """Two workers of one server open their checkpointer at the same moment on a database with no
    checkpoint tables yet: each must start (LangGraph's set-up raced with itself, and a worker
    that fails to start makes uvicorn stop the whole server)."""
    from sqlalchemy.engine import make_url

    from promesa.store.db import make_engine

    assert PG_URL
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"promesa_cp_race_{os.getpid()}"
    fresh = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    async def worker(settings: Settings) -> bool:
        async with open_checkpoints(settings) as checkpoints:
            return checkpoints.saver is not None

    try:
        for _ in range(3):  # a fresh database each round: the race is in the first set-up
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            settings = Settings(data_dir=tmp_path, checkpoint_url=fresh, _env_file=None)  # type: ignore[call-arg]

            async def together(settings: Settings = settings) -> list[bool]:
                return await asyncio.gather(*(worker(settings) for _ in range(4)))

            assert asyncio.run(together()) == [True] * 4
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
