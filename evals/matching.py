"""Scoring rules: does a transcript meet a case's expectations?

* A decision record matches when every field the case gives equals the actual field; fields
  the case leaves out are not compared (subset match). Nested mappings match the same way.
* Dates, datetimes and numbers are compared exactly (``2026-11-23`` equals the JSON date
  ``"2026-11-23"``; ``3`` equals ``3.0`` and ``"3.00"`` from a Decimal, never ``true``).
* Lists are compared as sets: every listed item must match some actual item, order ignored,
  extra actual items allowed. The same holds for ``tools.must``, ``citations`` and
  ``answer.contains``.
* Text checks (``contains``/``not_contains``) ignore case and accents.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from evals.cases import Case
from evals.transcript import Transcript


@dataclass(frozen=True)
class Failure:
    """One expectation that did not hold: which one and why, in words."""

    expectation: str
    message: str

    def __str__(self) -> str:
        return f"{self.expectation}: {self.message}"


@dataclass(frozen=True)
class Score:
    failures: list[Failure]
    decision_hits: list[tuple[str, bool]]  # (decision type, matched) per expected record

    @property
    def passed(self) -> bool:
        return not self.failures


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced text for tolerant comparisons."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None


def values_equal(expected: Any, actual: Any) -> bool:
    """Exact equality with the few conversions JSON and YAML make necessary."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and not mismatches(expected, actual)
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return False
        return all(any(values_equal(e, a) for a in actual) for e in expected)
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None:
        return expected is actual or expected == actual and type(expected) is type(actual)
    if isinstance(expected, datetime):
        try:
            parsed = actual if isinstance(actual, datetime) else datetime.fromisoformat(str(actual))
        except ValueError:
            return False
        return parsed == expected
    if isinstance(expected, date):
        return str(actual) == expected.isoformat()
    if isinstance(expected, int | float):
        number = _number(actual)
        return number is not None and number == Decimal(str(expected))
    return bool(expected == actual)


def mismatches(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """The given fields of ``expected`` that ``actual`` lacks or holds differently."""
    problems = []
    for key, want in expected.items():
        if key not in actual:
            problems.append(f"{key} missing")
        elif not values_equal(want, actual[key]):
            problems.append(f"{key}={_show(actual[key])} (expected {_show(want)})")
    return problems


def _show(value: Any, limit: int = 80) -> str:
    text = value.isoformat() if isinstance(value, date) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(record: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in record.items()) + "}"


def find_decision(expected: dict[str, Any], decisions: Iterable[dict[str, Any]]) -> str | None:
    """None when some decision matches ``expected``; otherwise why the nearest one did not."""
    candidates = [d for d in decisions if d.get("type") == expected.get("type")]
    if not candidates:
        return f"no {expected.get('type')} decision at all"
    best: list[str] | None = None
    for decision in candidates:
        problems = mismatches(expected, decision)
        if not problems:
            return None
        if best is None or len(problems) < len(best):
            best = problems
    return f"nearest {expected.get('type')} decision has " + "; ".join(best or [])


def citations_of(decisions: Iterable[dict[str, Any]]) -> list[str]:
    """Every citation of every decision as ``doc-id#section`` (strings or {doc_id, section})."""
    found: list[str] = []
    for decision in decisions:
        for citation in decision.get("citations") or []:
            if isinstance(citation, dict):
                doc = citation.get("doc_id") or citation.get("doc") or ""
                section = citation.get("section")
                found.append(f"{doc}#{section}" if section else str(doc))
            else:
                found.append(str(citation))
    return found


def _citation_matches(wanted: str, citation: str) -> bool:
    return citation == wanted or ("#" not in wanted and citation.split("#", 1)[0] == wanted)


def score(case: Case, transcript: Transcript) -> Score:
    """Check every expectation of ``case`` against ``transcript``."""
    failures: list[Failure] = []
    hits: list[tuple[str, bool]] = []
    expect = case.expect
    decisions = transcript.decisions
    if transcript.error:
        failures.append(Failure("run", transcript.error))

    for i, wanted in enumerate(expect.decisions):
        why = find_decision(wanted, decisions)
        hits.append((str(wanted["type"]), why is None))
        if why is not None:
            failures.append(Failure(f"decisions[{i}]", f"expected {_describe(wanted)}: {why}"))

    for i, banned in enumerate(expect.no_decisions):
        for decision in decisions:
            if not mismatches(banned, decision):
                failures.append(
                    Failure(f"no_decisions[{i}]", f"unexpected decision {_describe(decision)}")
                )
                break

    called = transcript.tool_names
    for name in expect.tools.must:
        if name not in called:
            failures.append(Failure("tools.must", f"{name} was not called (called: {called})"))
    for name in expect.tools.must_not:
        if name in called:
            failures.append(Failure("tools.must_not", f"{name} was called"))

    failures.extend(_answer_failures(case, transcript))

    cited = citations_of(decisions)
    for wanted_citation in expect.citations:
        if not any(_citation_matches(wanted_citation, c) for c in cited):
            failures.append(Failure("citations", f"{wanted_citation} not cited (cited: {cited})"))

    failures.extend(Failure("state", problem) for problem in transcript.state_failures)

    if expect.verified is not None:
        results = [t.verified for t in transcript.turns if t.kind == "verify"]
        if not results or any(r is not expect.verified for r in results):
            failures.append(
                Failure("verified", f"verification results {results}, expected {expect.verified}")
            )
    if failures:
        # Context for a failed case: turns the system answered with a typed error.
        failures.extend(
            Failure(f"turns[{i}]", f"answered with {turn.error}")
            for i, turn in enumerate(transcript.turns)
            if turn.error
        )
    return Score(failures, hits)


def _answer_failures(case: Case, transcript: Transcript) -> list[Failure]:
    answer = case.expect.answer
    failures: list[Failure] = []
    final = transcript.final
    if answer.language is not None:
        got = final.language if final else None
        if got != answer.language:
            failures.append(
                Failure("answer.language", f"final answer language is {got!r}, expected {answer.language!r}")
            )
    text = fold(transcript.all_text)
    for phrase in answer.contains:
        if fold(phrase) not in text:
            failures.append(Failure("answer.contains", f"answer does not contain {phrase!r}"))
    for phrase in answer.not_contains:
        if fold(phrase) in text:
            failures.append(Failure("answer.not_contains", f"answer contains {phrase!r}"))
    return failures
