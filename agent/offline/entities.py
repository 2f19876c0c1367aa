"""Entity extraction: order ids, identifiers, SKUs, places, relative dates, analytics terms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from agent.offline import gazetteer
from agent.offline.normalise import fold, normalise
from promesa.domain.identity import normalise_phone
from promesa.errors import InvalidInput

_ORDER_PATTERNS = (
    # the shop's own prefix makes a short id an order id too (PO-101); bare numbers need 4+ digits
    re.compile(r"\bpo[\s#-]*(\d{2,8})\b", re.IGNORECASE),
    re.compile(r"(?<![\w-])#\s?(\d{4,8})\b"),
    re.compile(
        r"\b(?:order|pedido|orden|compra|purchase)s?\s*(?:(?:number|num|no|numero|nro|n)\.?\s*)?"
        r"(?:#|:)?\s*(\d{4,8})\b",
        re.IGNORECASE,
    ),
)
_BARE_NUMBER = re.compile(r"^\s*#?\s*(\d{4,8})\s*[.!?]?\s*$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w-])\+?\(?\d[\d\s().-]{8,}\d")
_SKU = re.compile(r"\bsku[\s#-]*(\d{1,7})\b", re.IGNORECASE)
_CUSTOMER = re.compile(r"\bC-(\d{1,7})\b", re.IGNORECASE)
_NODE = re.compile(r"\b((?:DC-[A-Z]{3,4}|[A-Z]{3,4}-(?:STORE|DARK))-\d{2})\b", re.IGNORECASE)
_CAP = r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+"
# A name after a word that says a person follows: one capitalised word is enough after a strong
# cue ("la clienta López"), two after a weak one ("the order of María López").
_NAME = re.compile(
    rf"(?:customer|cliente|clienta|client|named|llamad[oa]|apellid[oa]|se apellida|señora?|sra?\.|mr\.?|"
    rf"mrs\.?|ms\.?)\s+((?:{_CAP})(?:\s+{_CAP}){{0,3}})"
    rf"|(?:busca(?:r)?(?: a| al)?|find|look up|of|de|del|para|for)\s+((?:{_CAP})(?:\s+{_CAP}){{1,3}})"
    rf"|\b((?:{_CAP}\s+){{0,2}}{_CAP})['’]s\b"
)
# A bare 4–8 digit number in running text is an order number unless it is money, a quantity,
# a postal code or a year.
_LOOSE_NUMBER = re.compile(
    r"(?<![\w$.,-])(?<!cp )(?<!c\.p\. )(?<!zip )(?<!postal )(\d{4,8})(?![\w.,]*\d)"
    r"(?!\s*(?:pesos|mxn|usd|dlls|dolares|dollars|%|km|kg|pzas|piezas|units|unidades|dias|days|horas|hours)\b)",
    re.IGNORECASE)

#: Analytics metric cues (folded text) → metric key.
METRICS: tuple[tuple[str, str], ...] = (
    # "will it arrive on time?" is a status question; the metric needs rate words.
    (r"on[\s-]?time (?:rate|delivery|deliveries|percentage|performance|%)|puntualidad|"
     r"(?:tasa|porcentaje) de (?:entregas? )?a tiempo|\botd\b", "on_time_rate"),
    (r"utili[sz]ation|utilizacion|ocupacion|occupancy|capacity used|carga|how full|que tan llen|"
     r"\bllenos?\b|saturacion", "utilisation"),
    (r"late orders|pedidos (?:tarde|atrasados|retrasados)|late rate", "late_orders"),
    (r"how many orders|number of orders|order volume|orders (?:by|per)|cuantos pedidos|"
     r"numero de pedidos|volumen|pedidos por", "orders"),
    (r"revenue|sales|ventas|ingresos", "revenue"),
)
#: Weaker metric words: a metric only once the intent is already analytics ("on-time by carrier").
METRIC_HINTS: tuple[tuple[str, str], ...] = (
    (r"promesas? (?:no )?incumplid|incumpl|broken promises|promises (?:did we |we )?(?:break|broke|miss)|"
     r"missed promises|\bretrasos\b|\blate\b|\btarde\b|atrasad|retrasad", "late_orders"),
    (r"\bon[\s-]?time\b|\bontime\b|\ba tiempo\b|promesas? cumplid|promises? kept|kept (?:our |the )?promise",
     "on_time_rate"),
    (r"\bload\b|capacidad|capacity|\bfull\b|llen[oa]s?\b|ocupad", "utilisation"),
    (r"\borders\b|\bpedidos\b|\bvolume\b|\bordenes\b", "orders"),
)
DIMENSIONS: tuple[tuple[str, str], ...] = (
    (r"carrier|paqueteria|transportista|mensajeria|courier", "carrier"),
    (r"by node|per node|por nodo|x nodo|which (?:node|store|dc|warehouse)|que (?:nodo|tienda|cedis|almacen)|by store|per store|por tienda|por sucursal|by warehouse|"
     r"por almacen|por centro|(?:por|by|per) cedis|by dc|per dc|por dc\b|by location|por ubicacion", "node"),
    (r"channel|canal", "channel"),
    (r"by city|per city|por ciudad", "city"),
    (r"by state|per state|por estado|\bwhich state|\bque estado|\ben que estado", "state"),
    (r"by day|per day|daily|por dia|diario", "day"),
)
# compiled once: the gazetteer and these tables together outgrow the ``re`` module's cache
_METRICS_RE = tuple((re.compile(p), m) for p, m in METRICS)
_HINTS_RE = tuple((re.compile(p), m) for p, m in METRIC_HINTS)
_DIMENSIONS_RE = tuple((re.compile(p), d) for p, d in DIMENSIONS)
_WEEKDAYS = {
    "monday": 0, "lunes": 0, "tuesday": 1, "martes": 1, "wednesday": 2, "miercoles": 2,
    "thursday": 3, "jueves": 3, "friday": 4, "viernes": 4, "saturday": 5, "sabado": 5,
    "sunday": 6, "domingo": 6,
}


#: Capitalised words that start a place or a sentence, not a person's name.
_NOT_NAMES = frozenset(["tienda", "cedis", "store", "dark", "the", "el", "la", "los", "las", "mi", "my", "your", "tu", "su", "our", "order", "pedido"])


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
    carriers: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    dates: DateRange | None = None
    metric: str | None = None
    metric_hint: str | None = None  # from weaker words; used when the intent is analytics
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
    if re.search(r"last week|past week|previous week|semana pasada|semana anterior", folded):
        start = monday - timedelta(days=7)
        return DateRange(start, start + timedelta(days=6), "last_week")
    first = today.replace(day=1)
    if re.search(r"last month|previous month|past month|mes pasado|mes anterior", folded):
        end = first - timedelta(days=1)
        return DateRange(end.replace(day=1), end, "last_month")
    if re.search(r"this month|este mes|del mes|month to date|en lo que va del mes", folded):
        nxt = (first + timedelta(days=32)).replace(day=1)
        return DateRange(first, nxt - timedelta(days=1), "this_month")
    if re.search(r"next month|proximo mes|mes que viene|siguiente mes", folded):
        start = (first + timedelta(days=32)).replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return DateRange(start, end, "next_month")
    quarter = _quarter(folded, today)
    if quarter is not None:
        return quarter
    if re.search(r"this year|este ano|en lo que va del ano|year to date|\bytd\b", folded):
        return DateRange(date(today.year, 1, 1), date(today.year, 12, 31), "this_year")
    ago = re.search(r"(?:hace\s+(\w+)\s+(dias?|semanas?)|(\w+)\s+(days?|weeks?)\s+ago)", folded)
    if ago:
        count = _count(ago.group(1) or ago.group(3))
        if count is not None:
            unit = ago.group(2) or ago.group(4)
            day = today - timedelta(days=count * (7 if unit.startswith(("sem", "week")) else 1))
            return DateRange(day, day, "ago")
    past = re.search(r"(?:last|past|previous|ultimos|pasados)\s+(\d{1,3})\s+(?:days|dias)", folded)
    if past:
        n = int(past.group(1))
        return DateRange(today - timedelta(days=max(n - 1, 0)), today, f"last_{n}_days")
    if re.search(r"day after tomorrow|pasado manana", folded):
        day = today + timedelta(days=2)
        return DateRange(day, day, "day_after_tomorrow")
    if re.search(r"tomorrow|(?<!\bla )\bmanana\b", folded):
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
    explicit = _explicit_date(folded, today)
    if explicit is not None:
        return explicit
    if re.search(r"weekend|fin de semana|finde\b", folded):
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        return DateRange(saturday, saturday + timedelta(days=1), "weekend")
    month = _month_only(folded, today)
    if month is not None:
        return month
    day_of_month = re.search(r"\b(?:el|the|on the|for the|para el)\s+(\d{1,2})(?:st|nd|rd|th|ro|ero|do|o)?\b(?!\s*(?:pesos|%|dias|days))",
                             folded)
    if day_of_month and 1 <= int(day_of_month.group(1)) <= 31:
        named: date | None
        try:
            named = today.replace(day=int(day_of_month.group(1)))
        except ValueError:
            named = None
        if named is not None:
            return DateRange(named, named, named.isoformat())
    for word, wd in _WEEKDAYS.items():
        if re.search(rf"\b{word}\b", folded):
            # a weekday in a past-tense complaint ("since monday", "desde el lunes") looks back
            back = re.search(rf"(?:since|desde|last|pasado|el {word} pasado|was|fue|debia|supposed)\W+(?:el )?{word}",
                             folded)
            if back or re.search(rf"{word} pasado", folded):
                behind = (today.weekday() - wd) % 7 or 7
                day = today - timedelta(days=behind)
            else:
                day = today + timedelta(days=(wd - today.weekday()) % 7 or 7)
            return DateRange(day, day, word)
    return None


_NUMBER_WORDS = {
    "un": 1, "una": 1, "one": 1, "a": 1, "dos": 2, "two": 2, "tres": 3, "three": 3, "cuatro": 4, "four": 4,
    "cinco": 5, "five": 5, "seis": 6, "six": 6, "siete": 7, "seven": 7, "ocho": 8, "eight": 8,
    "diez": 10, "ten": 10, "quince": 15,
}


def _count(word: str) -> int | None:
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word)


def _quarter(folded: str, today: date) -> DateRange | None:
    """"Q3", "this quarter", "el trimestre pasado": a calendar quarter."""
    current = (today.month - 1) // 3 + 1
    named = re.search(r"\bq([1-4])\b", folded)
    if named:
        number, year = int(named.group(1)), today.year
    elif re.search(r"last quarter|previous quarter|trimestre pasado|trimestre anterior", folded):
        number, year = (current - 1, today.year) if current > 1 else (4, today.year - 1)
    elif re.search(r"this quarter|este trimestre", folded):
        number, year = current, today.year
    else:
        return None
    start = date(year, 3 * number - 2, 1)
    end = (date(year + (number == 4), (3 * number) % 12 + 1, 1)) - timedelta(days=1)
    return DateRange(start, end, f"q{number}")


_MONTH = re.compile(
    r"\b(?:\d{1,2}\s+(?:de\s+)?)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|ene|abr|ago|dic)[a-z]*"
    r"\.?(?:\s+\d{1,2}\b)?")


_MONTHS = {
    "january": 1, "enero": 1, "february": 2, "febrero": 2, "march": 3, "marzo": 3, "april": 4, "abril": 4,
    "may": 5, "mayo": 5, "june": 6, "junio": 6, "july": 7, "julio": 7, "august": 8, "agosto": 8,
    "september": 9, "septiembre": 9, "october": 10, "octubre": 10, "november": 11, "noviembre": 11,
    "december": 12, "diciembre": 12,
}


def _month_only(folded: str, today: date) -> DateRange | None:
    """A month named alone ("en octubre", "orders from december"): its latest occurrence."""
    for word, number in _MONTHS.items():
        if word != "may" and re.search(rf"\b{word}\b", folded):
            year = today.year if number <= today.month else today.year - 1
            start = date(year, number, 1)
            end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            return DateRange(start, end, f"{year}-{number:02d}")
    return None


def _explicit_date(folded: str, today: date) -> DateRange | None:
    """A calendar date ("24 de noviembre", "Nov 24") via ``dateparser``, relative to ``today``."""
    match = _MONTH.search(folded)
    if not match or not re.search(r"\d", match.group(0)):
        return None
    import dateparser  # imported on use: only messages with a calendar date pay for it

    base = datetime.combine(today, time(12))
    parsed = dateparser.parse(match.group(0), languages=["es", "en"],
                              settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "current_period"})
    if parsed is None:
        return None
    day = parsed.date()
    return DateRange(day, day, day.isoformat())


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
    loose_text = _PHONE.sub(" ", scrubbed)
    if not ent.order_ids:
        for match in _LOOSE_NUMBER.finditer(loose_text):
            if not re.fullmatch(r"(?:19|20)\d\d", match.group(1)):
                _add(ent.order_ids, f"PO-{match.group(1)}")
    for match in _PHONE.finditer(scrubbed):
        candidate = match.group(0).strip()
        if len(re.sub(r"\D", "", candidate)) < 10:
            continue
        try:
            _add(ent.phones, normalise_phone(candidate))
        except InvalidInput:
            continue
    for match in _NAME.finditer(text):
        name = next(g for g in match.groups() if g).strip()
        if fold(name.split()[0]) not in _NOT_NAMES:
            _add(ent.names, name)
    place_text = " ".join(re.findall(r"[a-z0-9]+", fold(scrubbed)))
    places = gazetteer.default()
    for node in places.nodes.find(place_text):
        _add(ent.node_ids, node)
    for city in places.cities.find(place_text):
        _add(ent.cities, city)
    for carrier in places.carriers.find(place_text):
        _add(ent.carriers, carrier)
    for pattern, metric in _METRICS_RE:
        if pattern.search(folded):
            ent.metric = metric
            break
    for pattern, metric in _HINTS_RE:
        if pattern.search(folded):
            ent.metric_hint = metric
            break
    norm = normalise(text)  # "x nodo" is "por nodo"
    for pattern, dim in _DIMENSIONS_RE:
        if pattern.search(folded) or pattern.search(norm):
            _add(ent.dimensions, dim)
    if today is not None:
        # folded first ("sunday's"), then with chat shorthand expanded ("tmrw")
        ent.dates = resolve_dates(folded, today) or resolve_dates(normalise(text), today)
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
