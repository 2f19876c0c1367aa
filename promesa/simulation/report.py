"""The simulation's numbers per policy (exactly the issue's fields) and its HTML report.

A late order is one delivered after its promised date, or never delivered (its stock was gone:
an oversell, or still queued when the replay ended). It was *notified before breach* when a
notice about it was sent by the end of its promised day (local time); a late order with no such
notice is one expected "where is my order?" contact.

An *oversell* is an order that never shipped because its units were not there although
nothing took them after it was placed: stock promised that did not exist. Every policy reserves
at placement under the same guard (naive ignores capacity, not stock), so none may oversell.
An order whose reserved units a stock loss (shrink) destroyed after it was placed, and that
nothing moved elsewhere, is *lost to a stock loss* instead: late like any other, counted apart.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from jinja2 import Environment, select_autoescape

from promesa.charts import bar_chart
from promesa.simulation.runner import Outcome
from promesa.simulation.scenario import TZ

FIELDS = ("name", "orders", "promise_hit_rate", "late_orders", "oversells", "extra_shipping_cost_mxn",
          "notified_before_breach_rate", "wismo_contacts")


def metrics(outcome: Outcome, baseline_cost: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the ``policies`` entry, the extra details) of one policy."""
    late, days_late, notified = [], [], 0
    oversold = 0
    for order_id, promised in outcome.promise.items():
        arrived = outcome.delivered.get(order_id)
        if arrived is not None and arrived <= promised:
            continue
        late.append(order_id)
        if arrived is None:
            oversold += order_id in outcome.blocked and order_id not in outcome.lost
        else:
            days_late.append((arrived - promised).days)
        sent = outcome.notified.get(order_id)
        if sent is not None and sent <= datetime.combine(promised, time(23, 59, 59), tzinfo=TZ):
            notified += 1
    orders = outcome.orders
    entry = {
        "name": outcome.name,
        "orders": orders,
        "promise_hit_rate": round((orders - len(late)) / orders, 4) if orders else 0.0,
        "late_orders": len(late),
        "oversells": oversold,
        "extra_shipping_cost_mxn": round(outcome.shipping_cost + outcome.reroute_cost - baseline_cost, 2),
        "notified_before_breach_rate": round(notified / len(late), 4) if late else 1.0,
        "wismo_contacts": len(late) - notified,
    }
    detail = {
        "mean_days_late": round(sum(days_late) / len(days_late), 2) if days_late else 0.0,
        "max_days_late": max(days_late, default=0),
        "never_delivered": sum(1 for o in late if o not in outcome.delivered),
        "lost_to_stock_loss": sum(1 for o in late if o not in outcome.delivered and o in outcome.lost),
        "rejected_checkouts": outcome.rejected_checkouts, "requotes": outcome.requotes,
        "orchestration_actions": outcome.actions, "reroute_extra_cost_mxn": round(outcome.reroute_cost, 2),
        "shipping_cost_mxn": round(outcome.shipping_cost, 2), "events_rejected": outcome.events_rejected,
        "seconds": round(outcome.seconds, 1),
    }
    return entry, detail


_TEMPLATE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Promesa simulation — {{ s.scenario }}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:960px}table{border-collapse:collapse;font-size:12px;table-layout:fixed;width:100%}
td,th{border:1px solid #ccc;padding:4px 6px;text-align:right;overflow-wrap:anywhere}th:first-child{width:24%}th:first-child,td:first-child{text-align:left}
h2{margin-top:1.6em}</style></head><body>
<h1>Peak week: {{ s.scenario }}</h1>
<p>{{ s.days }} days, {{ s.orders_in_stream }} checkouts, seed {{ s.seed }}; replayed through the real services under
three policies. Wall time {{ s.seconds }} s.</p>
<table><tr>{% for f in fields %}<th>{{ f }}</th>{% endfor %}</tr>
{% for p in s.policies %}<tr>{% for f in fields %}<td>{{ p[f] }}</td>{% endfor %}</tr>{% endfor %}</table>
<h2>Promises kept</h2><p>Goal: the orchestrated policy ≥ 98 % where naive ≤ 90 %.</p>{{ hit | safe }}
<h2>Late orders notified before the promise passed</h2>{{ notified | safe }}
<h2>Late orders</h2>{{ late | safe }}
<h2>Expected “where is my order?” contacts</h2>{{ wismo | safe }}
<h2>Details</h2><pre>{{ details }}</pre>
</body></html>"""


def render_html(summary: dict[str, Any]) -> str:
    """The simulation report as one self-contained HTML page (charts inline)."""
    import json

    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    policies = summary["policies"]
    return env.from_string(_TEMPLATE).render(
        s=summary, fields=FIELDS,
        hit=bar_chart([(p["name"], p["promise_hit_rate"]) for p in policies]),
        notified=bar_chart([(p["name"], p["notified_before_breach_rate"]) for p in policies]),
        late=bar_chart([(p["name"], float(p["late_orders"])) for p in policies], unit="orders"),
        wismo=bar_chart([(p["name"], float(p["wismo_contacts"])) for p in policies], unit="contacts"),
        details=json.dumps(summary["details"], indent=2))
