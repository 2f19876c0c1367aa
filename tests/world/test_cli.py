"""`promesa seed`, `promesa seed --world` and `promesa setup` against a scratch database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cli.main import app  # `setup` (world + policy index) is the composition root's
from promesa.settings import get_settings
from promesa.store.db import make_engine
from promesa.store.models import Order

EXAMPLE = Path(__file__).parents[2] / "evals" / "worlds" / "example.yaml"


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PROMESA_DATABASE_URL", url)
    monkeypatch.setenv("PROMESA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PROMESA_NOW", "2026-11-20T10:00:00-06:00")
    monkeypatch.setenv("PROMESA_DEMO_ORDERS", "120")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _orders(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        count = s.scalar(select(func.count()).select_from(Order))
    engine.dispose()
    return count


def test_seed_refuses_a_full_database_unless_reset(scratch: str) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["seed", "--orders", "50"])
    assert first.exit_code == 0, first.output
    assert _orders(scratch) == 50 + 70  # 70 story orders
    again = runner.invoke(app, ["seed", "--orders", "60"])
    assert again.exit_code != 0 and "--reset" in again.output
    reset = runner.invoke(app, ["seed", "--orders", "60", "--reset"])
    assert reset.exit_code == 0, reset.output
    assert _orders(scratch) == 60 + 70  # 70 story orders


def test_seed_world_file_and_its_errors(scratch: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["seed", "--world", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert _orders(scratch) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("sku: SKU-2, qty: 2",
                                                               "sku: SKU-X, qty: 2"))
    result = runner.invoke(app, ["seed", "--world", str(bad), "--reset"])
    assert result.exit_code == 2
    assert "orders[1] (PO-2): lines[0].sku: unknown SKU 'SKU-X'" in result.output


def test_setup_builds_the_demo_world_once(scratch: str) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["setup"])
    assert first.exit_code == 0, first.output
    assert _orders(scratch) == 120 + 70  # 70 story orders
    assert re.search(r"policies: \d+ added, 0 updated, 0 unchanged", first.output)
    # numbered steps with what each did and its seconds, as plain lines in a log (#15)
    for step in (r"\[1/3\] database schema: migrated", r"\[2/3\] demo world: .*190 orders",
                 r"\[3/3\] policy index .*: policies: \d+ added"):
        assert re.search(step + r".*\(\d+\.\d s\)", first.output), (step, first.output)
    assert re.search(r"\[3/3\] policy index .*: \d+/\d+ documents", first.output)
    second = runner.invoke(app, ["setup"])
    assert second.exit_code == 0 and "kept as is" in second.output
    assert re.search(r"policies: 0 added, 0 updated, \d+ unchanged", second.output)
    assert _orders(scratch) == 120 + 70  # 70 story orders
