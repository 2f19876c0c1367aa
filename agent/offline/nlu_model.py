"""The trained intent classifier: TF-IDF over characters and words, persona and entity features,
a one-vs-rest linear SVM (several intents per message) with a softmax temperature fitted on
out-of-fold scores (calibrated confidence), and a topic model for the subjects the agent does
not serve.

Features (one sparse matrix):
* character 2–5-grams of the folded text with identifiers masked (typos, stretched words,
  missing accents, Spanglish all share n-grams);
* word 1–2-grams of the normalised text (chat shorthand expanded);
* context tokens: the persona, each word prefixed by the persona (the same words mean different
  things to a customer and an ops lead), and which kinds of entities the message carries.

Training is deterministic (fixed solver, sorted rows) and cached: in memory per process and on
disk under ``$PROMESA_NLU_CACHE`` (default ``~/.cache/promesa``) keyed by the corpus hash, so a
changed corpus retrains and an unchanged one loads in milliseconds.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.svm import LinearSVC

from agent.offline import nlu_corpus
from agent.offline.entities import Entities, extract
from agent.offline.intent_names import Intent
from agent.offline.normalise import fold, normalise

#: A second intent needs its own classifier's yes and this share of the probability.
ALSO_MIN = 0.10
#: Bump when the features or the learner change: old cached models are then ignored.
MODEL_VERSION = "2"

# Identifiers are facts, not words: each becomes one placeholder token so "PO-5001" and
# "PO-7342" read alike. The tokens hold a digit so normalise() never snaps them onto a word.
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), " e0mail "),
    (re.compile(r"\bsku[\s#-]*\d{3,8}\b", re.IGNORECASE), " s0ku "),
    (re.compile(r"\bC-\d{3,7}\b", re.IGNORECASE), " c0ust "),
    (re.compile(r"\b(?:DC-[A-Z]{3}|[A-Z]{3,4}-(?:STORE|DARK))-\d{2}\b", re.IGNORECASE), " n0de "),
    (re.compile(r"\bpo[\s#-]*\d{3,8}\b|(?<![\w-])#\s?\d{3,8}\b", re.IGNORECASE), " o0rder "),
    (re.compile(r"(?<![\w-])\+?\(?\d[\d\s().-]{8,}\d"), " p0hone "),
    (re.compile(r"(?<![a-z])\d+(?![a-z])"), " 0 "),  # other numbers; the placeholders keep their digit
)
# Characters repeated three times or more are one emphasis ("holaaaa", "???").
_STRETCH = re.compile(r"(.)\1{2,}")


def masked(text: str) -> str:
    """``text`` with identifiers replaced by placeholder tokens and stretched letters squeezed."""
    for pattern, token in _MASKS:
        text = pattern.sub(token, text)
    return _STRETCH.sub(r"\1\1", text)


_NEGATIONS = frozenset(["no", "not", "never", "nunca", "ni", "dont", "don", "t", "nada", "tampoco", "sin"])


def _negated(words: str) -> str:
    """Words after a negation marked as negated ("do not do it" → "do not neg_do neg_it"): the
    classic negation scope of sentiment analysis, so "don't do it" is not "do it"."""
    out: list[str] = []
    scope = 0
    for word in words.split():
        if word in _NEGATIONS:
            out.append(word)
            scope = 2
        elif scope:
            out.append(f"neg_{word}")
            scope -= 1
        else:
            out.append(word)
    return " ".join(out)


def _entity_tokens(ent: Entities) -> list[str]:
    kinds = {
        "order": ent.order_ids, "email": ent.emails, "phone": ent.phones, "sku": ent.skus,
        "customer": ent.customer_ids, "node": ent.node_ids, "city": ent.cities, "name": ent.names,
        "dimension": ent.dimensions, "metric": [ent.metric] if ent.metric else [],
    }
    return [f"has_{kind}" for kind, found in kinds.items() if found]


#: Greetings and fillers that open a message before its first clause says what it wants.
_OPENERS = frozenset(["hola", "hi", "hello", "hey", "oye", "oigan", "buenas", "buenos", "buen", "dias", "tardes",
                      "noches", "good", "morning", "afternoon", "evening", "ok", "okay", "oki", "so", "pues",
                      "una", "pregunta", "duda", "quick", "question", "q", "porfavor", "please", "por", "favor"])


def _frame(words: str) -> list[str]:
    """The opening of the first clause ("who can …", "can i …", "i want …", "cuánto …"): the
    speech act of a message (a question about a rule, a request, a report) is mostly said by
    how it starts, in both languages, whatever the topic words that follow."""
    tokens = [w for w in re.split(r"[^\w]+", words) if w]
    while tokens and tokens[0] in _OPENERS:
        tokens = tokens[1:]
    if not tokens:
        return []
    return [f"frame__{tokens[0]}", f"frame__{'_'.join(tokens[:2])}"]


@dataclass(frozen=True)
class Example:
    """One message as the featuriser sees it."""

    chars: str  # folded, masked text
    words: str  # normalised, masked text
    context: str  # persona and entity tokens


def example(text: str, persona: str | None, ent: Entities | None = None) -> Example:
    """Featuriser input for ``text`` said by ``persona`` (customer, support, ops or None)."""
    ent = ent if ent is not None else extract(text)
    mask = masked(text)
    words = normalise(mask)
    who = persona if persona in ("customer", "support", "ops") else "any"
    # No bare persona token: it would act as a prior ("ops mostly ask for reports") and drown
    # what an ops lead actually says; the persona only shifts what each word means.
    context = _entity_tokens(ent) + _frame(words)
    if who != "any":
        context += [f"{who}__{w}" for w in words.split()]
    return Example(" ".join(fold(mask).split()), _negated(words), " ".join(context))


_SPEAKERS = ("customer", "support", "ops")
_WEIGHTS = (1.0, 0.7, 0.7)  # chars, words, context (chosen on the dev split, never the held-out)


class Featuriser:
    """Characters, words and context of ``Example`` as one sparse row each.

    Fitted with scikit-learn's vectorisers; ``vector`` recomputes the same TF-IDF row in plain
    Python from their vocabularies and IDF weights, because one message through three
    vectorisers' ``transform`` costs milliseconds of input validation (see ``promesa bench``).
    """

    def __init__(self) -> None:
        self.blocks = (
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                            lowercase=False, dtype=np.float32),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=r"\S+",
                            sublinear_tf=True, lowercase=False, dtype=np.float32),
            TfidfVectorizer(analyzer=str.split, lowercase=False, use_idf=False, dtype=np.float32),
        )
        self.offsets: tuple[int, ...] = ()

    @staticmethod
    def _parts(e: Example) -> tuple[str, str, str]:
        return e.chars, e.words, e.context

    def fit_transform(self, batch: Sequence[Example]) -> csr_matrix:
        mats = [vec.fit_transform([self._parts(e)[i] for e in batch]) * w
                for i, (vec, w) in enumerate(zip(self.blocks, _WEIGHTS, strict=True))]
        sizes = [m.shape[1] for m in mats]
        self.offsets = tuple(int(sum(sizes[:i])) for i in range(len(sizes) + 1))
        return csr_matrix(hstack(mats))

    def transform(self, batch: Sequence[Example]) -> csr_matrix:
        mats = [vec.transform([self._parts(e)[i] for e in batch]) * w
                for i, (vec, w) in enumerate(zip(self.blocks, _WEIGHTS, strict=True))]
        return csr_matrix(hstack(mats))

    def vector(self, e: Example) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, values) of ``e``'s row: the same numbers as ``transform``."""
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        for i, (vec, w) in enumerate(zip(self.blocks, _WEIGHTS, strict=True)):
            counts = Counter(_analyzer(vec)(self._parts(e)[i]))
            vocab = vec.vocabulary_
            pairs = [(vocab[t], n) for t, n in counts.items() if t in vocab]
            if not pairs:
                continue
            idx = np.fromiter((j for j, _ in pairs), dtype=np.int64, count=len(pairs))
            tf = np.fromiter((n for _, n in pairs), dtype=np.float64, count=len(pairs))
            if vec.sublinear_tf:
                tf = 1.0 + np.log(tf)
            if vec.use_idf:
                tf = tf * vec.idf_[idx]
            norm = float(np.sqrt(np.dot(tf, tf)))
            cols.append(idx + self.offsets[i])
            vals.append(tf / norm * w if norm else tf)
        if not cols:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(cols), np.concatenate(vals)


_ANALYZERS: dict[int, Any] = {}


def _analyzer(vec: TfidfVectorizer) -> Any:
    """The vectoriser's analyzer, built once per vectoriser."""
    key = id(vec)
    if key not in _ANALYZERS:
        _ANALYZERS[key] = vec.build_analyzer()
    return _ANALYZERS[key]


@dataclass(frozen=True)
class Reading:
    """What the model read in one message."""

    ranked: tuple[tuple[Intent, float], ...]  # every intent with its calibrated probability, best first
    also: tuple[Intent, ...]  # further intents the one-vs-rest scores accept for the same message
    topic: str | None  # the unserved topic when the best reading is out_of_scope

    @property
    def intent(self) -> Intent:
        """The best reading."""
        return self.ranked[0][0]

    @property
    def confidence(self) -> float:
        """The best reading's calibrated probability."""
        return self.ranked[0][1]

    @property
    def runner_up(self) -> tuple[Intent, float]:
        """The second reading with its probability (out_of_scope at 0 when there is none)."""
        return self.ranked[1] if len(self.ranked) > 1 else (Intent.out_of_scope, 0.0)


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores * temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    probs: np.ndarray = e / e.sum(axis=-1, keepdims=True)
    return probs


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature over decision scores with the least log-loss (out-of-fold scores)."""
    grid = np.geomspace(0.25, 40.0, 60)
    losses = [-np.mean(np.log(_softmax(scores, t)[np.arange(len(truth)), truth] + 1e-12)) for t in grid]
    return float(grid[int(np.argmin(losses))])


class IntentModel:
    """The trained classifier (see the module docstring)."""

    def __init__(self, rows: Sequence[nlu_corpus.Row], *, c: float = 1.0) -> None:
        rows = sorted(rows, key=lambda r: (r.intent, r.text))
        # A row any persona may say is learnt as said by each of them: at run time someone
        # always speaks, and the persona-prefixed words must know the row too.
        rows = [replace(r, persona=p) for r in rows for p in (_SPEAKERS if r.persona == "any" else (r.persona,))]
        self.features = Featuriser()
        x = self.features.fit_transform([example(r.text, r.persona) for r in rows])
        labels = MultiLabelBinarizer()
        # the binarizer learns plain strings; the classes are read back as the enum
        y = labels.fit_transform([tuple(map(str, r.intents)) for r in rows])
        self.classes: tuple[Intent, ...] = tuple(Intent(str(c)) for c in labels.classes_)
        primary = np.array([self.classes.index(r.intent) for r in rows])
        svm = OneVsRestClassifier(LinearSVC(C=c, random_state=0))
        # Out-of-fold scores calibrate the confidence: in-sample scores would be overconfident.
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
        oof = np.zeros(y.shape, dtype=np.float64)
        for fit_idx, test_idx in folds.split(x, primary):
            oof[test_idx] = clone(svm).fit(x[fit_idx], y[fit_idx]).decision_function(x[test_idx])
        self.temperature = fit_temperature(oof, primary)
        svm.fit(x, y)
        self.weights = np.vstack([e.coef_.ravel() for e in svm.estimators_]).T.astype(np.float64)
        self.bias = np.array([float(np.ravel(e.intercept_)[0]) for e in svm.estimators_])
        topical = [(i, r.topic) for i, r in enumerate(rows) if r.intent is Intent.out_of_scope and r.topic]
        self.topic_names: tuple[str, ...] = tuple(sorted({t for _, t in topical}))
        self.topic_weights: np.ndarray | None = None
        if len(self.topic_names) >= 2:
            topics = OneVsRestClassifier(LinearSVC(C=c, random_state=0)).fit(
                x[[i for i, _ in topical]], [self.topic_names.index(t) for _, t in topical])
            self.topic_weights = np.vstack([e.coef_.ravel() for e in topics.estimators_]).T
            self.topic_bias = np.array([float(np.ravel(e.intercept_)[0]) for e in topics.estimators_])

    def scores(self, e: Example) -> np.ndarray:
        """One-vs-rest decision scores of every class (0 is each binary classifier's boundary)."""
        idx, vals = self.features.vector(e)
        decision: np.ndarray = vals @ self.weights[idx] + self.bias
        return decision

    def read_example(self, e: Example) -> Reading:
        raw = self.scores(e)
        probs = _softmax(raw, self.temperature)
        order = np.argsort(-probs, kind="stable")
        ranked = tuple((self.classes[i], float(probs[i])) for i in order)
        also = tuple(self.classes[i] for i in order[1:3] if raw[i] > 0 and probs[i] >= ALSO_MIN)
        topic = None
        if ranked[0][0] is Intent.out_of_scope and self.topic_weights is not None:
            idx, vals = self.features.vector(e)
            t = vals @ self.topic_weights[idx] + self.topic_bias
            topic = self.topic_names[int(np.argmax(t))]
        return Reading(ranked, also, topic)

    def read(self, text: str, persona: str | None, ent: Entities | None = None) -> Reading:
        return self.read_example(example(text, persona, ent))


def _code_hash() -> str:
    """The featuriser's own code (entities feed it): a change there retrains the cached model."""
    digest = hashlib.sha256(MODEL_VERSION.encode())
    for name in ("nlu_model.py", "entities.py", "normalise.py", "gazetteer.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:12]


def _cache_dir() -> Path:
    return Path(os.environ.get("PROMESA_NLU_CACHE") or Path.home() / ".cache" / "promesa")


def train(rows: Sequence[nlu_corpus.Row]) -> IntentModel:
    """A model trained on ``rows`` (deterministic: the same rows give the same model)."""
    return IntentModel(rows)


@lru_cache(maxsize=1)
def get_model() -> IntentModel:
    """The model trained on the training split of the corpus, from the disk cache when current."""
    key = f"nlu-{_code_hash()}-{nlu_corpus.corpus_hash()[:16]}.pkl"
    path = _cache_dir() / key
    try:
        with path.open("rb") as fh:
            model = pickle.load(fh)
        if isinstance(model, IntentModel):
            return model
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    train_rows, _ = nlu_corpus.split(nlu_corpus.load())
    model = train(train_rows)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # write then rename: parallel test workers never read half a file
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as out:
            pickle.dump(model, out)
        os.replace(out.name, path)
    except OSError:
        pass  # a read-only home only costs the retraining
    return model
