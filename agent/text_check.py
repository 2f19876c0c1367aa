"""The model's words checked against the turn's tool results (DESIGN rule 1 for text).

A reply may only state an id, a date, an amount or quantity, a tracking number or an order
status that a tool result of the turn (or the user's own message) supports. :func:`unsupported`
lists what the reply states without support; the graph then replaces the reply with one written
from the typed decisions (:mod:`agent.fallback_answer`). Deterministic: patterns, not a model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

_MONTHS = {
    **{m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july",
                                   "august", "september", "october", "november", "december"), 1)},
    **{m: i for i, m in enumerate(("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
                                   "agosto", "septiembre", "octubre", "noviembre", "diciembre"), 1)},
    **{m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                   "oct", "nov", "dec"), 1)},
    "setiembre": 9, "sept": 9, "ene": 1, "abr": 4, "ago": 8, "dic": 12,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
#: Entity ids as the world spells them: PO-5001, C-1001, MTY-STORE-02, SKU-1.
_ENTITY_ID = re.compile(r"\b[A-Z]{1,6}(?:-[A-Z0-9]+)*-\d+[A-Z0-9]*\b")
#: Long codes with digits (tracking numbers); 8+ characters so years and amounts are not codes.
_CODE = re.compile(r"\b(?=[A-Z0-9]*\d[A-Z0-9]*\d[A-Z0-9]*\d[A-Z0-9]*\d)[A-Z0-9]{8,}\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+(?:de\s+)?({_MONTH})\b", re.IGNORECASE)
_MONEY = re.compile(
    r"(?:[$€]\s?(\d[\d,]*(?:\.\d+)?))|(?:\b(\d[\d,]*(?:\.\d+)?)\s?(?:MXN|USD|pesos|dollars|d[oó]lares)\b)",
    re.IGNORECASE,
)
_QUANTITY = re.compile(
    r"\b(\d+)\s+(?:units?|unidades?|pieces?|piezas?|items?|art[ií]culos?|pcs)\b", re.IGNORECASE
)
#: Status words in both languages -> the OrderStatus / tracking value that supports them.
_STATUS_WORDS: dict[str, str] = {
    "delivered": "delivered", "entregado": "delivered", "entregada": "delivered",
    "out for delivery": "out_for_delivery", "en reparto": "out_for_delivery",
    "in transit": "in_transit", "en tránsito": "in_transit", "en transito": "in_transit",
    "en camino": "in_transit", "shipped": "shipped", "enviado": "shipped", "enviada": "shipped",
    "cancelled": "cancelled", "canceled": "cancelled", "cancelado": "cancelled",
    "cancelada": "cancelled", "picked up": "picked_up", "recogido": "picked_up",
    "ready for pickup": "ready_for_pickup", "listo para recoger": "ready_for_pickup",
    "packed": "packed", "empacado": "packed", "allocated": "allocated", "asignado": "allocated",
}
_STATUS = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in sorted(_STATUS_WORDS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Fact:
    """One checkable statement in a reply: its kind and the text that states it."""

    kind: str  # id | code | date | amount | quantity | status
    said: str


@dataclass
class Evidence:
    """What the turn's tool results and the user's words support."""

    strings: set[str]
    numbers: set[float]
    month_days: set[tuple[int, int]]
    blob: str
    statuses: str

    @classmethod
    def of(cls, results: Iterable[Any], user_texts: Iterable[str] = ()) -> Evidence:
        strings: set[str] = set()
        numbers: set[float] = set()
        for result in results:
            _walk(_decoded(result), strings, numbers)
        # a status must come from a tool: the user asking "was it delivered?" supports nothing
        statuses = "\n".join(strings).lower()
        for said in user_texts:
            strings.update(_ENTITY_ID.findall(said))
            strings.update(_CODE.findall(said))
            strings.add(said)
        month_days = {md for s in strings for md in _month_days(s)}
        blob = "\n".join(strings).lower()
        numbers.update(_number(n) for s in strings for n in re.findall(r"\d+(?:\.\d+)?", s))
        return cls(strings, numbers, month_days, blob, statuses)

    def supports(self, fact: Fact) -> bool:
        if fact.kind in ("id", "code"):
            return fact.said.upper() in self.blob.upper()
        if fact.kind == "date":
            return all(md in self.month_days for md in _month_days(fact.said))
        if fact.kind in ("amount", "quantity"):
            value = _number(re.sub(r"[^\d.]", "", fact.said.replace(",", "")))
            return any(abs(value - n) < 0.005 for n in self.numbers)
        if fact.kind == "status":
            status = _STATUS_WORDS[fact.said.lower()]
            return status in self.statuses or fact.said.lower() in self.statuses
        return False


def facts(reply: str) -> list[Fact]:
    """Every checkable statement in ``reply``, in order."""
    found = [Fact("id", m) for m in _ENTITY_ID.findall(reply)]
    ids = {f.said for f in found}
    found += [Fact("code", m) for m in _CODE.findall(reply) if not any(m in i for i in ids)]
    for pattern in (_ISO_DATE, _MONTH_DAY, _DAY_MONTH):
        found += [Fact("date", m.group(0)) for m in pattern.finditer(reply) if _month_days(m.group(0))]
    found += [Fact("amount", m.group(0)) for m in _MONEY.finditer(reply)]
    found += [Fact("quantity", m.group(0)) for m in _QUANTITY.finditer(reply)]
    found += [Fact("status", m.group(0)) for m in _STATUS.finditer(reply)]
    return found


def unsupported(reply: str, evidence: Evidence) -> list[Fact]:
    """The statements of ``reply`` that ``evidence`` does not support."""
    return [fact for fact in facts(reply) if not evidence.supports(fact)]


def _decoded(result: Any) -> Any:
    if isinstance(result, str):
        try:
            return json.loads(result)
        except ValueError:
            return result
    return result


def _walk(value: Any, strings: set[str], numbers: set[float]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            strings.add(str(key))
            _walk(item, strings, numbers)
    elif isinstance(value, list | tuple):
        for item in value:
            _walk(item, strings, numbers)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        numbers.add(float(value))
    else:
        strings.add(str(value))


def _number(raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        return float("nan")


def _month_days(said: str) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for y, m, d in _ISO_DATE.findall(said):
        try:
            day = date(int(y), int(m), int(d))
        except ValueError:
            continue
        found.add((day.month, day.day))
    for month, day in _MONTH_DAY.findall(said):
        found.add((_MONTHS[month.lower()], int(day)))
    for day, month in _DAY_MONTH.findall(said):
        found.add((_MONTHS[month.lower()], int(day)))
    return {(m, d) for m, d in found if 1 <= d <= 31}


__all__ = ["Evidence", "Fact", "facts", "unsupported"]
