"""Horizontal bar charts as inline SVG, for the HTML reports (simulation and decision eval).

Plain string building with no dependencies, at the base of the layers so every report can use
it: :mod:`promesa.simulation.report` does, and :mod:`evals.html` can import it from here
instead of keeping its own copy.
"""

from __future__ import annotations

from collections.abc import Sequence


def bar_chart(rows: Sequence[tuple[str, float]], *, unit: str = "%", width: int = 640) -> str:
    """Horizontal bars as inline SVG; ``unit='%'`` expects values in [0, 1]."""
    if not rows:
        return "<p>(none)</p>"
    bar_h, gap, label_w = 18, 6, 200
    top = max((v for _, v in rows), default=1.0) if unit != "%" else 1.0
    top = top or 1.0
    height = len(rows) * (bar_h + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    span = width - label_w - 80
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(1.0, span * value / top)
        colour = "#137333" if unit != "%" or value >= 0.9 else ("#e37400" if value >= 0.7 else "#b3261e")
        shown = f"{value:.0%}" if unit == "%" else f"{value:.0f} {unit}"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12">{_esc(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="12">{shown}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _esc(text: str) -> str:
    """Text safe inside SVG markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
