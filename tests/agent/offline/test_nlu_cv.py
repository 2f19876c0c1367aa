"""Group cross-validation of the NLU on the training split (agent/offline/nlu_cv.py)."""

from pathlib import Path

import pytest

from agent.offline import nlu_corpus
from agent.offline.entities import extract
from agent.offline.intents import classify
from agent.offline.nlu_cv import cross_validate
from agent.offline.nlu_model import train as train_model
from promesa.errors import InvalidInput

_ROWS = [(t, lang, "where_is_order") for t, lang in [
    ("where is my order", "en"), ("has my parcel shipped yet", "en"), ("track my package please", "en"),
    ("when does my delivery arrive", "en"), ("dónde está mi pedido", "es"), ("ya salió mi paquete?", "es"),
    ("rastrea mi envío por favor", "es"), ("cuándo llega mi compra", "es")]] + [(t, lang, "policy_question") for t, lang in [
    ("how much does shipping cost", "en"), ("what is your return policy", "en"), ("how long is the warranty", "en"),
    ("do you charge a restocking fee", "en"), ("cuánto cuesta el envío", "es"), ("cuál es la política de devoluciones", "es"),
    ("de cuánto es la garantía", "es"), ("cobran comisión por reposición", "es")]]


def _corpus(tmp_path: Path) -> tuple[nlu_corpus.Row, ...]:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for intent in ("where_is_order", "policy_question"):
        body = "".join(f'- {{text: "{t}", lang: {lang}, persona: customer}}\n' for t, lang, i in _ROWS if i == intent)
        (folder / f"{intent}.yaml").write_text(body, encoding="utf-8")
    return nlu_corpus.load((folder,))


def test_folds_keep_groups_whole_and_leave_the_heldout_split_out(tmp_path):
    rows = _corpus(tmp_path)
    keys = dict(zip(rows, nlu_corpus.group_keys(rows), strict=True))
    assigned = nlu_corpus.cv_folds(rows, 3)
    _, heldout = nlu_corpus.split(rows)
    assert not {r.text for r, _ in assigned} & {r.text for r in heldout}
    assert len(assigned) + len(heldout) == len(rows)
    fold_of_group: dict[str, set[int]] = {}
    for row, fold in assigned:
        fold_of_group.setdefault(keys[row], set()).add(fold)
    assert all(len(f) == 1 for f in fold_of_group.values())


def test_cross_validation_reads_every_training_row_once_with_a_model_that_did_not_see_it(tmp_path):
    rows = _corpus(tmp_path)
    report = cross_validate(rows, folds=2)
    train, _ = nlu_corpus.split(rows)
    assert report["rows"] == len(train)
    assert set(report["intent_accuracy_by_language"]) <= {"en", "es"}
    # a model that had seen the rows reads every one right; the folds' models, which did not,
    # miss some of so small a corpus: the rows were read out of fold
    seen = train_model(train)
    assert all(classify(r.text, extract(r.text), persona="customer", model=seen).intent == r.intent for r in train)
    assert report["intent_accuracy"] < 1.0
    assert len(report["misses"]) == sum(c["n"] for c in report["confusions"])
    assert all(m["expected"] != m["read"] for m in report["misses"])


def test_one_fold_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="folds"):
        cross_validate(_corpus(tmp_path), folds=1)
