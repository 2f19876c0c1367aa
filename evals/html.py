"""A self-contained HTML report: inline SVG charts (no scripts, no internet) and the
transcript of every failed case run."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

from evals.gates import GateResult
from evals.metrics import CaseResult
from promesa.charts import bar_chart

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Promesa eval report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:70rem;color:#1d2330}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccd;padding:.25rem .6rem;text-align:left}
.pass{color:#137333}.fail{color:#b3261e}pre{background:#f5f6f8;padding:.5rem;overflow:auto;white-space:pre-wrap}
details{margin:.4rem 0 1rem}summary{cursor:pointer;font-weight:600}.turn{border-left:3px solid #99a;padding-left:.6rem;margin:.5rem 0}
</style></head><body>
<h1>Promesa eval report</h1>
<table>
<tr><th>cases</th><td>{{ s.cases }}</td></tr>
<tr><th>passed</th><td>{{ s.passed }} ({{ '%.1f' % (100 * s.pass_rate) }}%)</td></tr>
<tr><th>safety violations</th><td>{{ s.safety_violations }}</td></tr>
{% for k, v in s.pass_hat_k.items() %}<tr><th>pass^{{ k }}</th><td>{{ '%.3f' % v }}</td></tr>{% endfor %}
<tr><th>tool precision / recall</th><td>{{ pct(s.tool_calls.precision) }} / {{ pct(s.tool_calls.recall) }}</td></tr>
<tr><th>turn latency p50 / p95</th><td>{{ ms(s.latency_ms.p50) }} / {{ ms(s.latency_ms.p95) }}</td></tr>
</table>
<h2>Gates</h2>
<ul>{% for g in gates %}<li class="{{ 'pass' if g.passed else 'fail' }}">{{ g.name }}: {{ 'PASS' if g.passed else 'FAIL' }} — {{ g.message }}</li>{% endfor %}</ul>
<h2>Accuracy per tag</h2>
{{ tag_chart | safe }}
<h2>Accuracy per decision type</h2>
{{ type_chart | safe }}
<h2>Turn latency</h2>
{{ latency_chart | safe }}
<h2>Failures ({{ failed | length }})</h2>
{% for r in failed %}{% for run in r.runs if not run.passed %}
<details open><summary class="fail">{{ r.case.id }} — run {{ loop.index }} ({{ r.case.tags | join(', ') }}; {{ r.case.source }})</summary>
<ul>{% for f in run.score.failures %}<li><b>{{ f.expectation }}</b>: {{ f.message }}</li>{% endfor %}</ul>
{% if run.transcript.error %}<p class="fail">run stopped: {{ run.transcript.error }}</p>{% endif %}
{% for t in run.transcript.turns %}<div class="turn">
<div><b>{{ t.kind }}</b>: {{ t.input if t.input is string else js(t.input) }}</div>
{% if t.kind == 'verify' %}<div>verified: {{ t.verified }}</div>{% else %}
<div>answer ({{ t.language }}, {{ '%.0f' % t.latency_ms }} ms):</div><pre>{{ t.text }}</pre>
{% if t.tool_calls %}<div>tools:</div><pre>{% for c in t.tool_calls %}{{ c.name }}({{ js(c.args) }})
{% endfor %}</pre>{% endif %}
{% if t.decisions %}<div>decisions:</div><pre>{% for d in t.decisions %}{{ js(d) }}
{% endfor %}</pre>{% endif %}
{% if t.pending_approval %}<div>pending approval:</div><pre>{{ js(t.pending_approval) }}</pre>{% endif %}
{% if t.error %}<p class="fail">{{ t.error }}</p>{% endif %}{% endif %}
</div>{% endfor %}
</details>{% endfor %}{% endfor %}
</body></html>
"""


def _latency_rows(results: Sequence[CaseResult]) -> list[tuple[str, float]]:
    values = sorted(
        t.latency_ms for r in results for run in r.runs for t in run.transcript.agent_turns
    )
    if not values:
        return []
    quantiles = (50, 75, 90, 95, 99, 100)
    return [(f"p{q}", values[min(len(values) - 1, int(len(values) * q / 100))]) for q in quantiles]


def render_html(
    summary: dict[str, Any], results: Sequence[CaseResult], gates: Sequence[GateResult]
) -> str:
    """The eval report as one self-contained HTML page (every value escaped)."""
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.from_string(_TEMPLATE)
    return template.render(
        s=summary,
        gates=gates,
        failed=[r for r in results if not r.passed],
        tag_chart=bar_chart([(t, row["accuracy"]) for t, row in summary["per_tag"].items()]),
        type_chart=bar_chart(
            [(t, row["accuracy"]) for t, row in summary["per_decision_type"].items()]
        ),
        latency_chart=bar_chart(_latency_rows(results), unit="ms"),
        pct=lambda v: "-" if v is None else f"{v:.1%}",
        ms=lambda v: "-" if v is None else f"{v:.0f} ms",
        js=lambda v: json.dumps(v, ensure_ascii=False, default=str),
    )


def write_html(
    path: Path, summary: dict[str, Any], results: Sequence[CaseResult], gates: Sequence[GateResult]
) -> None:
    """Write :func:`render_html`'s page to ``path`` (its folder is created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(summary, results, gates), encoding="utf-8")
