"""English/Spanish detection by stopword and character evidence, sticky when ambiguous."""

from __future__ import annotations

import re
from typing import Literal

from agent.offline.normalise import fold

Lang = Literal["en", "es"]

_ES_WORDS = frozenset(
    ["el", "la", "los", "las", "un", "una", "unos", "unas", "de", "del", "que", "y", "o", "en", "es", "esta", "estan", "este", "esto", "mi", "mis", "tu", "su", "sus", "por", "para", "con", "sin", "como", "cuando", "donde", "cual", "quien", "porque", "pero", "ya", "no", "si", "hola", "gracias", "pedido", "pedidos", "paquete", "llega", "llego", "lo", "le", "me", "se", "te", "nos", "hay", "puedo", "puede", "pueden", "quiero", "tienda", "envio", "mañana", "manana", "hoy", "ayer", "semana", "otra", "otro", "nada", "todo", "muy", "bien", "buenas", "buenos", "dias", "tardes", "noches", "compre", "compra", "compras", "sucursal", "tiene", "tengo", "cuanto", "cuanta", "cuantos", "mas", "al", "ese", "eso", "aqui", "favor", "dale", "vale", "claro", "entrega", "entregan", "recoger", "devolucion", "reembolso", "riesgo", "tasa", "ocupacion", "ahora",
     # self-service requests often are a bare imperative and an order id ("Cancela PO-104")
     "cancela", "cancelar", "cancelalo", "cancelen", "cambia", "cambiar", "cambialo", "devuelve", "devolver",
     "devuelvo", "manda", "mandar", "envia", "enviar", "queja", "quejarme", "reclamo", "llegaron", "reembolsos"]
)
_EN_WORDS = frozenset(
    ["the", "a", "an", "of", "and", "or", "in", "is", "are", "was", "were", "my", "your", "his", "her", "their", "our", "to", "for", "with", "without", "how", "when", "where", "which", "who", "why", "what", "it", "its", "this", "that", "these", "those", "i", "you", "we", "they", "me", "can", "could", "would", "will", "should", "do", "does", "did", "not", "no", "yes", "hello", "hi", "hey", "thanks", "thank", "please", "order", "orders", "package", "arrive", "arrived", "delivery", "store", "pick", "up", "from", "another", "have", "has", "been", "still", "waiting", "today", "tomorrow", "yesterday", "week", "show", "find", "stuff", "anything", "nothing", "all", "get", "be", "any", "there"]
)


def score(text: str) -> tuple[float, float]:
    """Evidence for (English, Spanish) in one message."""
    en = es = 0.0
    if re.search(r"[ñ¿¡]", text.lower()):
        es += 2.0
    if re.search(r"[áéíóú]", text.lower()):
        es += 1.0
    for tok in re.findall(r"[a-zñ]+", fold(text).replace("ñ", "n")):
        if tok in _ES_WORDS:
            es += 1.0
        if tok in _EN_WORDS:
            en += 1.0
    # "no" and "a" exist in both; a lone shared word should not decide.
    return en, es


def detect(text: str, previous: Lang | None = None, default: Lang = "en") -> Lang:
    """The language of ``text``; ``previous`` (the conversation so far) wins near-ties.

    A margin of one word is enough for a fresh conversation; a language already in use is
    kept unless the new message is clearly in the other one (two words' margin), so a short
    "ok" or "PO-5001" never flips a Spanish conversation to English.
    """
    en, es = score(text)
    if previous is not None:
        if previous == "es" and en - es >= 2.0:
            return "en"
        if previous == "en" and es - en >= 2.0:
            return "es"
        return previous
    if es > en:
        return "es"
    if en > es:
        return "en"
    return default
