"""``python -m api.load_suite``: the CI load suite (``.ci/suites/load.sh``) and the world both
load runs share.

Builds a small demo world (SQLite file, or a PostgreSQL database of its own), serves it with
``promesa serve --workers N``, runs ``--sessions`` shoppers × ``--turns`` WISMO turns (JSON and
SSE mixed), then checks every thread's history against what was sent and that parallel turns
on one thread ran one after the other. Prints a JSON report; exits 1 on any error or problem.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session as DbSession

from api import load
from promesa.store.db import make_engine, migrate
from promesa.store.models import Order

NOW = "2026-11-20T10:00:00-06:00"


@contextmanager
def world_database(backend: str, workdir: Path, *, pg_url: str | None, orders: int) -> Iterator[str]:
    """A freshly built demo world; yields its URL (a PostgreSQL database is dropped after)."""
    from promesa.world.demo import build_demo_world

    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'promesa.db'}"
        admin = None
    else:
        assert pg_url, "PostgreSQL needs --pg-url (or PROMESA_TEST_DATABASE_URL)"
        admin = make_engine(pg_url, isolation_level="AUTOCOMMIT")
        name = f"promesa_load_{os.getpid()}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = make_url(admin.url.render_as_string(hide_password=False)).set(database=name) \
            .render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate(engine)
    build_demo_world(engine, now=datetime.fromisoformat(NOW), orders=orders, seed=7)
    engine.dispose()
    try:
        yield url
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
            admin.dispose()


def customer_orders(url: str, n: int) -> list[tuple[str, str]]:
    """``n`` (customer, order) pairs, one order per customer, for WISMO sessions."""
    engine = make_engine(url)
    pairs: dict[str, str] = {}
    with DbSession(engine) as session:
        for customer_id, order_id in session.execute(
            select(Order.customer_id, Order.id).where(Order.customer_id.is_not(None)).order_by(Order.id)
        ):
            pairs.setdefault(customer_id, order_id)
            if len(pairs) >= n:
                break
    engine.dispose()
    return list(pairs.items())


def server_env(url: str, workdir: Path, secret: str, *, rate_limit: str | None) -> dict[str, str]:
    """What a load server runs with: its own data dir and checkpoints, a pinned clock, a real
    secret, limits out of the way (the load is the subject, not the limiter)."""
    env = {
        "PROMESA_DATABASE_URL": url,
        "PROMESA_DATA_DIR": str(workdir / "data"),
        "PROMESA_SECRET_KEY": secret,
        "PROMESA_ENVIRONMENT": "development",
        "PROMESA_NOW": NOW,
        "PROMESA_TURNS_PER_MINUTE": "1000000",
        "PROMESA_MAX_CONCURRENT_TURNS": "24",  # x workers: lock connections, PostgreSQL has 100
        "PROMESA_TURN_QUEUE_SECONDS": "60",
        "PROMESA_CHECKPOINT_POOL_SIZE": "8",
        # WISMO needs no policy index; a per-run index would be built while the clock runs
        "PROMESA_WARM_START": "false",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    if url.startswith("sqlite"):
        env["PROMESA_CHECKPOINT_URL"] = f"sqlite:///{workdir / 'checkpoints.db'}"
    if rate_limit:
        env["PROMESA_RATE_LIMIT_STORAGE"] = rate_limit
    return env


async def run_suite(base_url: str, sessions: list[load.Session], turns: int) -> dict[str, Any]:
    """Drive the sessions, then check histories and per-thread serialisation; the stats and problems."""
    stats = await load.drive(base_url, sessions, turns=turns)
    problems = await load.check_histories(base_url, sessions)
    problems += await load.check_serialised(base_url, sessions[0])
    return {
        "turns": stats.turns, "errors": len(stats.errors), "error_samples": stats.errors[:5],
        "problems": problems[:20], "n_problems": len(problems),
        "turns_per_s": round(stats.per_second(), 1), "p50_ms": round(stats.percentile(0.5), 1),
        "p99_ms": round(stats.percentile(0.99), 1), "elapsed_s": round(stats.elapsed_s, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the load suite; exit status 0 when no problem was found."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--ports", default="18300-18399")
    parser.add_argument("--pg-url", default=os.environ.get("PROMESA_TEST_DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("PROMESA_LOAD_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    low, high = (int(p) for p in args.ports.split("-"))
    with tempfile.TemporaryDirectory(prefix="promesa-load-") as tmp:
        workdir = Path(tmp)
        with world_database(args.backend, workdir, pg_url=args.pg_url, orders=args.orders) as url:
            secret = secrets.token_urlsafe(32)
            pairs = customer_orders(url, args.sessions)
            sessions = load.sessions_for(pairs, secret)
            env = server_env(url, workdir, secret, rate_limit=args.redis_url if args.workers > 1 else None)
            port = load.free_port(low, high)
            server_log = workdir / "server.log"
            with load.served(env, port=port, workers=args.workers, log=server_log) as server:
                try:
                    report = load.run_fast(run_suite(f"http://127.0.0.1:{port}", sessions, args.turns))
                except httpx.TransportError as exc:  # the server went away: say so, with its log
                    report = {"turns": 0, "errors": 1, "n_problems": 0, "problems": [],
                              "error_samples": [f"{type(exc).__name__}: {exc} (server exit code "
                                                f"{server.poll()})"]}
            if report["errors"] or report["n_problems"]:
                report["server_log_tail"] = server_log.read_text(errors="replace")[-6000:]
                if args.json:  # the whole log beside the report: a failure's cause may be early
                    args.json.with_suffix(".server.log").write_bytes(server_log.read_bytes())
    report = {"backend": args.backend, "workers": args.workers, "sessions": len(sessions),
              "turns_per_session": args.turns, **report}
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text)
    return 1 if report["errors"] or report["n_problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
