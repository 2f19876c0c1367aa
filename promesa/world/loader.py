"""Load a world file into an empty database, in one transaction, or fail naming what is wrong."""

from __future__ import annotations

import json
import sqlite3
import time as clock
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import yaml
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from promesa.errors import ErrorCode, InvalidInput
from promesa.world.bulk import TABLE_ORDER, bulk_load
from promesa.world.convert import convert_world
from promesa.world.schema import WorldFile


class WorldError(InvalidInput):
    """A world file that cannot be loaded; the message names entity, index or id, and field."""

    code: ErrorCode = ErrorCode.invalid_world

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        # "orders[3] (PO-9): lines[0].sku: unknown SKU 'SKU-X'" → field "orders[3] (PO-9): lines[0].sku"
        parts = message.split(": ", 2)
        super().__init__(message, field=": ".join(parts[:2]) if len(parts) == 3 else parts[0])
        self.problems = problems or [message]


@dataclass
class WorldSummary:
    """What a load wrote: rows per table, the world's clock and how long it took."""

    counts: dict[str, int] = field(default_factory=dict)
    now: datetime | None = None
    seconds: float = 0.0

    def count(self, table: str) -> int:
        return self.counts.get(table, 0)

    def describe(self) -> str:
        parts = [f"{n:,} {t}" for t in TABLE_ORDER if (n := self.counts.get(t))]
        return ", ".join(parts) + f" in {self.seconds:.1f} s"


_ID_KEYS = ("id", "sku")


def _describe_loc(raw: Any, loc: tuple[int | str, ...]) -> str:
    """('orders', 3, 'lines', 0, 'sku') → 'orders[3] (PO-9): lines[0].sku'."""
    if len(loc) < 2 or not isinstance(loc[1], int):
        return ".".join(str(part) for part in loc) or "world"
    head = f"{loc[0]}[{loc[1]}]"
    try:
        item = raw[loc[0]][loc[1]]
        ident = next((item[k] for k in _ID_KEYS if isinstance(item, dict) and k in item), None)
    except (KeyError, IndexError, TypeError):
        ident = None
    if ident is not None:
        head += f" ({ident})"
    rest = ""
    for part in loc[2:]:
        rest += f"[{part}]" if isinstance(part, int) else (f".{part}" if rest else str(part))
    return f"{head}: {rest}" if rest else head


def _translate(raw: Any, exc: ValidationError) -> WorldError:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        problems.append(f"{_describe_loc(raw, loc)}: {error['msg']}")
    return WorldError(problems[0], problems=problems)


def read_world_file(path: str | Path) -> dict[str, Any]:
    """The raw document of a YAML or JSON world file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorldError(f"world file {path}: cannot read it ({exc.strerror})") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise WorldError(f"world file {path}: not valid YAML/JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise WorldError(f"world file {path}: the document must be a mapping")
    return data


def parse_world(world_or_path: WorldFile | dict[str, Any] | str | Path) -> WorldFile:
    """A validated :class:`WorldFile` from a model, a dict or a file path."""
    if isinstance(world_or_path, WorldFile):
        return world_or_path
    raw = world_or_path if isinstance(world_or_path, dict) else read_world_file(world_or_path)
    try:
        return WorldFile.model_validate(raw)
    except ValidationError as exc:
        raise _translate(raw, exc) from exc


def load_world(
    engine: Engine,
    world_or_path: WorldFile | dict[str, Any] | str | Path,
    *,
    now: datetime | None = None,
) -> WorldSummary:
    """Load a world into a migrated, empty database in one transaction.

    Args:
        engine: the database (schema already migrated, no world in it yet).
        world_or_path: a :class:`WorldFile`, its dict form, or a YAML/JSON file path.
        now: the clock used for defaults (customer creation dates); default: the file's ``now``.

    Raises:
        WorldError: the file is invalid or references something that does not exist; nothing
            is written.
    """
    started = clock.perf_counter()
    world = parse_world(world_or_path)
    now = now or world.now
    rows = convert_world(world, now=now)
    if rows.problems:
        raise WorldError(rows.problems[0], problems=rows.problems)
    try:
        with bulk_load(engine) as writer:
            for table in TABLE_ORDER:
                if rows.tables.get(table):
                    writer.write(table, rows.tables[table])
    except (IntegrityError, sqlite3.IntegrityError, psycopg.errors.IntegrityError) as exc:
        detail = getattr(exc, "orig", None) or exc
        raise WorldError(f"database: the world conflicts with stored data ({detail})") from exc
    return WorldSummary(dict(writer.counts), now, clock.perf_counter() - started)
