"""Shared fixtures: a migrated database per test, on SQLite and (when configured) PostgreSQL.

Every test that takes ``engine`` runs once on SQLite and once on PostgreSQL when
``PROMESA_TEST_DATABASE_URL`` points at a server. ``.ci/run`` sets it; in CI an unreachable
server is an error, never a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.db import make_engine, migrate
from promesa.store.models import Base

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

PG_URL = os.environ.get("PROMESA_TEST_DATABASE_URL")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

if IN_CI and not PG_URL:
    raise pytest.UsageError("CI must set PROMESA_TEST_DATABASE_URL: database tests run on PostgreSQL")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file; tests get copies of it (faster than migrating each)."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_engine(worker_id: str) -> Iterator[Engine]:
    """A PostgreSQL database of this test worker's own, migrated once."""
    assert PG_URL, "PROMESA_TEST_DATABASE_URL is not set"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    # one database per test process, so concurrent runs never drop each other's
    name = f"promesa_test_{worker_id}_{os.getpid()}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # an unreachable server fails the run, it is never skipped
        pytest.fail(f"PostgreSQL at {PG_URL} is unreachable: {exc}")
    url = make_url(admin.url.render_as_string(hide_password=False)).set(database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    migrate(engine)
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _truncate(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    """An empty, migrated database: SQLite, and PostgreSQL too when configured."""
    if request.param == "sqlite":
        path = tmp_path / "promesa.db"
        shutil.copy(sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
    else:
        engine = request.getfixturevalue("pg_engine")
        _truncate(engine)
        yield engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def now() -> datetime:
    """Friday 20 November 2026, 10:00 in Mexico City: the clock most tests pin."""
    return datetime.fromisoformat("2026-11-20T10:00:00-06:00")


@pytest.fixture
def support() -> Principal:
    return Principal(role=Role.support, subject="agent-ana")


@pytest.fixture
def ops() -> Principal:
    return Principal(role=Role.ops, subject="ops-luis")

