"""`promesa events import | dead-letters | replay` and `promesa events-schema` on a scratch database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cli.main import app
from promesa.settings import get_settings
from promesa.store.db import make_engine, migrate
from promesa.store.models import DeadLetter, InventoryPosition
from tests.domain.events_helpers import ev, world


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PROMESA_DATABASE_URL", url)
    monkeypatch.setenv("PROMESA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PROMESA_NOW", "2026-11-20T10:00:00-06:00")
    get_settings.cache_clear()
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as session:
        world(session)
    engine.dispose()
    yield url
    get_settings.cache_clear()


def _on_hand(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        value = session.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).on_hand
    engine.dispose()
    return value


def test_import_keeps_good_lines_dead_letters_bad_ones_and_replay_applies_after_fix(scratch, tmp_path):
    receipt = ev("inventory.receipt", {"node_id": "DC-CDMX-01", "sku": "SKU-1", "quantity": 5})
    unknown = ev("inventory.receipt", {"node_id": "DC-CDMX-01", "sku": "SKU-NEW", "quantity": 2})
    file = tmp_path / "backfill.ndjson"
    file.write_text("\n".join([json.dumps(receipt), "{broken", json.dumps(unknown), json.dumps(receipt)]) + "\n")
    runner = CliRunner()
    first = runner.invoke(app, ["events", "import", str(file)])
    assert first.exit_code == 1, first.output
    assert "1 accepted, 1 duplicates, 2 rejected" in first.output
    assert _on_hand(scratch) == 15
    listed = runner.invoke(app, ["events", "dead-letters", "--json"])
    letters = json.loads(listed.output)
    assert {d["field"] for d in letters} == {"data.sku", "id"}
    # the fix: the product exists now
    engine = make_engine(scratch)
    from tests.domain.builders import add_product
    with Session(engine) as session:
        add_product(session, "SKU-NEW")
        session.commit()
    letter = next(d for d in letters if d["field"] == "data.sku")
    replayed = runner.invoke(app, ["events", "replay", str(letter["id"])])
    assert "1 accepted" in replayed.output, replayed.output
    with Session(engine) as session:
        assert session.get(InventoryPosition, ("DC-CDMX-01", "SKU-NEW")).on_hand == 2
        assert session.get(DeadLetter, letter["id"]).resolved_at is not None
    engine.dispose()


def test_events_schema_lists_every_type():
    result = CliRunner().invoke(app, ["events-schema"])
    schema = json.loads(result.output)
    assert "promesa.inventory.pos_sale.v1" in schema["types"]
    assert schema["types"]["promesa.inventory.pos_sale.v1"]["properties"]["quantity"]["exclusiveMinimum"] == 0


def test_events_schema_lists_the_outgoing_types():
    schema = json.loads(CliRunner().invoke(app, ["events-schema"]).output)
    sellable = schema["outgoing"]["promesa.availability.sellable_changed.v1"]
    assert set(sellable["required"]) >= {"sku", "sellable", "level", "low_threshold"}


def test_outbox_lists_sellable_changes_and_relay_sends_them(scratch, tmp_path):
    import asyncio
    import uuid

    sale = ev("inventory.pos_sale", {"node_id": "DC-CDMX-01", "sku": "SKU-1", "quantity": 1})
    file = tmp_path / "sale.ndjson"
    file.write_text(json.dumps(sale) + "\n")
    runner = CliRunner()
    assert runner.invoke(app, ["events", "import", str(file)]).exit_code == 0
    pending = json.loads(runner.invoke(app, ["events", "outbox", "--pending", "--json"]).output)
    assert {p["key"] for p in pending} == {"SKU-1/web", "SKU-1/marketplace"}
    assert all(p["published_at"] is None for p in pending)
    text = runner.invoke(app, ["events", "outbox"]).output
    assert "sellable:SKU-1:web:1" in text and "pending, 0 failed attempts" in text
    exchange = f"i17b.cli.{uuid.uuid4().hex[:8]}"
    sent = runner.invoke(app, ["events", "relay", "--to", "amqp://guest:guest@127.0.0.1:5672/",
                               "--exchange", exchange, "--once"])
    from tests.events.test_outgoing import _delete_exchange
    asyncio.run(_delete_exchange(exchange))
    assert "2 sent, 0 failed" in sent.output, sent.output
    assert json.loads(runner.invoke(app, ["events", "outbox", "--pending", "--json"]).output) == []
    assert "sent 2026-11-20" in runner.invoke(app, ["events", "outbox"]).output
