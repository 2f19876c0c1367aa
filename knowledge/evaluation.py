"""Retrieval evaluation: recall@1/@3, MRR, no-answer accuracy and latency, per mode and locale.

Questions live in ``knowledge/questions/*.yaml``. A deterministic 30% of them (by a hash of
the question text) is held out: thresholds and fusion weights were tuned on the rest only, and
the report shows both parts.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from pydantic import BaseModel, Field

from knowledge.retriever import MODES, Retriever, timed_search
from promesa.errors import InvalidInput
from promesa.principal import Principal, Role

QUESTIONS_DIR = Path(__file__).parent / "questions"
Split = Literal["tune", "heldout"]


class Question(BaseModel):
    q: str = Field(min_length=1)
    cite: list[str]
    role: Role = Role.customer
    locale: str = "en"

    @property
    def split(self) -> Split:
        bucket = int(hashlib.sha1(self.q.encode()).hexdigest(), 16) % 10
        return "heldout" if bucket < 3 else "tune"


class Metrics(BaseModel):
    questions: int
    recall_at_1: float
    recall_at_3: float
    mrr: float
    no_answer_accuracy: float
    p95_ms: float


class RetrievalReport(BaseModel):
    """``splits[split].modes[mode][locale] -> Metrics``; ``modes`` is the ``all`` split."""

    modes: dict[str, dict[str, Metrics]]
    splits: dict[str, dict[str, dict[str, Metrics]]]


def load_questions(directory: Path = QUESTIONS_DIR) -> list[Question]:
    """The retrieval questions of every YAML file in ``directory``."""
    questions: list[Question] = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data.get("questions"), list):
            raise InvalidInput(f"{path.name}: 'questions' must be a list", field="questions")
        for item in data["questions"]:
            questions.append(Question.model_validate({"locale": data.get("locale", "en"), **item}))
    return questions


def _metrics(rows: list[tuple[Question, list[str], float]]) -> Metrics:
    answerable = [(q, got) for q, got, _ in rows if q.cite]
    ranks = [next((i for i, c in enumerate(got, 1) if c in q.cite), None) for q, got in answerable]
    n = max(len(answerable), 1)
    correct_decision = sum(bool(got) == bool(q.cite) for q, got, _ in rows)
    return Metrics(
        questions=len(rows),
        recall_at_1=round(sum(r == 1 for r in ranks) / n, 3),
        recall_at_3=round(sum(r is not None and r <= 3 for r in ranks) / n, 3),
        mrr=round(sum(1 / r for r in ranks if r) / n, 3),
        no_answer_accuracy=round(correct_decision / max(len(rows), 1), 3),
        p95_ms=round(float(np.percentile([ms for *_, ms in rows], 95)), 1) if rows else 0.0,
    )


def run_retrieval_eval(
    retriever: Retriever, questions: list[Question] | None = None, *, k: int = 3
) -> RetrievalReport:
    """Run every question through every mode as its role; the retrieval suite of the evals."""
    questions = questions if questions is not None else load_questions()
    results: dict[str, list[tuple[Question, list[str], float]]] = {m: [] for m in MODES}
    # Load the model and the code paths once, then time every question with a cold embedding
    # cache: the latency reported is that of a question never seen before.
    retriever.search(Principal(role=Role.system, subject="eval"), "warm up the retriever")
    for mode in MODES:
        retriever.clear_cache()
        for question in questions:
            principal = Principal(role=question.role, subject="eval")
            passages, ms = timed_search(retriever, principal, question.q, k=k, mode=mode)
            results[mode].append((question, [p.citation for p in passages], ms))
    splits: dict[str, dict[str, dict[str, Metrics]]] = {}
    for split in ("all", "tune", "heldout"):
        splits[split] = {}
        for mode_name, rows in results.items():
            chosen = [r for r in rows if split == "all" or r[0].split == split]
            by_locale = {"all": chosen} | {
                loc: [r for r in chosen if r[0].locale == loc] for loc in sorted({q.locale for q in questions})
            }
            splits[split][mode_name] = {loc: _metrics(rs) for loc, rs in by_locale.items() if rs}
    return RetrievalReport(modes=splits["all"], splits=splits)
