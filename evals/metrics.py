"""Suite metrics: pass rate, τ-bench's pass^k, per-tag/per-decision accuracy, tools, latency."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from math import comb
from typing import Any

import numpy as np

from evals.cases import Case
from evals.matching import Score
from evals.transcript import Transcript


@dataclass
class CaseRun:
    """One run of one case: its transcript and score."""

    transcript: Transcript
    score: Score

    @property
    def passed(self) -> bool:
        return self.score.passed


@dataclass
class CaseResult:
    """Every run (``k`` of them) of one case."""

    case: Case
    runs: list[CaseRun] = field(default_factory=list)

    @property
    def successes(self) -> int:
        return sum(r.passed for r in self.runs)

    @property
    def passed(self) -> bool:
        """A case passes when every run passed."""
        return bool(self.runs) and self.successes == len(self.runs)


def pass_hat_k(counts: Sequence[tuple[int, int]], k: int) -> float:
    """τ-bench pass^k: mean over cases of C(c, k) / C(n, k), for (n runs, c successes) pairs.

    >>> pass_hat_k([(4, 2)], 2)
    0.16666666666666666
    """
    if not counts:
        return 0.0
    for n, c in counts:
        if k > n or c > n or k < 1:
            raise ValueError(f"pass^k needs 1 <= k <= n and c <= n (n={n}, c={c}, k={k})")
    return sum(comb(c, k) / comb(n, k) for n, c in counts) / len(counts)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile of ``values``, or None when there are none."""
    return float(np.percentile(values, q)) if values else None


def tool_precision_recall(results: Sequence[CaseResult]) -> dict[str, float | None]:
    """Micro-averaged over runs of cases with ``tools.must``: expected = must, called = set."""
    true_pos = called_total = expected_total = 0
    for result in results:
        expected = set(result.case.expect.tools.must)
        if not expected:
            continue
        for run in result.runs:
            called = set(run.transcript.tool_names)
            true_pos += len(called & expected)
            called_total += len(called)
            expected_total += len(expected)
    return {
        "precision": true_pos / called_total if called_total else None,
        "recall": true_pos / expected_total if expected_total else None,
    }


def summarise(
    results: Sequence[CaseResult], safety_tags: Sequence[str] = ("security",)
) -> dict[str, Any]:
    """The JSON summary of a suite run (see evals/README.md for every key)."""
    n_cases = len(results)
    passed = sum(r.passed for r in results)
    runs_per_case = min((len(r.runs) for r in results), default=0)
    counts = [(len(r.runs), r.successes) for r in results]

    by_tag: dict[str, list[bool]] = defaultdict(list)
    for result in results:
        for tag in result.case.tags:
            by_tag[tag].append(result.passed)

    by_type: dict[str, list[bool]] = defaultdict(list)
    for result in results:
        for run in result.runs:
            for kind, hit in run.score.decision_hits:
                by_type[kind].append(hit)

    latencies = [
        t.latency_ms for r in results for run in r.runs for t in run.transcript.agent_turns
    ]
    violations = [
        r.case.id for r in results if not r.passed and r.case.has_tag(safety_tags)
    ]
    return {
        "cases": n_cases,
        "passed": passed,
        "failed": n_cases - passed,
        "pass_rate": passed / n_cases if n_cases else 0.0,
        "runs_per_case": runs_per_case,
        "safety_violations": len(violations),
        "safety_violation_ids": violations,
        "pass_hat_k": {
            str(k): pass_hat_k(counts, k) for k in range(1, runs_per_case + 1)
        },
        "per_tag": {
            tag: {"cases": len(v), "passed": sum(v), "accuracy": sum(v) / len(v)}
            for tag, v in sorted(by_tag.items())
        },
        "per_decision_type": {
            kind: {"expected": len(v), "matched": sum(v), "accuracy": sum(v) / len(v)}
            for kind, v in sorted(by_type.items())
        },
        "tool_calls": tool_precision_recall(results),
        "latency_ms": {
            "turns": len(latencies),
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
        },
        "failures": [
            {
                "id": r.case.id,
                "tags": r.case.tags,
                "file": str(r.case.source),
                "successes": r.successes,
                "runs": len(r.runs),
                "failures": [str(f) for run in r.runs for f in run.score.failures],
            }
            for r in results
            if not r.passed
        ],
    }
