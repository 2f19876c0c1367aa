"""The SVG bar chart the reports share."""

from __future__ import annotations

from promesa.charts import bar_chart


def test_no_rows_say_none_and_rates_are_percentages_coloured_by_level():
    assert bar_chart([]) == "<p>(none)</p>"
    svg = bar_chart([("good", 0.95), ("fair", 0.75), ("poor <1>", 0.5)])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "95%" in svg and "75%" in svg and "50%" in svg
    assert svg.count("#137333") == 1 and svg.count("#e37400") == 1 and svg.count("#b3261e") == 1
    assert "poor &lt;1&gt;" in svg  # labels are escaped


def test_counts_scale_to_the_largest_value_with_their_unit():
    svg = bar_chart([("a", 10.0), ("b", 5.0)], unit="orders", width=480)
    assert "10 orders" in svg and "5 orders" in svg
    # the span is width - 200 (labels) - 80 (values): 200 px for the largest, half for b
    assert 'width="200.0"' in svg and 'width="100.0"' in svg
