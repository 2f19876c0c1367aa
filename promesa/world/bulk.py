"""Fast, all-or-nothing loading of rows into the world tables.

Rows are plain tuples in *storage form* (dates, times and UTC timestamps as ISO text, booleans
as 0/1, money as floats), which both backends accept unchanged: SQLite stores exactly the text
SQLAlchemy would have written, and PostgreSQL's COPY parses it (the load runs with the session
time zone set to UTC). SQLite is written with the DBAPI's ``executemany``, PostgreSQL with
psycopg 3 ``COPY``; everything happens in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from itertools import chain, islice
from typing import Any

from sqlalchemy import Connection, Engine

from promesa.domain.reference import invalidate
from promesa.store import maintained
from promesa.store.models import Base

#: Tables in an order that satisfies every foreign key.
TABLE_ORDER = [t.name for t in Base.metadata.sorted_tables]

#: Columns written per table: everything except database-generated integer ids and the
#: columns the database maintains itself (``info["maintained"]``, see promesa.store.maintained).
COLUMNS: dict[str, tuple[str, ...]] = {
    table.name: tuple(
        c.name
        for c in table.columns
        if not (c.primary_key and c.autoincrement is True and c.type.python_type is int)
        and not c.info.get("maintained")
    )
    for table in Base.metadata.sorted_tables
}

#: Tables whose secondary indexes a large load drops and rebuilds.
BIG_TABLES = (
    "customers", "identities", "addresses", "orders", "order_lines", "shipments",
    "tracking_events", "interactions", "inventory",
)

BATCH = 20_000

#: A value in storage form: ISO text, an integer (booleans as 0/1), a float, or NULL.
StorageValue = str | int | float | None
#: One row of a table, its values in the order of ``COLUMNS[table]``.
Row = tuple[StorageValue, ...]


def ts(value: datetime | None) -> str | None:
    """An aware datetime as the UTC text SQLAlchemy stores ('YYYY-MM-DD HH:MM:SS.ffffff')."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime in a world row")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def d(value: date | None) -> str | None:
    """A date as ISO text, or None."""
    return None if value is None else value.isoformat()


def t(value: time | None) -> str | None:
    """A time as the text SQLAlchemy stores ('HH:MM:SS.ffffff'), or None."""
    return None if value is None else value.strftime("%H:%M:%S.%f")


def _driver_connection(connection: Connection) -> Any:
    """The DBAPI connection under ``connection`` (sqlite3 or psycopg; the DBAPI is untyped)."""
    raw = connection.connection.driver_connection
    if raw is None:  # only a detached or invalidated pool entry has none
        raise RuntimeError("the connection has no open DBAPI connection")
    return raw


class BulkWriter:
    """Writes batches of rows through one open transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self.dbapi = _driver_connection(connection)
        self.counts: dict[str, int] = {}

    def write(self, table: str, rows: Iterable[Row]) -> int:
        """Insert ``rows`` (tuples in the order of ``COLUMNS[table]``); returns how many."""
        columns = COLUMNS[table]
        names = ", ".join(f'"{c}"' for c in columns)
        count = 0
        iterator = iter(rows)
        first = next(iterator, None)
        if first is None:
            return 0
        if len(first) != len(columns):  # the model gained a column its generators don't know
            raise ValueError(f"{table}: rows have {len(first)} values for columns {columns}")
        rows = chain((first,), iterator)
        if self.dialect == "postgresql":
            with self.dbapi.cursor() as cursor:
                with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
        else:
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
            cursor = self.dbapi.cursor()
            iterator = iter(rows)
            while batch := list(islice(iterator, BATCH)):
                cursor.executemany(sql, batch)
                count += len(batch)
            cursor.close()
        self.counts[table] = self.counts.get(table, 0) + count
        return count


def _secondary_indexes(connection: Connection) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the droppable indexes of the big tables."""
    tables = ", ".join(f"'{name}'" for name in BIG_TABLES)
    if connection.dialect.name == "postgresql":
        sql = (
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            f"AND tablename IN ({tables}) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)"
        )
    else:
        sql = (
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({tables})"
        )
    return [(row[0], row[1]) for row in connection.exec_driver_sql(sql)]


@contextmanager
def bulk_load(engine: Engine, *, fast: bool = False) -> Iterator[BulkWriter]:
    """One transaction to write world rows; commits on success, leaves nothing on error.

    ``fast`` is for large generated worlds: SQLite skips per-row foreign-key and CHECK
    constraint checks and fsyncs,
    and both backends drop the big tables' secondary indexes and the aggregate triggers
    (:mod:`promesa.store.maintained`), then rebuild the indexes (with their original
    definitions), recompute the aggregates and reinstall the triggers before committing.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        raw = _driver_connection(connection)
        if sqlite and fast:
            # must be set outside a transaction; restored before the connection is pooled again
            # a rollback journal in memory: new pages are written once (no WAL copy), and a
            # failed load still rolls back; WAL comes back afterwards. CHECK constraints cost
            # half of SQLite's insert time; generated rows are checked against them by tests.
            for pragma in ("foreign_keys=OFF", "ignore_check_constraints=ON", "synchronous=OFF",
                           "cache_size=-262144", "temp_store=MEMORY", "journal_mode=MEMORY"):
                raw.execute(f"PRAGMA {pragma}")
        try:
            with connection.begin():
                if sqlite:
                    # an explicit BEGIN makes the index DDL part of the same transaction
                    raw.execute("BEGIN")
                else:
                    connection.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
                indexes = _secondary_indexes(connection) if fast else []
                for name, _ in indexes:
                    connection.exec_driver_sql(f'DROP INDEX "{name}"')
                if fast:  # per-row trigger work would double the load; recomputed below
                    maintained.uninstall(connection)
                writer = BulkWriter(connection)
                yield writer
                for _, create in indexes:
                    connection.exec_driver_sql(create)
                if fast:
                    maintained.rebuild(connection)
                    maintained.install(connection)
                if fast:  # planner statistics for the new data (sampled: quick at any size)
                    if sqlite:
                        raw.execute("PRAGMA analysis_limit=400")
                    connection.exec_driver_sql("ANALYZE")
        finally:
            if sqlite and fast:
                raw.execute("PRAGMA journal_mode=WAL")
                raw.execute("PRAGMA foreign_keys=ON")
                raw.execute("PRAGMA ignore_check_constraints=OFF")
                raw.execute("PRAGMA synchronous=NORMAL")
                raw.execute("PRAGMA cache_size=-2000")
        # the raw driver writes bypass SQLAlchemy's events: drop cached reference data
        invalidate(engine)
