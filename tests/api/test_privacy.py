"""Data rights (issue #16): export everything about a customer; a four-eyes erasure removes
or pseudonymises it in every store (every table, the checkpoint store, the logs) while the
orders stay as anonymised records; a customer asks for it from the widget."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, String, cast, or_, select, text
from sqlalchemy.orm import Session

from api.main import create_app
from promesa.settings import Settings
from promesa.store.models import Base, Order
from tests.domain.builders import add_interaction

#: What identifies Ana Torres (C-1000) in the API test world.
ANA = ("C-1000", "Ana Torres", "ana.torres@example.com", "+525511112222", "5511112222")


def on_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def drop_checkpoint_tables(engine: Engine) -> None:
    """The checkpointer's tables go with the test: the shared test database holds the models only."""
    with engine.begin() as connection:
        for table in checkpoint_tables(engine):
            connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')


@pytest.fixture
def live_settings(api_settings: Settings, world: Engine) -> Iterator[Settings]:
    """On PostgreSQL the threads live there too (the distributed form), else in a SQLite file."""
    if not on_postgres(world):
        yield api_settings
        return
    drop_checkpoint_tables(world)
    url = world.url.render_as_string(hide_password=False)
    yield api_settings.model_copy(update={"checkpoint_url": url})
    drop_checkpoint_tables(world)


@pytest.fixture
def live(live_settings: Settings, world: Engine) -> Iterator[TestClient]:
    with Session(world) as session, session.begin():
        add_interaction(session, "C-1000", "Ana Torres called about PO-5000", order_id="PO-5000")
    with TestClient(create_app(live_settings, engine=world), raise_server_exceptions=False) as client:
        yield client


def checkpoint_tables(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return [r[0] for r in connection.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'checkpoint%'"))]


def seed_every_store(client: TestClient, token_for) -> None:  # noqa: ANN001
    ana = token_for("customer", "C-1000")
    assert client.post("/v1/chat", json={"message": "Where is my order PO-5000?"}, headers=ana).status_code == 200
    assert client.post("/v1/chat", json={"message": "I want to talk to a person"}, headers=ana).status_code == 200
    visitor = client.post("/v1/auth/verify-order", json={"order_id": "PO-5000", "email": "ana.torres@example.com"})
    scoped = {"Authorization": f"Bearer {visitor.json()['access_token']}"}
    assert client.post("/v1/chat", json={"message": "Where is my order?"}, headers=scoped).status_code == 200
    staff = client.post("/v1/chat", json={"message": "Show me the customer ana.torres@example.com"},
                        headers=token_for("support", "agent-ana"))
    assert staff.status_code == 200
    # the widget's request: it reaches staff as a handoff with a reason
    asked = client.post("/v1/privacy/my-requests", json={"kind": "erasure", "note": "please delete my data"},
                        headers=ana)
    assert asked.status_code == 200 and asked.json()["reason"] == "privacy_erasure_request"
    logging.getLogger("promesa.test").warning("looked up ana.torres@example.com, +52 55 1111 2222 for C-1000")


def rows_mentioning(engine: Engine, needles: tuple[str, ...]) -> list[tuple[str, str]]:
    """(table, needle) for every row of every table holding one of ``needles`` in any column."""
    hits = []
    with Session(engine) as session:
        for table in Base.metadata.sorted_tables:
            columns = [cast(c, String) for c in table.columns]
            for needle in needles:
                found = session.execute(
                    select(table).where(or_(*(c.contains(needle) for c in columns))).limit(1)).first()
                if found is not None:
                    hits.append((table.name, needle))
    return hits


def _blob(row: tuple[object, ...]) -> bytes:
    return b"".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row)


def checkpoint_rows_mentioning(settings: Settings, engine: Engine, needles: tuple[str, ...]) -> list[tuple[str, str]]:
    """(table, needle) for every checkpoint-store row holding a needle (blobs searched as bytes)."""
    if settings.checkpoint_url and on_postgres(engine):
        hits = []
        with engine.connect() as connection:
            for table in checkpoint_tables(engine):
                for row in connection.exec_driver_sql(f'SELECT * FROM "{table}"'):  # noqa: S608
                    hits.extend((table, n) for n in needles if n.encode() in _blob(tuple(row)))
        return hits
    return _sqlite_rows_mentioning(settings.data_dir / "checkpoints.db", needles)


def _sqlite_rows_mentioning(path: Path, needles: tuple[str, ...]) -> list[tuple[str, str]]:
    hits = []
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - names from sqlite_master
                hits.extend((table, n) for n in needles if n.encode() in _blob(row))
    return hits


def test_export_holds_everything_about_the_customer(live: TestClient, world: Engine, token_for) -> None:  # noqa: ANN001
    seed_every_store(live, token_for)
    assert live.get("/v1/privacy/customers/C-1000/export", headers=token_for("customer", "C-1000")).status_code == 403
    response = live.get("/v1/privacy/customers/C-1000/export", headers=token_for("support", "agent-ana"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["profile"]["name"] == "Ana Torres"
    assert {i["value"] for i in body["identities"]} == {"ana.torres@example.com", "+525511112222"}
    assert [o["id"] for o in body["orders"]] == ["PO-5000"] and body["orders"][0]["lines"]
    assert body["interactions"][0]["summary"].startswith("Ana Torres")
    assert {h["reason"] for h in body["handoffs"]} >= {"privacy_erasure_request"}
    assert body["audit"]
    owners = {t["owner"] for t in body["threads"]}
    assert {"customer:C-1000", "anonymous:PO-5000", "support:agent-ana"} <= owners
    assert "C-1001" not in str(body["identities"]) and "carlos" not in response.text


def test_erasure_is_four_eyes_and_leaves_nothing_personal(
    live: TestClient, world: Engine, live_settings: Settings, token_for, caplog  # noqa: ANN001
) -> None:
    caplog.set_level(logging.DEBUG)
    seed_every_store(live, token_for)
    assert checkpoint_rows_mentioning(live_settings, world, ANA)  # the threads hold her
    assert rows_mentioning(world, ANA)
    ana_support, luis = token_for("support", "agent-ana"), token_for("ops", "ops-luis")
    assert live.post("/v1/privacy/erasure-requests", json={"customer_id": "C-1000", "reason": "asked"},
                     headers=luis).status_code == 403  # support requests
    request = live.post("/v1/privacy/erasure-requests",
                        json={"customer_id": "C-1000", "reason": "customer asked in the widget; email verified"},
                        headers=ana_support)
    assert request.status_code == 200, request.text
    request_id = request.json()["request_id"]
    assert [r["request_id"] for r in live.get("/v1/privacy/erasure-requests", headers=luis).json()] == [request_id]
    own = live.post(f"/v1/privacy/erasure-requests/{request_id}/approve", headers=ana_support)
    assert own.status_code == 403  # the requester never approves their own request
    done = live.post(f"/v1/privacy/erasure-requests/{request_id}/approve", headers=luis)
    assert done.status_code == 200, done.text
    result = done.json()
    assert result["order_ids"] == ["PO-5000"] and len(result["thread_ids"]) >= 3
    again = live.post(f"/v1/privacy/erasure-requests/{request_id}/approve", headers=luis)
    assert again.json() == result  # executed once
    assert live.get("/v1/privacy/erasure-requests", headers=luis).json() == []

    # nothing personal remains: every table, the checkpoint store, the captured logs
    assert rows_mentioning(world, ANA) == []
    assert checkpoint_rows_mentioning(live_settings, world, ANA) == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged and not [n for n in ANA if n in logged]
    # the orders stay, anonymised; the action stays, without the person
    with Session(world) as session:
        order = session.get(Order, "PO-5000")
        assert order is not None and order.customer_id == result["pseudonym"] and order.note is None
    trail = live.get("/v1/audit", params={"entity_id": result["pseudonym"]}, headers=luis).json()
    assert any(e["action"] == "privacy_erasure" for e in trail)
    # her identifiers resolve to nothing
    for q in ("ana.torres@example.com", "+52 55 1111 2222", "Ana Torres", "C-1000"):
        assert live.get("/v1/customers/search", params={"q": q}, headers=luis).json() == [], q
    assert live.get("/v1/customers/C-1000", headers=luis).status_code in (403, 404)
    verify = live.post("/v1/auth/verify-order", json={"order_id": "PO-5000", "email": "ana.torres@example.com"})
    assert verify.status_code == 401
    # the other customer is untouched
    assert live.get("/v1/customers/C-1001", headers=luis).json()["name"] == "Carlos Mendoza"


def test_logs_are_redacted_by_default() -> None:
    from promesa.logsafe import redact

    assert redact("mail ana.torres@example.com phone +52 55 1111 2222 id C-1000") == (
        "mail [email] phone [phone] id C-[id]"
    )
    assert redact("order PO-5000 at 2026-11-20 from DC-CDMX-01") == "order PO-5000 at 2026-11-20 from DC-CDMX-01"
    assert redact(repr(b"\xa6C-1000\x01")) == "b'\\xa6C-[id]\\x01'"
