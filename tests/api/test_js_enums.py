"""The committed api/static/js/enums.js is exactly what the generator emits from the Python enums."""

from __future__ import annotations

from agent.decisions import decision_types
from api import js_enums
from tools.names import ToolName


def test_committed_enums_js_equals_the_generator_output() -> None:
    assert js_enums.TARGET.read_text(encoding="utf-8") == js_enums.render(), (
        "api/static/js/enums.js is stale: run `python -m api.js_enums`")
    assert js_enums.main(["--check"]) == 0


def test_the_enums_are_the_python_ones() -> None:
    emitted = js_enums.enums()
    assert emitted["ToolName"] == [t.value for t in ToolName]
    assert set(emitted["DecisionType"]) == decision_types()
    for member in ("risk_flag", "customer_profile", "availability", "refusal"):
        assert f'"{member}": "{member}",' in js_enums.render()
