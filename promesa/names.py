"""Finding the known people's names of the world in free text (issue #16).

A name cannot be recognised by a pattern, but the world knows every customer's name. This
index holds them folded (accents, case, zero-width and other format characters, compatibility
forms such as fullwidth letters all removed) and finds them in any text as whole words: the
full name, and the first name with the last surname ("María Fernanda López" is also found as
"Maria Lopez"). Near misses ("Maria Lopes", "Mria Lopez") are found with rapidfuzz when the
window starts with a known first name or ends with a known last name, so a typo or a letter
swapped for a look-alike still matches. Used by the log filter (:mod:`promesa.logsafe`) and by
the red-team leak scanner (``evals/redteam``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

#: Score (0-100, rapidfuzz ratio on the folded words) from which a near miss is the name.
FUZZY_SCORE = 88
#: Shortest folded name the fuzzy pass considers: short names are too close to ordinary words.
FUZZY_MIN_CHARS = 9

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
#: Cyrillic and Greek letters that look like Latin ones (a cheap confusables map).
_HOMOGLYPHS = str.maketrans("аеорсухіјԁвмнкт" "АЕОРСХІЈВМНКТ" "οαειυκνρτ", "aeopcyxijdbmhkt" "AEOPCXIJBMHKT" "oaeiuknpt")


def fold(text: str) -> str:
    """Lower case without accents, format characters or look-alike letters, for matching."""
    text = unicodedata.normalize("NFKD", text.translate(_HOMOGLYPHS))
    kept = (ch for ch in text if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
    return "".join(kept).casefold()


def variants(name: str) -> set[tuple[str, ...]]:
    """The word sequences a name is written as: in full, and first name + last surname."""
    words = tuple(_WORD.findall(fold(name)))
    if len(words) < 2:  # a single word is not a name that can be told from ordinary words
        return set()
    found = {words, (words[0], words[-1])}
    if len(words) >= 3:  # "Ana María Torres Gómez": first + first surname too
        found.add((words[0], words[-2]))
    return found


@dataclass
class NameIndex:
    """The known names, each mapped to who bears it (several people may share one)."""

    _owners: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    #: names by first and by last word: the fuzzy pass compares a window with these only
    _by_first: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)
    _by_last: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)
    _longest: int = 2

    @classmethod
    def build(cls, people: Iterable[tuple[str, str]]) -> NameIndex:
        """``people``: (owner id, name) pairs."""
        index = cls()
        index.add(people)
        return index

    def add(self, people: Iterable[tuple[str, str]]) -> None:
        for owner, name in people:
            for words in variants(name):
                self._owners.setdefault(words, set()).add(owner)
                self._by_first.setdefault(words[0], set()).add(words)
                self._by_last.setdefault(words[-1], set()).add(words)
                self._longest = max(self._longest, len(words))

    def __len__(self) -> int:
        return len(self._owners)

    def find(self, text: str) -> list[tuple[int, int, set[str]]]:
        """Spans ``(start, end, owners)`` of known names in ``text`` (original offsets)."""
        if not self._owners:
            return []
        folded = fold(text)
        # folding can change the length (NFKD splits ligatures): match on the folded text and
        # map back word by word, since words are found in the same order in both
        words = list(_WORD.finditer(folded))
        originals = list(_WORD.finditer(text))
        aligned = len(words) == len(originals)
        spans: list[tuple[int, int, set[str]]] = []
        i = 0
        while i < len(words):
            hit = self._match_at(words, i)
            if hit is None:
                i += 1
                continue
            length, owners = hit
            src = originals if aligned else words
            spans.append((src[i].start(), src[i + length - 1].end(), owners))
            i += length
        if not aligned:  # offsets refer to the folded text: the caller redacts that instead
            return [(-1, -1, owners) for _, _, owners in spans]
        return spans

    def _match_at(self, words: list[re.Match[str]], i: int) -> tuple[int, set[str]] | None:
        for length in range(min(self._longest, len(words) - i), 1, -1):
            window = tuple(w.group() for w in words[i:i + length])
            owners = self._owners.get(window)
            if owners:
                return length, owners
        for length in range(min(self._longest, len(words) - i), 1, -1):
            window = tuple(w.group() for w in words[i:i + length])
            if window[0] not in self._by_first and window[-1] not in self._by_last:
                continue
            joined = " ".join(window)
            if len(joined) < FUZZY_MIN_CHARS:
                continue
            owners = self._fuzzy(window, joined)
            if owners:
                return length, owners
        return None

    def _fuzzy(self, window: tuple[str, ...], joined: str) -> set[str]:
        owners: set[str] = set()
        candidates = self._by_first.get(window[0], set()) | self._by_last.get(window[-1], set())
        for words in candidates:
            if len(words) == len(window) and fuzz.ratio(" ".join(words), joined) >= FUZZY_SCORE:
                owners |= self._owners[words]
        return owners

    def redact(self, text: str, replacement: str = "[name]") -> str:
        spans = self.find(text)
        if not spans:
            return text
        if spans[0][0] < 0:  # see find(): unaligned, so redact the folded text
            return self._redact_folded(fold(text), replacement)
        out, last = [], 0
        for start, end, _ in spans:
            out.append(text[last:start])
            out.append(replacement)
            last = end
        out.append(text[last:])
        return "".join(out)

    def _redact_folded(self, folded: str, replacement: str) -> str:
        words = list(_WORD.finditer(folded))
        out, last, i = [], 0, 0
        while i < len(words):
            hit = self._match_at(words, i)
            if hit is None:
                i += 1
                continue
            out.append(folded[last:words[i].start()])
            out.append(replacement)
            last = words[i + hit[0] - 1].end()
            i += hit[0]
        out.append(folded[last:])
        return "".join(out)
