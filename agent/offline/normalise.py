"""Text normalisation for intent cues: lowercase, accent folding, punctuation, typos, fuzzy words."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz, process

# Chat shorthand and frequent misspellings seen in both languages. Keys are folded tokens.
_TYPOS: dict[str, str] = {
    "xq": "porque", "pq": "porque", "porq": "porque", "q": "que", "k": "que", "ke": "que",
    "pedio": "pedido", "pedidio": "pedido", "peido": "pedido", "pedid": "pedido",
    "oder": "order", "ordr": "order", "odrer": "order", "ordre": "order", "oders": "orders",
    "pls": "please", "plz": "please", "u": "you", "ur": "your", "r": "are", "thx": "thanks",
    "ty": "thanks", "tnx": "thanks", "wher": "where", "whre": "where", "wheres": "where is",
    "whats": "what is", "hasnt": "has not", "havent": "have not", "didnt": "did not",
    "dont": "do not", "cant": "can not", "cannot": "can not", "wont": "will not",
    "isnt": "is not", "im": "i am", "id": "i would", "tmrw": "tomorrow", "tmr": "tomorrow",
    "tomorow": "tomorrow", "tommorow": "tomorrow", "mñn": "manana", "mna": "manana",
    "tb": "tambien", "tmb": "tambien", "dnd": "donde", "d": "de", "x": "por", "xfa": "por favor",
    "porfa": "por favor", "pf": "por favor", "ntp": "no te preocupes", "msj": "mensaje",
    "wk": "week", "wks": "weeks", "pkg": "package", "pckg": "package", "ppl": "people", "info": "information",
    "paqueteria": "paqueteria", "envio": "envio", "sucursal": "sucursal",
}

# Words the cue lists use; tokens within a small edit distance are snapped onto them.
LEXICON: frozenset[str] = frozenset(
    ["order", "orders", "package", "parcel", "delivery", "delivered", "arrive", "arrived", "arriving", "shipping", "shipment", "tracking", "track", "status", "where", "when", "late", "delayed", "delay", "waiting", "still", "refund", "return", "returns", "warranty", "privacy", "cancel", "cancellation", "policy", "pickup", "collect", "store", "stores", "reroute", "another", "different", "warehouse", "capacity", "risk", "utilisation", "utilization", "analytics", "carrier", "carriers", "customer", "profile", "available", "availability", "stock", "inventory", "human", "agent", "person", "representative", "hello", "thanks", "thank", "please", "tomorrow", "yesterday", "today", "week", "promise", "missing", "pedido", "pedidos", "paquete", "envio", "entrega", "entregado", "llega", "llegado", "llegar", "retrasado", "retraso", "atrasado", "tarde", "rastreo", "donde", "cuando", "devolucion", "devoluciones", "reembolso", "garantia", "privacidad", "cancelar", "cancelacion", "politica", "recoger", "tienda", "tiendas", "sucursal", "otra", "almacen", "capacidad", "riesgo", "ocupacion", "utilizacion", "puntualidad", "paqueteria", "cliente", "perfil", "existencias", "inventario", "disponible", "humano", "agente", "persona", "hola", "gracias", "manana", "semana", "promesa", "compras", "compre"]
)


_LEXICON_SORTED = tuple(sorted(LEXICON))


def fold(text: str) -> str:
    """Lowercase and strip accents ("Envío" → "envio"); keeps ñ distinguishable as n."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=4096)
def _snap(token: str) -> str:
    """The lexicon word a misspelled token is closest to, or the token itself."""
    if token in LEXICON or len(token) < 5 or not token.isalpha():
        return token
    # rapidfuzz's ratio is difflib's ratio (same normalised Indel similarity), in C
    best = process.extractOne(token, _LEXICON_SORTED, scorer=fuzz.ratio, score_cutoff=84.0)
    if best is None:
        return token
    close = [best[0]]
    # An inflection ("tardes", "personal") is a different word, not a typo of its stem.
    if token.startswith(close[0]) or close[0].startswith(token):
        return token
    return close[0]


def tokens(text: str) -> list[str]:
    """Normalised word tokens of a message (see ``normalise``)."""
    folded = fold(text).replace("'", "").replace("’", "")
    raw = re.findall(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", folded)
    out: list[str] = []
    for tok in raw:
        out.extend(_TYPOS.get(tok, _snap(tok)).split())
    return out


def normalise(text: str) -> str:
    """One space-separated, folded, typo-corrected string, for phrase and regex cues.

    >>> normalise("¿Dónde está mi pedio, xq no llega?")
    'donde esta mi pedido porque no llega'
    """
    return " ".join(tokens(text))
