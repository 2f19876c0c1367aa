"""Engines, sessions and the schema: SQLite by default, PostgreSQL by URL, same migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, Delete, Engine, Update, create_engine, event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from promesa.settings import normalise_database_url

if TYPE_CHECKING:  # Alembic is imported by the functions that migrate: a quarter of a second that
    from alembic.config import Config  # `promesa ask` and every API worker need not pay

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the pragmas Promesa relies on.

    SQLite gets foreign keys enforced, WAL journaling and a busy timeout, so several threads of
    one process (API workers, the eval runner) can share the file.
    """
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def begin_write(session: Session) -> None:
    """Start a transaction that will write, at its first statement.

    On SQLite it takes the database's write lock now (``BEGIN IMMEDIATE``, waiting up to the
    busy timeout): a deferred transaction that read first and then writes while another writer
    committed fails with "database is locked" at once instead of waiting. On PostgreSQL row
    locks do this job, so nothing is emitted.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    dbapi_connection = connection.connection.dbapi_connection
    # None only once a pooled connection is invalidated; one just checked out is live
    assert dbapi_connection is not None, "a checked-out connection has its DBAPI connection"
    if not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def rows_matched(session: Session, statement: Update | Delete) -> int:
    """Execute an UPDATE or DELETE in ``session``; return how many rows it matched.

    Guarded writes (``UPDATE ... WHERE <still true>``) read this to see whether another
    transaction got there first.
    """
    # Session.execute is typed to return a plain Result for every statement; for an UPDATE or
    # DELETE it is a CursorResult, which carries the rowcount (the cast SQLAlchemy's docs advise)
    result = cast(CursorResult[Any], session.execute(statement))
    return result.rowcount


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine`` that keep their objects' state after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine_or_factory: Engine | sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls everything back on any error."""
    factory = (
        session_factory(engine_or_factory)
        if isinstance(engine_or_factory, Engine)
        else engine_or_factory
    )
    with factory() as session, session.begin():
        yield session


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic's configuration for Promesa's migrations (on ``engine``'s URL when given)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (creates it on an empty database)."""
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def drop_all(engine: Engine) -> None:
    """Remove every Promesa table (and Alembic's version table) from the database."""
    from promesa.store.models import Base

    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def is_empty(engine: Engine) -> bool:
    """True when the schema is missing or holds no orders."""
    if not inspect(engine).has_table("orders"):
        return True
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT 1 FROM orders LIMIT 1").first() is None


def customer_names(engine: Engine) -> list[tuple[str, str]]:
    """Every customer's (id, name), for the log filter's list of names to redact."""
    from promesa.store.models import Customer

    with engine.connect() as connection:
        return [(row.id, row.name) for row in connection.execute(select(Customer.id, Customer.name))]
