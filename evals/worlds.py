"""A fresh world per case, fast: build each distinct world once into a template SQLite file,
then give every case its own copy of that file.

A world is identified by what it is built from: the demo world by (now, seed, orders), a world
file by (path, modification time, now), an inline world by (its content, now).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from evals.cases import Case
from promesa.store.db import make_engine, migrate

#: ``build_demo_world(engine, *, now, orders, seed)``
DemoBuilder = Callable[..., Any]
#: ``load_world(engine, world_or_path, now=None)``
WorldLoader = Callable[..., Any]


def _default_demo_builder(engine: Engine, *, now: datetime, orders: int, seed: int) -> Any:
    from promesa.world.demo import build_demo_world

    return build_demo_world(engine, now=now, orders=orders, seed=seed)


def _default_world_loader(engine: Engine, world: Path | dict[str, Any], now: datetime) -> Any:
    from promesa.world.loader import load_world

    return load_world(engine, world, now=now)


class WorldFactory:
    """Hands out disposable SQLite copies of cached world templates.

    Args:
        workdir: where templates and per-case copies live (a temp dir by default).
        seed: seed of the demo world.
        demo_orders: generated (non-story) orders in the demo world; stories are always there.
        demo_builder / world_loader: injectable for tests; default to ``promesa.world``.
    """

    def __init__(
        self,
        workdir: Path | None = None,
        *,
        seed: int = 7,
        demo_orders: int = 200,
        demo_builder: DemoBuilder | None = None,
        world_loader: WorldLoader | None = None,
    ) -> None:
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="promesa-evals-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.seed = seed
        self.demo_orders = demo_orders
        self._demo_builder = demo_builder or _default_demo_builder
        self._world_loader = world_loader or _default_world_loader
        self._lock = threading.Lock()
        self._copies = 0
        self.templates_built = 0

    def key(self, case: Case, seed: int | None = None) -> str:
        """A stable name for the world a case runs in."""
        ref = case.world_ref()
        if ref is None:
            parts: list[Any] = ["demo", case.now.isoformat(), self._seed(seed), self.demo_orders]
        elif isinstance(ref, Path):
            mtime = ref.stat().st_mtime_ns if ref.exists() else 0
            parts = ["file", str(ref), mtime, case.now.isoformat()]
        else:
            parts = ["inline", json.dumps(ref, sort_keys=True, default=str), case.now.isoformat()]
        return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]

    def _empty(self) -> Path:
        path = self.workdir / "empty.db"
        if not path.exists():
            engine = make_engine(f"sqlite:///{path}")
            migrate(engine)
            _checkpoint(engine)
            engine.dispose()
        return path

    def _seed(self, seed: int | None) -> int:
        return self.seed if seed is None else seed

    def template(self, case: Case, seed: int | None = None) -> Path:
        """The template file of the case's world (demo world of ``seed``), built on first use."""
        path = self.workdir / f"world-{self.key(case, seed)}.db"
        with self._lock:
            if path.exists():
                return path
            building = path.with_suffix(".building")
            shutil.copy(self._empty(), building)
            engine = make_engine(f"sqlite:///{building}")
            try:
                ref = case.world_ref()
                if ref is None:
                    self._demo_builder(
                        engine, now=case.now, orders=self.demo_orders, seed=self._seed(seed)
                    )
                else:
                    self._world_loader(engine, ref, case.now)
                _checkpoint(engine)
            finally:
                engine.dispose()
            for suffix in ("-wal", "-shm"):
                Path(f"{building}{suffix}").unlink(missing_ok=True)
            building.rename(path)  # only a complete template ever gets the final name
            self.templates_built += 1
            return path

    @contextmanager
    def fresh(self, case: Case, seed: int | None = None) -> Iterator[Engine]:
        """An engine on a private copy of the case's world; the copy is removed afterwards."""
        template = self.template(case, seed)
        with self._lock:
            self._copies += 1
            copy = self.workdir / f"run-{self._copies}-{case.id}.db"
        shutil.copy(template, copy)
        engine = make_engine(f"sqlite:///{copy}")
        try:
            yield engine
        finally:
            engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)

    def cleanup(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def _checkpoint(engine: Engine) -> None:
    # Fold the WAL into the main file so a plain file copy holds the whole database.
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
