"""Entity extraction: order ids, identifiers, SKUs, places, relative dates, analytics terms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from promesa.domain.identity import normalise_phone
from promesa.errors import InvalidInput

from agent.offline.normalise import fold

_ORDER_PATTERNS = (
    re.compile(r"\bpo[\s#-]*(\d{4,8})\b", re.I),
    re.compile(r"(?<![\w-])#\s?(\d{4,8})\b"),
    re.compile(
        r"\b(?:order|pedido|orden|compra|purchase)s?\s*(?:(?:number|num|no|numero|nro|n)\.?\s*)?"
        r"(?:#|:)?\s*(\d{4,8})\b",
        re.I,
    ),
)
_BARE_NUMBER = re.compile(r"^\s*#?\s*(\d{4,8})\s*[.!?]?\s*$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w-])\+?\(?\d[\d\s().-]{8,}\d")
_SKU = re.compile(r"\bsku[\s#-]*(\d{4,7})\b", re.I)
_CUSTOMER = re.compile(r"\bC-(\d{4,7})\b", re.I)
_NODE = re.compile(r"\b((?:DC-[A-Z]{3,4}|[A-Z]{3,4}-(?:STORE|DARK))-\d{2})\b", re.I)
_NAME = re.compile(
    r"(?:customer|cliente|client|named|llamad[oa]|busca(?:r)?(?: a| al)?|find|look up)\s+"
    r"((?:[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+\s?){2,4})"
)

#: City names as the world stores them, keyed by folded spellings people type.
CITIES: dict[str, str] = {
    "cdmx": "Ciudad de México", "ciudad de mexico": "Ciudad de México", "mexico city": "Ciudad de México",
    "df": "Ciudad de México", "monterrey": "Monterrey", "mty": "Monterrey",
    "guadalajara": "Guadalajara", "gdl": "Guadalajara", "puebla": "Puebla",
    "queretaro": "Querétaro", "merida": "Mérida", "tijuana": "Tijuana", "cancun": "Cancún",
    "leon": "León", "toluca": "Toluca", "san pedro garza garcia": "San Pedro Garza García",
    "saltillo": "Saltillo", "veracruz": "Veracruz", "oaxaca": "Oaxaca", "chihuahua": "Chihuahua",
}
#: Landmarks that name one node ("la tienda de Polanco").
NODE_ALIASES: dict[str, str] = {
    "polanco": "CDMX-STORE-01", "san pedro": "MTY-STORE-01", "cumbres": "MTY-STORE-02",
}
#: Analytics metric cues (folded text) → metric key.
METRICS: tuple[tuple[str, str], ...] = (
    # "will it arrive on time?" is a status question; the metric needs rate words.
    (r"on[\s-]?time (?:rate|delivery|deliveries|percentage|performance|%)|puntualidad|"
     r"(?:tasa|porcentaje) de (?:entregas? )?a tiempo|\botd\b", "on_time_rate"),
    (r"utili[sz]ation|utilizacion|ocupacion|occupancy|capacity used|carga", "utilisation"),
    (r"late orders|pedidos (?:tarde|atrasados|retrasados)|late rate", "late_orders"),
    (r"how many orders|number of orders|order volume|orders (?:by|per)|cuantos pedidos|"
     r"numero de pedidos|volumen|pedidos por", "orders"),
    (r"revenue|sales|ventas|ingresos", "revenue"),
)
DIMENSIONS: tuple[tuple[str, str], ...] = (
    (r"carrier|paqueteria|transportista|mensajeria", "carrier"),
    (r"by node|per node|por nodo|by store|per store|por tienda|por sucursal|by warehouse|"
     r"por almacen|por centro", "node"),
    (r"channel|canal", "channel"),
    (r"by city|per city|por ciudad", "city"),
    (r"by state|per state|por estado", "state"),
    (r"by day|per day|daily|por dia|diario", "day"),
)
_WEEKDAYS = {
    "monday": 0, "lunes": 0, "tuesday": 1, "martes": 1, "wednesday": 2, "miercoles": 2,
    "thursday": 3, "jueves": 3, "friday": 4, "viernes": 4, "saturday": 5, "sabado": 5,
    "sunday": 6, "domingo": 6,
}


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of local dates a message refers to."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class Entities:
    """Everything found in one message; lists keep the order of appearance, without repeats."""

    order_ids: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)
    customer_ids: list[str] = field(default_factory=list)
    node_ids: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    dates: DateRange | None = None
    metric: str | None = None
    dimensions: list[str] = field(default_factory=list)
    ref: str | None = None  # "other" | "first" | "second" | "last" | "it"

    @property
    def identifiers(self) -> list[str]:
        """Customer identifiers in lookup order (ids first, then email, phone, name)."""
        return self.customer_ids + self.emails + self.phones + self.names


def _add(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)


def resolve_dates(folded: str, today: date) -> DateRange | None:
    """A relative date phrase resolved against ``today`` (None when there is none)."""
    monday = today - timedelta(days=today.weekday())
    if re.search(r"next week|proxima semana|semana que viene|siguiente semana", folded):
        start = monday + timedelta(days=7)
        return DateRange(start, start + timedelta(days=6), "next_week")
    if re.search(r"this week|esta semana", folded):
        return DateRange(monday, monday + timedelta(days=6), "this_week")
    if re.search(r"day after tomorrow|pasado manana", folded):
        day = today + timedelta(days=2)
        return DateRange(day, day, "day_after_tomorrow")
    if re.search(r"tomorrow|(?<!la )\bmanana\b", folded):
        day = today + timedelta(days=1)
        return DateRange(day, day, "tomorrow")
    if re.search(r"\btoday\b|\bhoy\b", folded):
        return DateRange(today, today, "today")
    if re.search(r"\byesterday\b|\bayer\b", folded):
        day = today - timedelta(days=1)
        return DateRange(day, day, "yesterday")
    days = re.search(r"(?:next|in|proximos|en)\s+(\d{1,2})\s+(?:days|dias)", folded)
    if days:
        n = int(days.group(1))
        return DateRange(today, today + timedelta(days=max(n - 1, 0)), f"next_{n}_days")
    for word, wd in _WEEKDAYS.items():
        if re.search(rf"\b{word}\b", folded):
            ahead = (wd - today.weekday()) % 7 or 7
            day = today + timedelta(days=ahead)
            return DateRange(day, day, word)
    return None


def extract(text: str, today: date | None = None) -> Entities:
    """Entities of one message. Relative dates resolve only when ``today`` is known."""
    ent = Entities()
    folded = fold(text)
    for match in _EMAIL.finditer(text):
        _add(ent.emails, match.group(0).lower())
    scrubbed = _EMAIL.sub(" ", text)
    for match in _SKU.finditer(scrubbed):
        _add(ent.skus, f"SKU-{match.group(1)}")
    for match in _CUSTOMER.finditer(scrubbed):
        _add(ent.customer_ids, f"C-{match.group(1)}")
    for match in _NODE.finditer(scrubbed):
        _add(ent.node_ids, match.group(1).upper())
    scrubbed = _NODE.sub(" ", _CUSTOMER.sub(" ", _SKU.sub(" ", scrubbed)))
    for pattern in _ORDER_PATTERNS:
        for match in pattern.finditer(scrubbed):
            _add(ent.order_ids, f"PO-{match.group(1)}")
    bare = _BARE_NUMBER.match(scrubbed)
    if bare:
        _add(ent.order_ids, f"PO-{bare.group(1)}")
    for match in _PHONE.finditer(scrubbed):
        candidate = match.group(0).strip()
        if len(re.sub(r"\D", "", candidate)) < 10:
            continue
        try:
            _add(ent.phones, normalise_phone(candidate))
        except InvalidInput:
            continue
    for match in _NAME.finditer(text):
        _add(ent.names, match.group(1).strip())
    place_text = fold(scrubbed)
    for key, city in CITIES.items():
        if re.search(rf"\b{key}\b", place_text):
            _add(ent.cities, city)
    for key, node in NODE_ALIASES.items():
        if re.search(rf"\b{key}\b", folded):
            _add(ent.node_ids, node)
    for pattern, metric in METRICS:
        if re.search(pattern, folded):
            ent.metric = metric
            break
    for pattern, dim in DIMENSIONS:
        if re.search(pattern, folded):
            _add(ent.dimensions, dim)
    if today is not None:
        ent.dates = resolve_dates(folded, today)
    ent.ref = _reference(folded)
    return ent


def _reference(folded: str) -> str | None:
    if re.search(r"\b(?:the )?other (?:one|order)\b|\bel otro\b|\bla otra\b|\bthe other\b", folded):
        return "other"
    if re.search(r"\bfirst\b|\bprimer[oa]?\b", folded):
        return "first"
    if re.search(r"\bsecond\b|\bsegund[oa]\b", folded):
        return "second"
    if re.search(r"\blast one\b|\bultim[oa]\b", folded):
        return "last"
    return None
