"""The labelled NLU corpus: loading, validation, its content hash and the held-out split.

Rows live in ``agent/offline/corpus/<intent>.yaml`` (the corpus) and
``agent/offline/corpus_extra/*.yaml`` (seed rows written by the NLU engineer), one YAML list of
``{text, lang, persona, [also], [topic], [slots]}`` per file; the intent of a corpus row is its
file name, a seed row names it (``intent:``).

The held-out split is decided by groups, not rows: the corpus was written largely as
English/Spanish pairs (a row and its translation next to each other) and with near-duplicates
(the same message with a typo, in capitals, with another order number). A split by row puts the
two halves of a pair on opposite sides and measures memory, not understanding. So rows are
joined (union-find) when they are adjacent rows of one file in different languages (the writer's
pairs; greedily, two at a time) or when their folded texts are near-duplicates (rapidfuzz ratio
>= ``NEAR_DUPLICATE``, digits alike), and a group goes to the held-out split by a hash of its
smallest key, so no one can pick it. A development split for error analysis is carved from the
training groups the same way with another salt: tune on that, never on the held-out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from agent.offline.intent_names import Intent
from agent.offline.normalise import fold

HERE = Path(__file__).parent
CORPUS_DIRS: tuple[Path, ...] = (HERE / "corpus", HERE / "corpus_extra")
#: Share of rows (by text hash) kept out of training; nobody tunes on them.
HELDOUT_PERCENT = 20
#: Share of the training groups set aside as the development split (error analysis, tuning).
DEV_PERCENT = 20
#: rapidfuzz ratio (0-100) at which two folded texts count as one message written twice.
NEAR_DUPLICATE = 85
PERSONAS = frozenset({"customer", "support", "ops", "any"})


class CorpusError(ValueError):
    """A corpus file or row that does not follow the format (names the file and the row)."""


@dataclass(frozen=True)
class Row:
    """One labelled utterance."""

    text: str
    intent: Intent
    lang: str
    persona: str
    also: tuple[Intent, ...] = ()
    topic: str | None = None
    slots: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    source: str = ""

    @property
    def intents(self) -> tuple[Intent, ...]:
        """The main intent first, then the other intents of the same message."""
        return (self.intent, *[a for a in self.also if a != self.intent])


def _bucket(key: str, salt: str = "") -> int:
    digest = hashlib.sha1((salt + " ".join(fold(key).split())).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100


def is_heldout(key: str) -> bool:
    """Whether the group whose key is ``key`` belongs to the held-out split (a stable hash)."""
    return _bucket(key) < HELDOUT_PERCENT


def is_dev(key: str) -> bool:
    """Whether a training group whose key is ``key`` is in the development split."""
    return not is_heldout(key) and _bucket(key, "dev:") < DEV_PERCENT


def dup_key(text: str) -> str:
    """The form near-duplicates are compared in: folded words, every digit alike (a message of
    emoji alone keeps its symbols, so "👍" and "👋" stay apart)."""
    folded = re.sub(r"\d", "0", fold(text))
    return " ".join(re.findall(r"\w+", folded)) or "".join(folded.split())


def _row(raw: Any, default_intent: str | None, where: str) -> Row:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"].strip():
        raise CorpusError(f"{where}: a row needs a non-empty `text`")
    named = raw.get("intent") or default_intent
    if not named:
        raise CorpusError(f"{where}: `intent` is missing")
    intent = _intent(named, where, "intent")
    lang = raw.get("lang")
    if lang not in ("en", "es"):
        raise CorpusError(f"{where}: `lang` must be en or es, not {lang!r}")
    persona = raw.get("persona", "any")
    if persona not in PERSONAS:
        raise CorpusError(f"{where}: `persona` must be one of {sorted(PERSONAS)}, not {persona!r}")
    also = raw.get("also") or []
    slots = raw.get("slots") or {}
    if not isinstance(also, list) or not isinstance(slots, dict):
        raise CorpusError(f"{where}: `also` must be a list and `slots` a mapping")
    return Row(raw["text"].strip(), intent, lang, persona, tuple(_intent(a, where, "also") for a in also),
               raw.get("topic"), dict(slots), where)


def _intent(named: Any, where: str, key: str) -> Intent:
    """``named`` (a corpus string) as an :class:`Intent`; an unknown name is a corpus error."""
    try:
        return Intent(str(named))
    except ValueError:
        raise CorpusError(f"{where}: `{key}` {named!r} is not an intent (one of {', '.join(sorted(i.value for i in Intent))})") from None


def load_file(path: Path) -> list[Row]:
    """The rows of one corpus file; a corpus file's intent is its name."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path.name}: not valid YAML ({exc})") from exc
    if not isinstance(data, list):
        raise CorpusError(f"{path.name}: the file must be a YAML list of rows")
    default = path.stem if path.parent.name == "corpus" else None
    return [_row(raw, default, f"{path.name}#{i + 1}") for i, raw in enumerate(data)]


def _files(dirs: Iterable[Path]) -> list[Path]:
    return [p for d in dirs if d.is_dir() for p in sorted(d.glob("*.yaml"))]


def corpus_hash(dirs: Iterable[Path] = CORPUS_DIRS) -> str:
    """SHA-256 over every corpus file's name and bytes: the trained model's cache key."""
    digest = hashlib.sha256()
    for path in _files(dirs):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=4)
def load(dirs: tuple[Path, ...] = CORPUS_DIRS) -> tuple[Row, ...]:
    """Every row, deduplicated by folded text (the first label wins), in a stable order."""
    seen: set[str] = set()
    rows: list[Row] = []
    for path in _files(dirs):
        for row in load_file(path):
            key = " ".join(fold(row.text).split())
            if key not in seen:
                seen.add(key)
                rows.append(row)
    return tuple(rows)


def _pairs(rows: tuple[Row, ...]) -> Iterable[tuple[int, int]]:
    """Adjacent rows of one file in different languages, two at a time (translation pairs)."""
    i = 0
    while i + 1 < len(rows):
        a, b = rows[i], rows[i + 1]
        if a.source.split("#")[0] == b.source.split("#")[0] and a.lang != b.lang:
            yield i, i + 1
            i += 2
        else:
            i += 1


@lru_cache(maxsize=4)
def group_keys(rows: tuple[Row, ...]) -> tuple[str, ...]:
    """For each row (in ``rows`` order, which must be file order), its group's key: the
    smallest ``dup_key`` of the rows joined to it by a translation pair or a near-duplicate."""
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    keys = [dup_key(r.text) for r in rows]
    for i, j in _pairs(rows):
        join(i, j)
    if rows:
        scores = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE, dtype=np.uint8)
        for i, j in zip(*np.nonzero(np.triu(scores, k=1)), strict=True):
            join(int(i), int(j))
    smallest: dict[int, str] = {}
    for i, key in enumerate(keys):
        r = root(i)
        smallest[r] = min(smallest.get(r, key), key)
    return tuple(smallest[root(i)] for i in range(len(rows)))


def split(rows: Iterable[Row]) -> tuple[list[Row], list[Row]]:
    """(training, held-out) rows; every group wholly on one side."""
    rows = tuple(rows)
    train: list[Row] = []
    heldout: list[Row] = []
    for row, key in zip(rows, group_keys(rows), strict=True):
        (heldout if is_heldout(key) else train).append(row)
    return train, heldout


def dev_split(rows: Iterable[Row]) -> tuple[list[Row], list[Row]]:
    """(fit, development) rows from the training part only: the held-out split never enters."""
    rows = tuple(rows)
    fit: list[Row] = []
    dev: list[Row] = []
    for row, key in zip(rows, group_keys(rows), strict=True):
        if not is_heldout(key):
            (dev if is_dev(key) else fit).append(row)
    return fit, dev


def cv_folds(rows: Iterable[Row], k: int) -> list[tuple[Row, int]]:
    """Each training row with its cross-validation fold (0..k-1), by a hash of its group with
    another salt: groups stay whole within a fold and the held-out split never enters."""
    rows = tuple(rows)
    return [(row, _bucket(key, "cv:") % k) for row, key in zip(rows, group_keys(rows), strict=True)
            if not is_heldout(key)]
