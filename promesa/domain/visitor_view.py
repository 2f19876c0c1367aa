"""What an anonymous visitor's order view leaves out: internal ids (issue #16).

A visitor proved they know one order; they see its status, ETA and items, but never the
customer id behind it nor the codes of the nodes that handle it (names stand in for codes).
"""

from __future__ import annotations

import re

from promesa.domain.records import OrderStatusView
from promesa.domain.reference import Reference


def visitor_view(view: OrderStatusView, ref: Reference) -> OrderStatusView:
    """What an anonymous visitor sees: no customer id, no node codes (names instead)."""
    named = {n.id: f"{n.name}, {n.city}" for n in ref.nodes.values()}
    codes = sorted(named, key=len, reverse=True)  # longest first: no code is a prefix of a match
    pattern = re.compile("|".join(map(re.escape, codes))) if codes else None

    def scrub(text: str | None) -> str | None:
        if text is None or pattern is None:
            return text
        return pattern.sub(lambda m: named[m.group(0)], text)

    return view.model_copy(update={
        "customer_id": None,
        "node_id": None,
        "pickup_node_id": None,
        "reason_detail": scrub(view.reason_detail),
        "eta_basis": [scrub(b) or "" for b in view.eta_basis],
        "lines": [ln.model_copy(update={"allocated_node_id": None}) for ln in view.lines],
        "timeline": [t.model_copy(update={"location": scrub(t.location)}) for t in view.timeline],
    })

