"""The labelled NLU corpus: loading, validation, its content hash and the held-out split.

Rows live in ``agent/offline/corpus/<intent>.yaml`` (the corpus) and
``agent/offline/corpus_extra/*.yaml`` (seed rows written by the NLU engineer), one YAML list of
``{text, lang, persona, [also], [topic], [slots]}`` per file; the intent of a corpus row is its
file name, a seed row names it (``intent:``). The held-out split is decided by a hash of the
folded text, so it never moves when rows are added elsewhere and no one can pick it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from agent.offline.normalise import fold

HERE = Path(__file__).parent
CORPUS_DIRS: tuple[Path, ...] = (HERE / "corpus", HERE / "corpus_extra")
#: Share of rows (by text hash) kept out of training; nobody tunes on them.
HELDOUT_PERCENT = 20
PERSONAS = frozenset({"customer", "support", "ops", "any"})


class CorpusError(ValueError):
    """A corpus file or row that does not follow the format (names the file and the row)."""


@dataclass(frozen=True)
class Row:
    """One labelled utterance."""

    text: str
    intent: str
    lang: str
    persona: str
    also: tuple[str, ...] = ()
    topic: str | None = None
    slots: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    source: str = ""

    @property
    def heldout(self) -> bool:
        return is_heldout(self.text)

    @property
    def intents(self) -> tuple[str, ...]:
        """The main intent first, then the other intents of the same message."""
        return (self.intent, *[a for a in self.also if a != self.intent])


def is_heldout(text: str) -> bool:
    """Whether ``text`` belongs to the held-out split (stable: a hash of its folded form)."""
    digest = hashlib.sha1(" ".join(fold(text).split()).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELDOUT_PERCENT


def _row(raw: Any, default_intent: str | None, where: str) -> Row:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"].strip():
        raise CorpusError(f"{where}: a row needs a non-empty `text`")
    intent = raw.get("intent") or default_intent
    if not intent:
        raise CorpusError(f"{where}: `intent` is missing")
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
    return Row(raw["text"].strip(), str(intent), lang, persona, tuple(map(str, also)),
               raw.get("topic"), dict(slots), where)


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


def split(rows: Iterable[Row]) -> tuple[list[Row], list[Row]]:
    """(training, held-out) rows."""
    train: list[Row] = []
    heldout: list[Row] = []
    for row in rows:
        (heldout if row.heldout else train).append(row)
    return train, heldout
