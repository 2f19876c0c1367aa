from evals.gates import GateResult
from evals.html import bar_chart, render_html
from evals.metrics import summarise
from tests.evals.test_metrics import result


def test_report_has_charts_and_failure_transcripts_escaped():
    results = [result("good", ["wismo"], [True]), result("bad-1", ["security"], [False])]
    results[1].runs[0].transcript.turns[0].text = "<script>alert(1)</script>"
    page = render_html(summarise(results), results, [GateResult("safety", False, "1 violation")])
    assert page.count("<svg") == 3
    assert "bad-1" in page and "&lt;script&gt;" in page and "<script>alert" not in page
    assert "no risk_flag decision at all" in page and "get_order_status" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_bar_chart_empty_and_values():
    assert bar_chart([]) == "<p>(none)</p>"
    assert "50%" in bar_chart([("a", 0.5)])
