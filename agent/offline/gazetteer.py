"""Names of nodes, cities and carriers matched fuzzily (``rapidfuzz``) against reference data.

The reference data comes from the world (``promesa.world``: its cities, named nodes and
carriers), never from lists in this package. A node is found by its full name ("CEDIS El
Salto"), by its distinctive part once the generic kind word is dropped ("El Salto", "Polanco"),
with typos ("polanko"); a city by its name or code ("mty"); a carrier by its name or id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from agent.offline.normalise import fold

#: Words that say what kind of place a node is, not which one (dropped to get its short name).
_KIND_WORDS = frozenset(["tienda", "store", "cedis", "dc", "dark", "bodega", "almacen", "sucursal", "centro", "warehouse"])
#: Short names this generic are not evidence on their own ("centro", "express").
_TOO_SHORT = 4
_SCORE = 85.0


class Names:
    """Folded surface forms → canonical value; exact forms are one compiled alternation (longest
    first, so "san pedro garza garcia" wins over "san pedro"), typos go through rapidfuzz."""

    def __init__(self, forms: tuple[tuple[str, str], ...]) -> None:
        self.forms = forms
        self.value = dict(forms)
        self.exact = re.compile(r"\b(" + "|".join(re.escape(f) for f, _ in forms) + r")\b") if forms else None
        # typos are only trusted on longer names
        self.by_words: dict[int, list[str]] = {}
        for form, _ in forms:
            if len(form) >= 6:
                self.by_words.setdefault(len(form.split()), []).append(form)

    def find(self, folded: str) -> list[str]:
        """The values named in ``folded`` text, in their order of appearance."""
        found: dict[str, int] = {}
        if self.exact is not None:
            for match in self.exact.finditer(folded):
                found.setdefault(self.value[match.group(1)], len(folded[:match.start()].split()))
        words = folded.split()
        for n, forms in self.by_words.items():
            for i in range(max(len(words) - n + 1, 0)):
                window = " ".join(words[i:i + n])
                if len(window) < 5:
                    continue
                best = process.extractOne(window, forms, scorer=fuzz.ratio, score_cutoff=_SCORE)
                if best is not None:
                    found.setdefault(self.value[best[0]], i)
        return sorted(found, key=lambda v: found[v])


def _forms(pairs: list[tuple[str, str]]) -> Names:
    seen: dict[str, str] = {}
    for form, value in pairs:
        key = " ".join(re.findall(r"[a-z0-9]+", fold(form)))
        if len(key) >= 3:
            seen.setdefault(key, value)
    return Names(tuple(sorted(seen.items(), key=lambda kv: (-len(kv[0]), kv[0]))))


@dataclass(frozen=True)
class Gazetteer:
    nodes: Names
    cities: Names
    carriers: Names


def _short(name: str) -> str:
    words = [w for w in fold(name).split() if w not in _KIND_WORDS]
    return " ".join(words)


@lru_cache(maxsize=1)
def default() -> Gazetteer:
    """The gazetteer of the world's reference data (named nodes, cities, carriers)."""
    from promesa.world.geography import CITIES, NAMED_NODES
    from promesa.world.network import build_carriers

    node_pairs: list[tuple[str, str]] = []
    for node in NAMED_NODES:
        node_pairs.append((node.name, node.id))
        short = _short(node.name)
        city_names = {fold(c.name) for c in CITIES}
        # "Tienda Oaxaca" shortens to a city name: that is the city, not the store.
        if short and short not in city_names and len(short) >= _TOO_SHORT:
            node_pairs.append((short, node.id))
            if len(short.split()) >= 3:  # "San Pedro Garza García" is said "San Pedro"
                node_pairs.append((" ".join(short.split()[:2]), node.id))
    # A city code is how people write the big metros ("mty", "gdl"); a small city's code is
    # often a plain word ("aca", "sal", "leo"), so only codes of the largest cities are forms.
    city_pairs = [(c.name, c.name) for c in CITIES] + [(c.code, c.name) for c in CITIES if c.weight >= 10]
    carrier_pairs: list[tuple[str, str]] = []
    for carrier in build_carriers():
        name = carrier.name or carrier.id  # a carrier without a display name is called by its id
        carrier_pairs += [(name, carrier.id), (carrier.id, carrier.id)]
        first = fold(name).split()[0]
        if len(first) >= 3:
            carrier_pairs.append((first, carrier.id))  # "DHL Express" is said "DHL"
    return Gazetteer(_forms(node_pairs), _forms(city_pairs), _forms(carrier_pairs))
