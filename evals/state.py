"""Grading a conversation by the database it leaves behind (``expect.state``), as τ-bench does.

Before the first turn the runner takes a :func:`snapshot`: a stable digest of every row of every
table of the world model, keyed by table and primary key. Afterwards :func:`check` verifies

* each assertion: the rows of ``table`` selected by ``id`` (the primary key) or ``where``
  (column equalities) — ``count`` of them if given, and some selected row holding every other
  field given (compared like decision fields, :func:`evals.matching.values_equal`);
* **nothing else changed**: every row inserted, updated or deleted during the conversation is
  selected by some assertion, except in :data:`BOOKKEEPING` tables (the audit log, the
  idempotency records and the trigger-maintained node load follow from the changes asserted).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Engine, Table, select

from evals.cases import StateExpect
from evals.matching import values_equal
from promesa.store.models import Base

#: Tables whose changes follow from the asserted ones and are never counted as "something else".
BOOKKEEPING = frozenset({"audit_log", "action_executions", "action_outcomes", "node_load"})

Snapshot = dict[str, dict[str, str]]


def _plain(value: Any) -> Any:
    """Column values as a case compares them: enums by value, dates and times as ISO text."""
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return getattr(value, "value", value)


def _key(table: Table, row: dict[str, Any]) -> str:
    return json.dumps([str(row[c.name]) for c in table.primary_key.columns])


def _rows(engine: Engine, table: Table) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [{k: _plain(v) for k, v in r._mapping.items()} for r in connection.execute(select(table))]


def snapshot(engine: Engine) -> Snapshot:
    """A stable digest of every row, by table and primary key."""
    out: Snapshot = {}
    for name, table in Base.metadata.tables.items():
        out[name] = {
            _key(table, row): hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()
            for row in _rows(engine, table)
        }
    return out


def _selects(table: Table, expect: StateExpect, row: dict[str, Any]) -> bool:
    if expect.id is not None:
        pk = list(table.primary_key.columns)
        return len(pk) == 1 and str(row[pk[0].name]) == str(expect.id)
    return all(values_equal(want, row.get(col)) for col, want in (expect.where or {}).items())


def _describe(expect: StateExpect) -> str:
    who = f"id={expect.id}" if expect.id is not None else f"where={expect.where or {}}"
    return f"{expect.table} {who}"


def check(engine: Engine, before: Snapshot, expected: list[StateExpect]) -> list[str]:
    """Why the end state differs from ``expected`` (empty when it matches), in words."""
    problems: list[str] = []
    after = snapshot(engine)
    tables = Base.metadata.tables
    cache: dict[str, list[dict[str, Any]]] = {}

    def rows(name: str) -> list[dict[str, Any]]:
        if name not in cache:
            cache[name] = _rows(engine, tables[name])
        return cache[name]

    for i, want in enumerate(expected):
        table = tables[want.table]
        selected = [r for r in rows(want.table) if _selects(table, want, r)]
        if want.count is not None and len(selected) != want.count:
            problems.append(f"state[{i}]: {_describe(want)} has {len(selected)} row(s), expected {want.count}")
        fields = want.fields()
        if fields or want.count is None:
            if not selected:
                problems.append(f"state[{i}]: no row {_describe(want)}")
            elif fields and not any(all(values_equal(v, r.get(k)) for k, v in fields.items()) for r in selected):
                got = {k: selected[0].get(k) for k in fields}
                problems.append(f"state[{i}]: {_describe(want)} holds {got}, expected {fields}")
    for name, table in tables.items():
        if name in BOOKKEEPING:
            continue
        old, new = before.get(name, {}), after.get(name, {})
        changed = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
        if not changed:
            continue
        current = {_key(table, r): r for r in rows(name)}
        for key in sorted(changed):
            row = current.get(key)
            covered = row is not None and any(w.table == name and _selects(table, w, row) for w in expected)
            if not covered:
                what = "deleted" if row is None else ("inserted" if key not in old else "changed")
                problems.append(f"unexpected change: {name} {key} {what}")
    return problems
