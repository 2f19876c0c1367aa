"""`promesa privacy export|request-erasure|approve-erasure` against a database by URL."""

from __future__ import annotations

import json

from sqlalchemy import Engine
from typer.testing import CliRunner

from cli.main import app
from promesa.settings import get_settings


def test_export_and_four_eyes_erasure_from_the_command_line(world: Engine, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from tests.api.test_privacy import drop_checkpoint_tables

    pg = world.dialect.name == "postgresql"  # threads follow a PostgreSQL database URL
    if pg:
        drop_checkpoint_tables(world)
    monkeypatch.setenv("PROMESA_DATABASE_URL", world.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PROMESA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PROMESA_NOW", "2026-11-20T10:00:00-06:00")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        out = tmp_path / "export.json"
        exported = runner.invoke(app, ["privacy", "export", "C-1001", "--json", str(out)])
        assert exported.exit_code == 0, exported.output
        body = json.loads(out.read_text())
        assert body["profile"]["name"] == "Carlos Mendoza" and [o["id"] for o in body["orders"]] == ["PO-5001"]
        asked = runner.invoke(app, ["privacy", "request-erasure", "C-1001", "--reason", "asked by phone",
                                    "--as", "support:agent-ana"])
        assert asked.exit_code == 0, asked.output
        request_id = json.loads(asked.output)["request_id"]
        same = runner.invoke(app, ["privacy", "approve-erasure", request_id, "--as", "support:agent-ana"])
        assert same.exit_code == 1 and "second person" in same.output
        done = runner.invoke(app, ["privacy", "approve-erasure", request_id, "--as", "ops:ops-luis"])
        assert done.exit_code == 0, done.output
        assert json.loads(done.output)["order_ids"] == ["PO-5001"]
        gone = runner.invoke(app, ["privacy", "export", "C-1001"])
        assert gone.exit_code == 1 and "not found" in gone.output
    finally:
        get_settings.cache_clear()
        if pg:
            drop_checkpoint_tables(world)
