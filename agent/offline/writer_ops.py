"""Writer for staff and knowledge results: risk, analytics, policies, customers, stock."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from agent.offline.dialogue import ToolResult
from agent.offline.fmt import as_date, fmt_date, fmt_money, fmt_number
from agent.offline.normalise import fold
from agent.offline.phrases import REASON, STATUS, label

T: dict[str, tuple[str, str]] = {
    "risk_count": ("{n} orders are at risk of missing their promise{span}.", "{n} pedidos están en riesgo de no cumplir su promesa{span}."),
    "risk_none": ("No orders are at risk of missing their promise{span}.", "Ningún pedido está en riesgo de incumplir su promesa{span}."),
    "span": (" between {a} and {b}", " entre el {a} y el {b}"),
    "span1": (" on {a}", " el {a}"),
    "top": ("Top: {items}.", "Principales: {items}."),
    "node_over": ("Over capacity: {items}.", "Sobre capacidad: {items}."),
    "node_item": ("{node} on {day} ({load} orders for a capacity of {cap})", "{node} el {day} ({load} pedidos para una capacidad de {cap})"),
    "analytics": ("{metric}{by}{span}: {items}.", "{metric}{by}{span}: {items}."),
    "by": (" by {dims}", " por {dims}"),
    "more_rows": (" and {n} more", " y {n} más"),
    "total": ("Total across the {n} groups by {dims}{span}: {total}.", "Total de los {n} grupos por {dims}{span}: {total}."),
    "no_rows": ("{metric}: there is no data for that period.", "{metric}: no hay datos para ese periodo."),
    "policy_none": ("I couldn't find a policy that answers that. I can pass you to a person if you like.",
                    "No encontré una política que responda eso. Si quieres, te comunico con una persona."),
    "policy_sources": ("Source: {titles}.", "Fuente: {titles}."),
    "cust_none": ("No customer matches that identifier.", "Ningún cliente coincide con ese dato."),
    "cust_many": ("I found {n} customers: {items}. Which one?", "Encontré {n} clientes: {items}. ¿Cuál es?"),
    "cust_one": ("I found {name} ({id}{city}), matched on {on}.", "Encontré a {name} ({id}{city}), por {on}."),
    "profile": ("{name} ({id}{city}).", "{name} ({id}{city})."),
    "identities": ("Identities: {items}.", "Identidades: {items}."),
    "orders": ("Orders: {items}.", "Pedidos: {items}."),
    "ltv": ("Lifetime value: {v}.", "Valor de vida: {v}."),
    "last_contact": ("Last contact ({channel}, {day}): \"{summary}\".", "Último contacto ({channel}, {day}): \"{summary}\"."),
    "stock": ("{sku}: {n} units available to promise{city}.", "{sku}: {n} unidades disponibles para prometer{city}."),
    "stock_none": ("{sku} is not available to promise{city}.", "{sku} no está disponible para prometer{city}."),
    "stock_where": ("Where: {items}.", "Dónde: {items}."),
    "in_city": (" in {city}", " en {city}"),
    "done": ("Done.", "Listo."),
}
METRIC: dict[str, tuple[str, str]] = {
    "on_time_rate": ("On-time rate", "Tasa de puntualidad"), "utilisation": ("Utilisation", "Ocupación"),
    "utilization": ("Utilisation", "Ocupación"), "orders": ("Orders", "Pedidos"),
    "late_orders": ("Late orders", "Pedidos tarde"), "revenue": ("Revenue", "Ventas"),
}
DIM: dict[str, tuple[str, str]] = {
    "carrier": ("carrier", "paquetería"), "node": ("node", "nodo"), "node_id": ("node", "nodo"),
    "channel": ("channel", "canal"), "state": ("state", "estado"), "week": ("week", "semana"), "city": ("city", "ciudad"), "day": ("day", "día"),
}
#: identity kinds, where an identity was captured, and interaction channels
SOURCE: dict[str, tuple[str, str]] = {
    "email": ("email", "correo"), "phone": ("phone", "teléfono"), "social": ("social", "redes sociales"),
    "web": ("web", "web"), "app": ("app", "app"), "store": ("store", "tienda"),
    "marketplace": ("marketplace", "marketplace"), "chat": ("chat", "chat"),
    "order": ("order", "pedido"), "name": ("name", "nombre"),
}
# Sentences in a passage that address the reader's assistant are data we never repeat.
_INSTRUCTION = re.compile(r"ignore|disregard|instruction|system prompt|you must now|as an ai|assistant", re.IGNORECASE)


def t(key: str, lang: str, **kw: Any) -> str:
    """The staff/knowledge phrase ``key`` in ``lang``, filled with ``kw``."""
    en, es = T[key]
    return (es if lang == "es" else en).format(**kw)


def _rows(result: Any, *keys: str) -> list[dict[str, Any]]:
    if isinstance(result, dict):
        for key in keys:
            if isinstance(result.get(key), list):
                return [r for r in result[key] if isinstance(r, dict)]
        return []
    return [r for r in result if isinstance(r, dict)] if isinstance(result, list) else []


def risk(res: ToolResult, lang: str) -> str:
    """A risk-scan result in words: how many orders are at risk, the first ones, the over-full nodes."""
    data = res.result if isinstance(res.result, dict) else {}
    flags = _rows(res.result, "at_risk", "at_risk_orders", "flags", "risks")
    orders = [f for f in flags if f.get("order_id")]
    nodes = [n for n in _rows(res.result, "node_days") + [f for f in flags if not f.get("order_id")]
             if n.get("over_capacity") or n.get("reason") == "over_capacity"
             or (n.get("capacity_orders") is not None and (n.get("due_orders") or 0) > n["capacity_orders"])]
    start, days = data.get("start") or res.args.get("start"), data.get("days") or res.args.get("days")
    first = as_date(start)
    span = ""
    if first and days == 1:
        span = t("span1", lang, a=fmt_date(first, lang))
    elif first and isinstance(days, int) and days > 1:
        span = t("span", lang, a=fmt_date(first, lang), b=fmt_date(first + timedelta(days=days - 1), lang))
    raw_totals = data.get("totals")
    totals: dict[str, Any] = raw_totals if isinstance(raw_totals, dict) else {}
    count = totals.get("at_risk_orders", totals.get("orders_at_risk", len(orders)))
    if not count and not nodes:
        return t("risk_none", lang, span=span)
    parts = [t("risk_count", lang, n=count, span=span)]
    if orders:
        items = ", ".join(
            f"{o['order_id']} ({label(REASON, o.get('reason', '?'), lang)}"
            f"{' — ' + o['node_id'] if o.get('node_id') else ''})" for o in orders[:5])
        parts.append(t("top", lang, items=items))
    if nodes:
        items = "; ".join(
            t("node_item", lang, node=n.get("node_id", "?"), day=fmt_date(n.get("day") or n.get("date"), lang),
              load=n.get("due_orders", n.get("demand_orders", "?")), cap=n.get("capacity_orders", n.get("capacity", "?")))
            for n in nodes[:3])
        parts.append(t("node_over", lang, items=items))
    return " ".join(parts)


def analytics(res: ToolResult, lang: str) -> str:
    """An analytics result in words: the metric, its grouping, its period and the values."""
    data = res.result if isinstance(res.result, dict) else {}
    raw_spec = data.get("spec")
    spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
    metric = str(data.get("metric") or spec.get("metric") or res.args.get("metric") or "?")
    name = label(METRIC, metric, lang)
    rows = _rows(res.result, "rows")
    if not rows:
        return t("no_rows", lang, metric=name)
    dims = list(data.get("dimensions") or spec.get("dimensions") or res.args.get("dimensions") or [])
    unit = data.get("unit")

    def value(row: dict[str, Any]) -> Any:
        if "value" in row:
            return row["value"]
        nums = [v for k, v in row.items() if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in dims]
        return nums[-1] if nums else "?"

    def name_of(row: dict[str, Any]) -> str:
        if isinstance(row.get("group"), dict):
            return " / ".join(str(v) for v in row["group"].values()) or metric
        keys = dims or [k for k, v in row.items() if isinstance(v, str)]
        return " / ".join(str(row.get(k)) for k in keys if row.get(k) is not None) or metric

    items = ", ".join(f"{name_of(r)} {fmt_number(value(r), unit)}" for r in rows[:_SHOWN_ROWS])
    if len(rows) > _SHOWN_ROWS:
        items += t("more_rows", lang, n=len(rows) - _SHOWN_ROWS)
    dim_names = ", ".join(label(DIM, d, lang) for d in dims)
    by = t("by", lang, dims=dim_names) if dims else ""
    start, end = data.get("start") or res.args.get("start"), data.get("end") or res.args.get("end")
    span = f" ({fmt_date(start, lang)} – {fmt_date(end, lang)})" if start and end else ""
    text = t("analytics", lang, metric=name, by=by, span=span, items=items)
    counts = [value(r) for r in rows]
    if metric in _COUNTED and dims and len(rows) > 1 and all(isinstance(v, (int, float)) for v in counts):
        # a total says what it covers: every group of the breakdown, over the same period
        text += " " + t("total", lang, metric=name, n=len(rows), dims=dim_names, span=span,
                        total=fmt_number(sum(counts), unit))
    return text


#: Rows of a breakdown written out; the rest are counted.
_SHOWN_ROWS = 8
#: Metrics that are counts, so their groups add up to a meaningful total.
_COUNTED = frozenset({"orders", "late_orders"})


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]{4,}", fold(text))}


def _summary(text: str, query: str = "", limit: int = 320, sentences: int = 2) -> str:
    """The passage's two sentences closest to the question (numbers count), in passage order."""
    plain = re.sub(r"^\s*(?:#+|[-*]|\d+\.)\s*", "", text, flags=re.MULTILINE)
    wanted = sentences
    split = [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(plain.split())) if s.strip()]
    found = [s for s in split if not _INSTRUCTION.search(s)]
    asked = _stems(query)

    def relevance(i: int) -> tuple[float, int]:
        sent = found[i]
        return (-(len(asked & _stems(sent)) + (0.5 if re.search(r"\d", sent) else 0.0)), i)

    chosen = sorted(sorted(range(len(found)), key=relevance)[:wanted])
    summary = " ".join(found[i] for i in chosen)
    return summary if len(summary) <= limit else summary[: limit - 1].rsplit(" ", 1)[0] + "…"


def policy(res: ToolResult, lang: str) -> str:
    """The direct answer first, then where it comes from.

    The best passage (the user's language first) gives the answer: its one or two sentences
    closest to the question. A second passage adds its closest sentence only when it shares
    words with the question (retrieval's runner-up is often about something else). The sources
    close the answer by title; the citation links are the policy card's (``policy_answer``
    decision), so no raw ``[doc#section]`` tag is shown. Passage text is data: sentences that
    address an assistant are never repeated.
    """
    passages = [p for p in _rows(res.result, "passages", "results") if p.get("citation")]
    if not passages:
        return t("policy_none", lang)
    ranked = sorted(passages, key=lambda p: 0 if str(p.get("locale", lang)).startswith(lang) else 1)
    query = str(res.args.get("query", ""))
    asked = _stems(query)
    answer: list[str] = []
    titles: list[str] = []
    for i, passage in enumerate(ranked[:2]):
        text = str(passage.get("text", ""))
        if i and not (asked & _stems(text)):
            continue  # an unrelated runner-up would only blur the answer
        summary = _summary(text, query, sentences=2 if i == 0 else 1)
        if summary:
            answer.append(summary)
            title = str(passage.get("section_title") or passage.get("title") or passage["citation"])
            if title not in titles:
                titles.append(title)
    if not answer:
        return t("policy_none", lang)
    return f"{' '.join(answer)}\n{t('policy_sources', lang, titles='; '.join(titles))}"


def customers(res: ToolResult, lang: str) -> tuple[str, str | None]:
    """A customer search in words, and ``'identifier'`` when several match (the user must pick)."""
    rows = _rows(res.result, "matches", "customers")
    if not rows:
        return t("cust_none", lang), None
    if len(rows) == 1:
        r = rows[0]
        city = f", {r['city']}" if r.get("city") else ""
        return t("cust_one", lang, name=r.get("name", "?"), id=r.get("customer_id", "?"), city=city,
                 on=label(SOURCE, r.get("matched_on", "?"), lang)), None
    items = "; ".join(f"{r.get('name', '?')} ({r.get('customer_id', '?')}{', ' + r['city'] if r.get('city') else ''})"
                      for r in rows[:5])
    return t("cust_many", lang, n=len(rows), items=items), "identifier"


def profile(res: ToolResult, lang: str) -> str:
    """A customer profile in words: name, identities, recent orders and interactions."""
    d = res.result if isinstance(res.result, dict) else {}
    parts = [t("profile", lang, name=d.get("name", "?"), id=d.get("customer_id", "?"),
               city=f", {d['city']}" if d.get("city") else "")]
    ids = [i for i in d.get("identities") or [] if isinstance(i, dict)]
    if ids:
        parts.append(t("identities", lang, items=", ".join(
            f"{label(SOURCE, i.get('kind'), lang)} {i.get('value')} ({label(SOURCE, i.get('source'), lang)})" for i in ids)))
    orders = [o for o in d.get("orders") or [] if isinstance(o, dict)]
    if orders:
        parts.append(t("orders", lang, items=", ".join(
            f"{o.get('order_id')} ({label(STATUS, o.get('status', '?'), lang)}, {fmt_date(o.get('promised_date'), lang)})"
            for o in orders[:6])))
    if d.get("lifetime_value") is not None:
        parts.append(t("ltv", lang, v=fmt_money(d["lifetime_value"])))
    inter = [i for i in d.get("interactions") or [] if isinstance(i, dict)]
    if inter:
        last = max(inter, key=lambda i: str(i.get("occurred_at") or ""))  # whatever the list's order
        # the summary is a note staff wrote, in whatever language: quoted as data
        parts.append(t("last_contact", lang, summary=str(last.get("summary", "")).rstrip("."),
                       channel=label(SOURCE, last.get("channel", "?"), lang), day=fmt_date(last.get("occurred_at"), lang)))
    return " ".join(parts)


def _km(distance: Any) -> str:
    """', 12 km' for a numeric distance, else nothing."""
    return f", {distance:.0f} km" if isinstance(distance, (int, float)) else ""


def stock(res: ToolResult, lang: str) -> str:
    """An availability result in words: the total available and the nodes that hold it."""
    d = res.result if isinstance(res.result, dict) else {}
    sku = d.get("sku") or res.args.get("sku", "?")
    city = t("in_city", lang, city=res.args["city"]) if res.args.get("city") else ""
    nodes = [n for n in d.get("nodes") or [] if isinstance(n, dict) and (n.get("atp") or 0) > 0]
    total = d.get("total_atp", sum(n.get("atp", 0) for n in nodes))
    if not total:
        return t("stock_none", lang, sku=sku, city=city)
    items = "; ".join(f"{n.get('node_id')} ({n.get('city', '?')}"
                      f"{_km(n.get('distance_km'))}): {n.get('atp')}"
                      for n in nodes[:5])
    text = t("stock", lang, sku=sku, n=total, city=city)
    return f"{text} {t('stock_where', lang, items=items)}" if items else text


def write_result(res: ToolResult, lang: str) -> tuple[str, str | None]:
    """Text for one successful staff/knowledge tool result, and any pending question."""
    if res.name == "find_customer":
        return customers(res, lang)
    writers = {"scan_risk": risk, "run_analytics": analytics, "search_policies": policy,
               "get_customer_profile": profile, "check_availability": stock}
    fn = writers.get(res.name)
    return (fn(res, lang), None) if fn else (t("done", lang), None)
