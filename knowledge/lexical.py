"""The lexical side of retrieval: BM25 (``bm25s``) over a bilingual, typo-tolerant tokenizer.

Words are lowercased and accent-folded (so "devolución" and "devolucion" match), ids such as
``PO-5000`` and acronyms such as ``LFPDPPP`` stay whole, English and Spanish stop words are
dropped, and each word is reduced with the Snowball stemmer of its language (``snowballstemmer``).
A section is stemmed in its own language; a query, whose language is a guess, is stemmed both
ways and every stem the index knows counts. A query word the index has never seen is matched to
the closest indexed word within a small edit distance ("adress" → "address").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import bm25s
import numpy as np
import snowballstemmer

_TOKEN = re.compile(r"[a-z0-9]+(?:-[0-9]+)?")
STOPWORDS = frozenset(
    """a an and are as at be by can could do does did for from has have how i if in is it its me my
    of on or our so that the their them then there these this to was we what when where which who
    why will with would you your yours please want need get got am im i'm
    al algo como con cual cuales cuando de del donde el ella ellos en es esta estan este esto fue
    ha hay la las le les lo los me mi mis muy no nos o para pero por que quien se si sin su sus te
    tu tus un una uno unos unas y ya yo puedo puede quiero hacer favor hola""".split()
)
LOCALES = ("en", "es")
_STEMMERS = {"en": snowballstemmer.stemmer("english"), "es": snowballstemmer.stemmer("spanish")}
#: Unknown query words of at least this many letters are matched by edit distance: one edit
#: below ``_FUZZY_TWO_EDITS`` letters, two from there on.
_FUZZY_MIN_LEN = 5
_FUZZY_TWO_EDITS = 8


def fold(text: str) -> str:
    """Lowercase and strip accents (NFKD, drop combining marks); keeps ``ñ`` as ``n``."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Folded words of ``text`` without stop words and one-letter words."""
    return [t for t in _TOKEN.findall(fold(text)) if t not in STOPWORDS and len(t) > 1]


@lru_cache(maxsize=65536)
def stem(word: str, locale: str) -> str:
    """The Snowball stem of a folded ``word`` in ``locale``; ids and numbers stay as they are."""
    if any(ch.isdigit() for ch in word):
        return word
    return str(_STEMMERS[locale].stemWord(word))  # snowballstemmer is untyped


def tokenize(text: str, locale: str) -> list[str]:
    """Tokens of a section written in ``locale``: folded, stop words removed, stemmed."""
    return [stem(w, locale) for w in words(text)]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` as soon as it must exceed it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made from it by deleting up to ``depth`` letters."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


class LexicalIndex:
    """BM25 over a fixed list of sections; scores are computed for all of them, then masked.

    Args:
        texts: The sections' text.
        locales: The language of each text (``en``/``es``), for stemming.
        titles: Optional heading of each text; its words count once more (a field boost).
    """

    def __init__(self, texts: Sequence[str], locales: Sequence[str], titles: Sequence[str] | None = None) -> None:
        if len(locales) != len(texts) or (titles is not None and len(titles) != len(texts)):
            raise ValueError("texts, locales and titles must have the same length")
        heads = titles or [""] * len(texts)
        corpus = [
            (tokenize(text, loc) + tokenize(head, loc)) or ["_empty_"]
            for text, loc, head in zip(texts, locales, heads, strict=True)
        ]
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self._vocab: dict[str, int] = self._bm25.vocab_dict
        # Surface word -> its stem as indexed, and a deletion index over the surface words
        # (SymSpell's trick: two words within n edits share a string reached by <= n deletions).
        self._surface: dict[str, str] = {}
        for text, loc, head in zip(texts, locales, heads, strict=True):
            for word in words(f"{head} {text}"):
                self._surface.setdefault(word, stem(word, loc))
        self._deletions: dict[str, list[str]] = {}
        for word in self._surface:
            if len(word) >= _FUZZY_MIN_LEN - 1 and not any(ch.isdigit() for ch in word):
                for variant in _deletions(word, 2):
                    self._deletions.setdefault(variant, []).append(word)
        self.size = len(texts)

    def query_terms(self, query: str) -> list[str]:
        """Indexed stems for the words of ``query`` (both languages' stems, typos corrected)."""
        terms: dict[str, None] = {}
        for word in words(query):
            known = [s for s in {stem(word, loc) for loc in LOCALES} if s in self._vocab]
            if not known and word not in self._surface:
                corrected = self._closest(word)
                known = [self._surface[corrected]] if corrected else []
            terms.update(dict.fromkeys(sorted(known)))
        return list(terms)

    @lru_cache(maxsize=4096)  # noqa: B019 — one index per process; the cache dies with it
    def _closest(self, word: str) -> str | None:
        if len(word) < _FUZZY_MIN_LEN or any(ch.isdigit() for ch in word):
            return None
        limit = 1 if len(word) < _FUZZY_TWO_EDITS else 2
        best: tuple[int, str] | None = None
        candidates = {c for variant in _deletions(word, limit) for c in self._deletions.get(variant, ())}
        for candidate in candidates:
            distance = edit_distance(word, candidate, limit)
            if distance <= limit and (best is None or (distance, candidate) < best):
                best = (distance, candidate)
        return best[1] if best else None

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every text for ``query`` (zeros when no query term is known)."""
        ids = [self._vocab[t] for t in self.query_terms(query)]
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(ids), dtype=np.float32)


_ES_HINTS = frozenset(
    """el la los las de del que para por como cuando donde mi mis es esta puedo quiero cuanto
    cuantos dias pedido compra tienda envio devolver devolucion reembolso tarjeta regalo garantia
    con sin una uno pero tengo hay se lo le""".split()
)
_EN_HINTS = frozenset(
    """the a an of to for is are my can how when where what do does i you your order return
    refund with without it be have has will days store delivery""".split()
)


def detect_locale(text: str) -> str | None:
    """``es`` or ``en`` from cheap cues (marks like ¿ ñ á, function words); None if unsure."""
    if any(ch in text for ch in "¿¡ñÑáéíóúÁÉÍÓÚ"):
        return "es"
    found = re.findall(r"[a-z]+", fold(text))
    es = sum(w in _ES_HINTS for w in found)
    en = sum(w in _EN_HINTS for w in found)
    if es == en:
        return None
    return "es" if es > en else "en"
