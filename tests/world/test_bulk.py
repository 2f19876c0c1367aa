"""Fast loads drop and rebuild indexes identically, and roll back completely on error."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from promesa.world.bulk import bulk_load


def _indexes(engine: Engine) -> list[tuple[str, str]]:
    sql = ("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
           " ORDER BY 1" if engine.dialect.name == "postgresql" else
           "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY 1")
    with engine.connect() as c:
        return [(r[0], r[1]) for r in c.exec_driver_sql(sql)]


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as c:
        return c.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar()


CARRIER = [("DHL", "DHL Express", 0.95, "012345")]


def test_fast_load_keeps_indexes(engine: Engine) -> None:
    before = _indexes(engine)
    with bulk_load(engine, fast=True) as writer:
        writer.write("carriers", CARRIER)
    assert _indexes(engine) == before
    assert _count(engine, "carriers") == 1


def test_fast_load_rolls_back_rows_and_index_drops(engine: Engine) -> None:
    before = _indexes(engine)
    with pytest.raises(RuntimeError):
        with bulk_load(engine, fast=True) as writer:
            writer.write("carriers", CARRIER)
            raise RuntimeError("generator failed")
    assert _indexes(engine) == before
    assert _count(engine, "carriers") == 0
    if engine.dialect.name == "sqlite":  # pragmas restored for the next user of the pool
        with engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA ignore_check_constraints").scalar() == 0


def test_rows_must_match_the_model_columns(engine: Engine) -> None:
    with pytest.raises(ValueError, match="carriers: rows have 3 values"):
        with bulk_load(engine) as writer:
            writer.write("carriers", [("DHL", "DHL Express", 0.95)])
    assert _count(engine, "carriers") == 0


def test_bulk_writes_drop_cached_reference_data(engine: Engine) -> None:
    from sqlalchemy.orm import Session

    from promesa.domain.reference import reference

    with Session(engine) as session:
        assert reference(session).carriers == {}
    with bulk_load(engine) as writer:  # raw driver writes: no ORM event sees them
        writer.write("carriers", CARRIER)
    with Session(engine) as session:
        assert set(reference(session).carriers) == {CARRIER[0][0]}
