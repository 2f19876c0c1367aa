"""Slots of a self-service request: which order and lines, a new address, how and why.

The trained NLU (``nlu_model``) decides *what* the customer wants; this module reads the
arguments a self-service tool needs from the same message, the way ``entities`` reads order ids
and dates. Values are read from the message's structure (numbers after "line", the comma-separated
parts before a postal code, an item named by a word of its product name), so they hold for
phrasings and worlds no one tuned on; cue words are few and grouped by what they mean. Every
value is checked again by the domain, which refuses what is wrong with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.offline.normalise import fold
from promesa.store.enums import CaseKind, ItemCondition, RefundMethod, ReturnMethod

# Order ids as the shop prints them (any length: worlds and marketplaces differ).
_ORDER = re.compile(r"\b(PO-\d{2,10}(?:-X\d+)?)\b", re.IGNORECASE)
_SKU = re.compile(r"\b(SKU-[A-Z0-9]{1,12})\b", re.IGNORECASE)
_CUSTOMER = re.compile(r"\b(C-\d{1,8})\b")
_LINE = re.compile(r"\b(?:lines?|l[ií]neas?|renglon(?:es)?|rengl[oó]n|item|art[ií]culo)\s*(?:no\.?|n[uú]m\.?|#)?\s*"
                   r"(\d{1,2}(?:\s*(?:,|y|and|&)\s*\d{1,2})*)", re.IGNORECASE)
_POSTAL = re.compile(r"(?:\b(?:c\.?\s?p\.?|postal code|zip(?: code)?|c[oó]digo postal)\s*:?\s*)?\b(\d{5})\b",
                     re.IGNORECASE)
# Where the new address starts: after "to", "a", "en", "al", or a colon.
_ADDRESS_START = re.compile(r"(?:\b(?:to|a|en|al|hacia|at)\s+|:\s*)", re.IGNORECASE)

# Meaning groups (folded text). Each is a property of the request, not of a test phrasing.
_CARRIER_PICKUP = re.compile(r"\b(?:pick(?:s|ed)? (?:it |them )?up|collect(?:s|ed)? (?:it|them)|pase[n]? (?:la \w+ )?por|"
                             r"recoj\w+|pasen a recoger|carrier pickup|recoleccion|vengan por|(?:carrier|courier) pick ?up)\b")
_CARRIER_WORD = re.compile(r"\b(?:carrier|courier|paqueteria|mensajeria|dhl|estafeta|fedex|ups)\b")
_STORE_DROPOFF = re.compile(r"\b(?:at (?:a|the) store|in (?:a|the) store|en (?:la |una )?tienda|en sucursal|drop(?:ping)? (?:it |them )?off)\b")
_STORE_CREDIT = re.compile(r"\b(?:store credit|saldo(?: a favor)?(?: en tienda)?|credito (?:en|de) (?:la )?tienda|monedero|gift card|"
                           r"tarjeta de regalo|vale)\b")
_USED = re.compile(r"\b(?:used|use[sd]? it|worn|wore|ya (?:la |lo |los |las )?(?:use|usamos|traje|puse)|usad[oa]s?|"
                   r"la use|lo use|las use|los use)\b")
_OPENED = re.compile(r"\b(?:opened|abiert[oa]s?|ya (?:la |lo )?abri|lo abri|la abri)\b")
_DAMAGED = re.compile(r"\b(?:broken|broke|damaged|cracked|smashed|defective|roto|rota|rotos|rotas|danad[oa]s?|"
                      r"estrellad[oa]s?|quebrad[oa]s?|defectuos[oa]s?|maltratad[oa]s?)\b")
_MISSING_ITEM = re.compile(r"\b(?:missing|was not in|wasn't in|not in the (?:box|parcel|package)|falto|faltó|faltan?|"
                           r"no venia|no venía|incomplet[oa])\b")
_NOT_ARRIVED = re.compile(r"\b(?:never (?:arrived|came|got it|received it)|has ?n[o']?t arrived|has not arrived|"
                          r"did ?n[o']?t (?:get|receive|arrive)|not (?:received|arrived)|(?:it'?s|is|was|got|been) lost|"
                          r"lost (?:package|parcel)|never got|nunca (?:me )?(?:llego|lo recibi|la recibi|recibi)|"
                          r"no (?:me )?ha llegado|no (?:me |le )?llego|no lo recibi|no la recibi|no (?:lo |la )?he recibido|"
                          r"se perdio|perdid[oa]|extraviad[oa])\b")
_PHOTOS = re.compile(r"\b(?:photos?|pictures?|pics?|images?|fotos?|fotografias?|imagenes)\b")
_NO_PHOTOS = re.compile(r"\b(?:no (?:photos?|pictures?)|without (?:photos?|pictures?)|sin fotos?|no tengo fotos?|"
                        r"don'?t have (?:any )?(?:photos?|pictures?))\b")
_PREFER_REFUND = re.compile(r"\b(?:refund|money back|reembolso|devuelv\w+ (?:el|mi) dinero|mi dinero)\b")
_PREFER_RESHIP = re.compile(r"\b(?:reship|replacement|send (?:me )?(?:another|a new)|reenv\w+|reposicion|otro igual|uno nuevo)\b")
# A question about what is possible ("can I …?", "¿puedo …?", "how long …?") asks for the rule;
# "can you …?" / "¿puedes …?" asks for the act.
_POSSIBLE = re.compile(r"^\W*(?:(?:so|and|y|entonces|pero|but)\s+)?(?:can i|could i|may i|am i able|is it possible|"
                       r"how long|how many days|what is the policy|what's the policy|do you allow|puedo|se puede|"
                       r"es posible|podria yo|en cuanto tiempo|cuanto tiempo|cuantos dias|hasta cuando puedo|"
                       r"cual es la politica)\b")
#: Words of changing something (folded text): an address request without a new address needs one,
#: or "what is the delivery address of PO-1?" would be read as a wish to change it.
_CHANGE = re.compile(r"\b(?:chang\w*|updat\w*|modif\w*|edit\w*|correct\w*|fix|wrong|mistake|cambi\w*|actualiz\w*|"
                     r"corrig\w*|equivoca\w*|mal|otra|otro|another|new|nuev[ao]s?|different|distint[ao]|instead|"
                     r"mejor|redirect\w*|redirig\w*|reenvi\w*|send|ship|deliver|mand\w*|envi\w*|move|mover|"
                     r"mudo|mude|moved|moving)\b")
_WHOLE = re.compile(r"\b(?:whole|entire|all of|everything|todo|toda|completo|completa|entero)\b")

# Common product nouns, English → Spanish, so an item named in one language finds a product
# named in the other. General retail vocabulary, not a list of one world's products.
GLOSSARY: dict[str, tuple[str, ...]] = {
    "pan": ("sarten",), "pans": ("sarten",), "skillet": ("sarten",), "frying": ("sarten",),
    "pot": ("olla",), "pots": ("olla",), "knife": ("cuchillo",), "knives": ("cuchillo",),
    "headphones": ("audifonos",), "headphone": ("audifonos",), "earbuds": ("audifonos",),
    "earphones": ("audifonos",), "headset": ("audifonos", "diadema"),
    "speaker": ("bocina",), "speakers": ("bocina",), "phone": ("telefono", "celular"),
    "charger": ("cargador",), "keyboard": ("teclado",), "screen": ("pantalla",), "tv": ("television", "pantalla"),
    "watch": ("reloj",), "camera": ("camara",), "blender": ("licuadora",), "coffee": ("cafetera",),
    "shirt": ("playera", "camisa"), "t-shirt": ("playera",), "tshirt": ("playera",), "tee": ("playera",),
    "trousers": ("pantalon",), "pants": ("pantalon",), "jeans": ("pantalon", "jeans"), "dress": ("vestido",),
    "jacket": ("chamarra", "chaqueta"), "shoes": ("zapatos", "tenis"), "sneakers": ("tenis",),
    "socks": ("calcetines",), "boxers": ("boxer",), "underwear": ("ropa interior", "boxer"),
    "towel": ("toalla",), "sheets": ("sabanas",), "pillow": ("almohada",), "lamp": ("lampara",),
    "chair": ("silla",), "table": ("mesa",), "bag": ("bolsa",), "backpack": ("mochila",),
    "toy": ("juguete",), "book": ("libro",), "glasses": ("lentes",), "mug": ("taza",), "cup": ("taza",),
}
_STOP = frozenset({"para", "with", "from", "that", "this", "como", "cada", "pero", "order", "pedido", "line", "linea"})


@dataclass
class Address:
    line1: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None

    def missing(self) -> list[str]:
        return [k for k in ("line1", "city", "state", "postal_code") if not getattr(self, k)]

    def args(self) -> dict[str, Any]:
        return {"line1": self.line1, "city": self.city, "state": self.state, "postal_code": self.postal_code}


@dataclass
class Slots:
    """What a self-service message says beyond its intent."""

    order_ids: list[str] = field(default_factory=list)
    line_nos: list[int] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)
    customer_ids: list[str] = field(default_factory=list)
    address: Address | None = None
    condition: ItemCondition | None = None
    return_method: ReturnMethod | None = None
    refund_method: RefundMethod | None = None
    claim_kind: CaseKind | None = None
    has_photos: bool = False
    prefer: str | None = None  # reship | refund
    whole: bool = False
    asks_rule: bool = False  # a question about what is possible, not a request to act
    changes: bool = False  # says to change, correct or send something elsewhere
    words: set[str] = field(default_factory=set)  # folded words, for naming an item


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def read(text: str) -> Slots:
    """The slots of one message (raw text)."""
    folded = fold(text)
    slots = Slots(
        order_ids=_unique([m.upper() for m in _ORDER.findall(text)]),
        skus=_unique([m.upper() for m in _SKU.findall(text)]),
        customer_ids=_unique(_CUSTOMER.findall(text)),
    )
    for group in _LINE.findall(text):
        slots.line_nos += [int(n) for n in re.findall(r"\d{1,2}", group) if int(n) not in slots.line_nos]
    slots.address = read_address(text)
    if _DAMAGED.search(folded):
        slots.condition, slots.claim_kind = ItemCondition.damaged, CaseKind.damaged
    elif _USED.search(folded):
        slots.condition = ItemCondition.used
    elif _OPENED.search(folded):
        slots.condition = ItemCondition.opened
    if slots.claim_kind is None and _MISSING_ITEM.search(folded):
        slots.claim_kind = CaseKind.missing_item
    if slots.claim_kind is None and _NOT_ARRIVED.search(folded):
        slots.claim_kind = CaseKind.not_arrived
    if _CARRIER_PICKUP.search(folded) and (_CARRIER_WORD.search(folded) or "recoj" in folded or "recoleccion" in folded):
        slots.return_method = ReturnMethod.carrier_pickup
    elif _STORE_DROPOFF.search(folded):
        slots.return_method = ReturnMethod.store_dropoff
    if _STORE_CREDIT.search(folded):
        slots.refund_method = RefundMethod.store_credit
    slots.has_photos = bool(_PHOTOS.search(folded)) and not _NO_PHOTOS.search(folded)
    if _PREFER_REFUND.search(folded) and not _PREFER_RESHIP.search(folded):
        slots.prefer = "refund"
    elif _PREFER_RESHIP.search(folded):
        slots.prefer = "reship"
    slots.whole = bool(_WHOLE.search(folded))
    slots.asks_rule = bool(_POSSIBLE.search(folded.lstrip("¿¡ ")))
    slots.changes = bool(_CHANGE.search(folded))
    words = set(re.findall(r"[a-zñ][a-zñ-]{2,}", folded))
    for word in list(words):
        words.update(GLOSSARY.get(word, ()))
    slots.words = {w for w in words if w not in _STOP}
    return slots


def read_address(text: str) -> Address | None:
    """A delivery address written as "street, city, state, postal code" (any order of the last)."""
    postal = None
    for match in _POSTAL.finditer(text):
        postal = match
    head = text[: postal.start()] if postal else text
    parts = [p.strip(" .;") for p in head.split(",")]
    parts = [p for p in parts if p]
    if postal is None and len(parts) < 2:
        return None
    first = parts[0] if parts else ""
    starts = list(_ADDRESS_START.finditer(first))
    # "… to <street>" / "…: <street>"; an answer to "what is the new address?" starts with it
    street = first[starts[-1].end():].strip() if starts else first.strip()
    if not re.search(r"\d", street) and not postal:
        return None
    rest = parts[1:]
    address = Address(
        line1=street or None,
        city=rest[0] if len(rest) >= 1 else None,
        state=rest[1] if len(rest) >= 2 else None,
        postal_code=postal.group(1) if postal else None,
    )
    return address if address.line1 and (address.city or address.postal_code) else None


def lines_named(slots: Slots, lines: list[dict[str, Any]]) -> list[int]:
    """The order's lines the message names: by number, else by a word of the product's name."""
    if slots.line_nos:
        return slots.line_nos
    found: list[int] = []
    for line in lines:
        name_words = {w for w in re.findall(r"[a-zñ]{3,}", fold(str(line.get("name") or ""))) if w not in _STOP}
        if any(_same_word(a, b) for a in slots.words for b in name_words):
            found.append(int(line["line_no"]))
    return found


def _same_word(a: str, b: str) -> bool:
    """One word, singular or plural ("sartenes" ~ "sarten", "audifonos" ~ "audifono")."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and long_.startswith(short) and len(long_) - len(short) <= 2
