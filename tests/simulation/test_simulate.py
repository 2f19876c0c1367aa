"""``promesa simulate`` on a tiny week: the report's shape and its invariants, never its speed."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app
from promesa.simulation.report import FIELDS
from promesa.simulation.runner import POLICIES
from promesa.simulation.scenario import build


def test_the_stream_is_seeded_and_the_same_for_every_policy():
    a, b = build("buen-fin", orders=200, seed=3), build("buen-fin", orders=200, seed=3)
    assert [(e.at, e.kind, e.data) for e in a.stream] == [(e.at, e.kind, e.data) for e in b.stream]
    assert sum(e.kind == "checkout" for e in a.stream) == 200
    assert any(e.kind == "capacity" for e in a.stream)  # the lost shift
    assert build("buen-fin", orders=200, seed=4).stream != a.stream


def test_simulate_writes_three_policies_with_exactly_the_issue_fields(tmp_path):
    out, html = tmp_path / "sim.json", tmp_path / "sim.html"
    result = CliRunner().invoke(app, ["simulate", "--days", "4", "--orders", "40", "--seed", "3",
                                      "--json", str(out), "--html", str(html), "--workdir", str(tmp_path / "w")])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert [p["name"] for p in report["policies"]] == list(POLICIES)
    for entry in report["policies"]:
        assert tuple(entry) == FIELDS
        assert 0 <= entry["promise_hit_rate"] <= 1 and 0 <= entry["notified_before_breach_rate"] <= 1
        assert entry["wismo_contacts"] <= entry["late_orders"] <= entry["orders"]
    naive, aware, orchestrated = report["policies"]
    assert naive["extra_shipping_cost_mxn"] == 0.0
    assert naive["orders"] == aware["orders"] == orchestrated["orders"] > 0
    # only the orchestrated policy notifies anyone
    assert naive["wismo_contacts"] == naive["late_orders"] and aware["wismo_contacts"] == aware["late_orders"]
    text = html.read_text()
    assert "<svg" in text and "capacity_aware_orchestrated" in text
    assert "<script" not in text and "src=" not in text  # nothing fetched from anywhere


def test_an_order_lost_to_shrink_is_late_but_not_an_oversell():
    # three orders promised for Tuesday 17 Nov: A delivered on time; B never shipped because a
    # shrink destroyed its reserved unit after it was placed; C never shipped with no stock loss
    # to explain it — stock promised that was never there, the one oversell
    from datetime import date

    from promesa.simulation.report import metrics
    from promesa.simulation.runner import Outcome

    promised = date(2026, 11, 17)
    outcome = Outcome("capacity_aware", orders=3, promise={"A": promised, "B": promised, "C": promised},
                      delivered={"A": promised}, blocked={"B", "C"}, lost={"B"})
    entry, detail = metrics(outcome, baseline_cost=0.0)
    assert entry["late_orders"] == 2 and entry["promise_hit_rate"] == round(1 / 3, 4)
    assert entry["oversells"] == 1
    assert detail["never_delivered"] == 2 and detail["lost_to_stock_loss"] == 1
