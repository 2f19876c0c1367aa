"""Choosing among candidates the assistant showed: "the second", "the Garza one", "el de Monterrey".

A list shown to the user (the customers a lookup matched, the open orders of a customer) is kept
in the dialogue state with the attributes each row showed. A later message picks one by its
position (``Entities.ref``) or by any attribute it names, matched fuzzily (rapidfuzz) so a typo
or a missing accent still picks it; a message that fits several candidates equally picks none.
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz

from agent.offline.entities import Entities
from agent.offline.normalise import fold

#: rapidfuzz ratio at which a word of the message names a word of a candidate's attribute.
MATCH = 80
#: Words shorter than this are too common to tell candidates apart ("the", "one", "el", "de").
MIN_WORD = 4
#: Attributes that identify a candidate to a person (shown in the list), by kind of row.
SHOWN = ("name", "city", "customer_id", "order_id", "status", "email", "node_id", "pickup_store")


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", fold(text)) if len(w) >= MIN_WORD]


def _attribute_words(row: dict[str, Any]) -> list[str]:
    words: list[str] = []
    for key in SHOWN:
        value = row.get(key)
        if isinstance(value, str):
            words += _words(value.replace("_", " "))
            if key in ("order_id", "customer_id"):
                words += re.findall(r"\d{3,}", value)  # "the 5010 one"
    return words


def choose(text: str, ent: Entities, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The one row of ``rows`` the message picks, or None.

    Position first ("the second", "la última"), then the attributes: each candidate scores the
    number of the message's words that name one of its shown attributes; the single best wins.
    """
    if not rows:
        return None
    if ent.ref in ("first", "second", "last"):
        index = {"first": 0, "second": 1, "last": -1}[ent.ref]
        return rows[index] if len(rows) > (1 if index == 1 else 0) else None
    said = _words(text)
    if not said:
        return None
    scores = []
    for row in rows:
        attrs = _attribute_words(row)
        scores.append(sum(any(fuzz.ratio(w, a) >= MATCH for a in attrs) for w in said))
    best = max(scores)
    if best == 0 or scores.count(best) > 1:
        return None
    return rows[scores.index(best)]
