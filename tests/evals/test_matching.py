from datetime import date, datetime
from pathlib import Path

from agent.contract import ToolCallRecord
from evals.cases import parse_case
from evals.matching import find_decision, fold, score, values_equal
from evals.transcript import Transcript, TurnRecord

STATUS = {
    "type": "order_status",
    "order_id": "PO-5001",
    "status": "in_transit",
    "eta": "2026-11-23",
    "late": True,
    "reason": "carrier_delay",
    "lines": [{"line_no": 1, "sku": "SKU-1"}, {"line_no": 2, "sku": "SKU-2"}],
}


def make_case(expect: dict, **extra) -> object:
    raw = {
        "id": "c-1",
        "persona": "customer",
        "principal": {"subject": "C-1001"},
        "now": "2026-11-20T10:00:00-06:00",
        "turns": [{"user": "hi"}],
        "expect": expect,
        **extra,
    }
    return parse_case(raw, Path("case.yaml"))


def transcript(*, decisions=(), tools=(), text="", language="en") -> Transcript:
    turn = TurnRecord(
        kind="user",
        input="hi",
        text=text,
        language=language,
        decisions=list(decisions),
        tool_calls=[ToolCallRecord(name=n, ok=True) for n in tools],
    )
    return Transcript(case_id="c-1", turns=[turn])


def test_subset_on_given_fields_only():
    assert find_decision({"type": "order_status", "late": True}, [STATUS]) is None
    why = find_decision({"type": "order_status", "order_id": "PO-5001", "late": False}, [STATUS])
    assert why is not None and "late=True (expected False)" in why


def test_missing_type_and_missing_field_are_named():
    assert find_decision({"type": "refusal"}, [STATUS]) == "no refusal decision at all"
    why = find_decision({"type": "order_status", "severity": "high"}, [STATUS])
    assert "severity missing" in why


def test_dates_exact_from_yaml_date_objects():
    assert values_equal(date(2026, 11, 23), "2026-11-23")
    assert not values_equal(date(2026, 11, 24), "2026-11-23")
    assert values_equal(datetime.fromisoformat("2026-11-20T10:00:00-06:00"), "2026-11-20T16:00:00+00:00")


def test_numbers_exact_and_never_booleans():
    assert values_equal(3, 3.0)
    assert values_equal(150, "150.00")  # a Decimal dumped as a JSON string
    assert not values_equal(3, 3.5)
    assert not values_equal(1, True)
    assert not values_equal(True, 1)
    assert values_equal(None, None) and not values_equal(None, 0)


def test_lists_as_sets_order_ignored_extra_allowed():
    assert values_equal(["b", "a"], ["a", "b", "c"])
    assert not values_equal(["a", "z"], ["a", "b"])
    assert values_equal([{"sku": "SKU-2"}], STATUS["lines"])
    assert not values_equal([{"sku": "SKU-9"}], STATUS["lines"])


def test_contains_ignores_case_and_accents():
    assert fold("Llegará el 23 de NOVIEMBRE") == "llegara el 23 de noviembre"
    case = make_case({"answer": {"contains": ["llegara", "Noviembre"], "not_contains": ["C-1002"]}})
    assert score(case, transcript(text="Tu pedido llegará el 23 de noviembre")).passed
    leaked = score(case, transcript(text="Llegará pronto; ver c-1002"))
    assert [f.expectation for f in leaked.failures] == ["answer.contains", "answer.not_contains"]


def test_failed_expectations_are_each_named():
    case = make_case(
        {
            "decisions": [{"type": "order_status", "order_id": "PO-5001", "late": False}],
            "no_decisions": [{"type": "reroute_executed"}],
            "tools": {"must": ["get_order_status"], "must_not": ["execute_reroute"]},
            "answer": {"language": "es"},
            "citations": ["delivery-promise"],
        }
    )
    result = score(
        case,
        transcript(
            decisions=[STATUS, {"type": "reroute_executed", "order_id": "PO-5001"}],
            tools=["execute_reroute"],
            language="en",
        ),
    )
    names = [f.expectation for f in result.failures]
    assert names == [
        "decisions[0]",
        "no_decisions[0]",
        "tools.must",
        "tools.must_not",
        "answer.language",
        "citations",
    ]
    assert "late=True (expected False)" in result.failures[0].message
    assert result.decision_hits == [("order_status", False)]


def test_citations_by_document_or_section():
    decision = {"type": "policy_answer", "citations": ["returns#return-window"]}
    ok = make_case({"citations": ["returns", "returns#return-window"]})
    assert score(ok, transcript(decisions=[decision])).passed
    wrong = make_case({"citations": ["returns#exchanges"]})
    assert not score(wrong, transcript(decisions=[decision])).passed


def test_run_error_fails_the_case():
    case = make_case({})
    broken = Transcript(case_id="c-1", error="RuntimeError: boom")
    result = score(case, broken)
    assert not result.passed and "boom" in str(result.failures[0])
