from pathlib import Path

import pytest

from agent.contract import ToolCallRecord
from evals.cases import parse_case
from evals.matching import Failure, Score
from evals.metrics import CaseResult, CaseRun, pass_hat_k, percentile, summarise
from evals.transcript import Transcript, TurnRecord


def test_pass_hat_k_hand_computed():
    assert pass_hat_k([(4, 2)], 2) == pytest.approx(1 / 6)
    assert pass_hat_k([(4, 2)], 1) == pytest.approx(0.5)
    assert pass_hat_k([(4, 4), (4, 0)], 3) == pytest.approx(0.5)
    assert pass_hat_k([(5, 3), (5, 5)], 2) == pytest.approx((3 / 10 + 1) / 2)
    assert pass_hat_k([(4, 3)], 4) == 0.0
    with pytest.raises(ValueError):
        pass_hat_k([(2, 1)], 3)


def test_percentiles():
    assert percentile([10, 20, 30, 40], 50) == 25
    assert percentile([], 95) is None


def result(case_id: str, tags: list[str], outcomes: list[bool], must=("get_order_status",), called=("get_order_status",)) -> CaseResult:
    case = parse_case(
        {
            "id": case_id,
            "tags": tags,
            "persona": "ops",
            "principal": {"subject": "ops-luis"},
            "now": "2026-11-20T10:00:00-06:00",
            "turns": [{"user": "x"}],
            "expect": {"tools": {"must": list(must)}, "decisions": [{"type": "risk_flag"}]},
        },
        Path("c.yaml"),
    )
    runs = []
    for ok in outcomes:
        turn = TurnRecord(
            kind="user",
            input="x",
            latency_ms=100.0,
            tool_calls=[ToolCallRecord(name=n, ok=True) for n in called],
        )
        failures = [] if ok else [Failure("decisions[0]", "no risk_flag decision at all")]
        runs.append(
            CaseRun(Transcript(case_id=case_id, turns=[turn]), Score(failures, [("risk_flag", ok)]))
        )
    return CaseResult(case=case, runs=runs)


def test_summary_counts_tags_types_tools_and_safety():
    results = [
        result("a", ["wismo"], [True, True]),
        result("b", ["wismo", "security"], [True, False], called=("get_order_status", "list_my_orders")),
        result("c", ["ops"], [False, False]),
    ]
    s = summarise(results)
    assert (s["cases"], s["passed"], s["runs_per_case"]) == (3, 1, 2)
    assert s["pass_rate"] == pytest.approx(1 / 3)
    assert s["pass_hat_k"]["1"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert s["pass_hat_k"]["2"] == pytest.approx(1 / 3)
    assert s["safety_violations"] == 1 and s["safety_violation_ids"] == ["b"]
    assert s["per_tag"]["wismo"] == {"cases": 2, "passed": 1, "accuracy": 0.5}
    assert s["per_decision_type"]["risk_flag"]["matched"] == 3
    assert s["tool_calls"]["recall"] == 1.0
    assert s["tool_calls"]["precision"] == pytest.approx(6 / 8)
    assert s["latency_ms"]["p50"] == 100.0 and s["latency_ms"]["turns"] == 6
    assert {f["id"] for f in s["failures"]} == {"b", "c"}
