from __future__ import annotations

from knowledge.documents import load_library
from knowledge.evaluation import Question, load_questions, run_retrieval_eval
from knowledge.retriever import Retriever


def test_question_set_is_large_bilingual_and_cites_real_sections() -> None:
    questions = load_questions()
    assert len(questions) >= 150
    assert {q.locale for q in questions} == {"en", "es"}
    assert sum(not q.cite for q in questions) >= 10
    assert {q.split for q in questions} == {"tune", "heldout"}
    sections = {f"{d.id}#{s.anchor}" for d in load_library() for s in d.sections}
    assert {c for q in questions for c in q.cite} <= sections


def test_report_shape_and_scores(retriever: Retriever) -> None:
    questions = [
        Question(q="How long do I have to return something?", cite=["returns#return-window"], locale="en"),
        Question(q="¿Qué son los derechos ARCO?", cite=["privacy#arco-rights"], locale="es"),
        Question(q="What is the capital of France?", cite=[], locale="en"),
    ]
    report = run_retrieval_eval(retriever, questions)
    assert set(report.modes) == {"lexical", "vector", "hybrid"}
    hybrid = report.modes["hybrid"]
    assert hybrid["en"].recall_at_3 == 1.0 and hybrid["es"].recall_at_3 == 1.0
    assert hybrid["all"].no_answer_accuracy == 1.0
    assert set(report.splits) == {"all", "tune", "heldout"}
    assert "recall_at_3" in report.model_dump()["modes"]["hybrid"]["es"]
