"""``promesa bench`` on a tiny world: the JSON report's shape, never its timings."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from promesa.settings import get_settings

CORE = {"order_status", "risk_scan", "reroute_proposal"}
WITH_REFERENCE = {"order_status", "risk_scan", "agent_turn", "agent_turn_policy", "events_single",
                  "events_batch_per_event_tx", "events_batch", "events_visibility", "nlu_read",
                  "promise_quote", "promise_quote_cached", "checkout_plan",
                  "agent_turn_long_thread_10", "agent_turn_long_thread_20", "agent_turn_long_thread_40"}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    path = tmp_path / "data"
    monkeypatch.setenv("PROMESA_DATA_DIR", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_bench_writes_one_entry_per_benchmark(tmp_path, data_dir):
    out = tmp_path / "bench.json"
    db = tmp_path / "world.db"
    result = CliRunner().invoke(app, [
        "bench", "--orders", "300", "--db", f"sqlite:///{db}", "--json", str(out), "--calls", "2",
    ])
    assert result.exit_code == 0, result.output
    assert db.exists()
    entries = json.loads(out.read_text())
    names = [e["name"] for e in entries]
    assert len(names) == len(set(names))
    assert CORE <= set(names)
    assert {n for n in names if n.startswith("analytics:")} >= {
        "analytics:orders_by_channel", "analytics:utilisation_by_node"}
    for entry in entries:
        assert entry["world_orders"] == 300
        assert entry["n_calls"] == 2
        assert entry["p50_ms"] >= 0 and entry["p95_ms"] >= entry["p50_ms"]
        if entry["name"] in WITH_REFERENCE:
            ref = entry["reference_p95_ms"]
            assert ref is not None and ref > 0
            assert entry["ratio"] == pytest.approx(round(entry["p95_ms"] / ref, 2), abs=0.011)
        else:
            assert entry["reference_p95_ms"] is None and entry["ratio"] is None


def test_bench_defaults_to_a_world_in_the_data_dir_and_rejects_unknown_names(tmp_path, data_dir):
    out = tmp_path / "one.json"
    result = CliRunner().invoke(app, [
        "bench", "--orders", "300", "--seed", "3", "--only", "risk_scan", "--calls", "1",
        "--json", str(out),
    ])
    assert result.exit_code == 0, result.output
    assert (data_dir / "bench-300-3.db").exists()
    [entry] = json.loads(out.read_text())
    assert entry["name"] == "risk_scan" and entry["n_calls"] == 1
    bad = CliRunner().invoke(app, ["bench", "--orders", "300", "--seed", "3", "--only", "nope"])
    assert bad.exit_code != 0
    assert "unknown benchmark" in bad.output
