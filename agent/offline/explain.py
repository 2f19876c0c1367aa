"""Explanations in words built from structured tool fields, never from the tools' English prose.

Tool records carry human-checkable prose for staff and logs (``reason_detail`` of an order
status, ``reason``/``problem`` of a reroute proposal). That prose is English and may name
internal ids, so answers are phrased from the structured fields instead: the reason code, the
carrier, the delay event's day, location and revised date, the option's nodes, dates and cost.
A carrier's own reason text is data, so it is only ever quoted, never paraphrased.
"""

from __future__ import annotations

from typing import Any

from agent.offline.fmt import as_date, fmt_date, fmt_money
from agent.offline.phrases import REASON, label

E: dict[str, tuple[str, str]] = {
    # why an order is late or at risk
    "delay_event": ("{carrier} reported a delay{where} on {day}{quote} and moved the delivery to {eta}.",
                    "{carrier} reportó un retraso{where} el {day}{quote} y cambió la entrega al {eta}."),
    "failed_event": ("{carrier} tried to deliver it on {day}{quote} but couldn't; the next delivery day is {eta}.",
                     "{carrier} intentó entregarlo el {day}{quote} sin lograrlo; el siguiente día de entrega es el {eta}."),
    "cause": ("Reason: {what}.", "Motivo: {what}."),
    "the_carrier": ("the carrier", "la paquetería"),
    "at_place": (" in {place}", " en {place}"),
    "carrier_says": (" (carrier's note: \"{text}\")", " (nota de la paquetería: \"{text}\")"),
    "capacity_at": ("a capacity shortfall at {node}", "falta de capacidad en {node}"),
    "hold_ended": ("the pickup hold ending on {day}", "que el plazo para recoger venció el {day}"),
    "no_margin": ("It is due on the promised day itself, with no margin.",
                  "Llega justo el día prometido, sin margen."),
    # reroute proposals
    "why_short": ("{node} can no longer ship it as planned", "{node} ya no puede enviarlo como estaba planeado"),
    "why_late": ("from {node} it would arrive on {eta}, after the promise",
                 "desde {node} llegaría el {eta}, después de la fecha prometida"),
    "why_unallocated": ("it is not allocated to any node", "no está asignado a ningún nodo"),
    "rank": ("it is the best of {n} options under the '{profile}' profile",
             "es la mejor de {n} opciones con el perfil '{profile}'"),
    "none_no_options": ("no node that has the items can ship them", "ningún nodo con los artículos puede enviarlos"),
    "none_late": ("no node can deliver by the promised {promised}; the earliest option, {node}, would arrive on {eta}",
                  "ningún nodo llega para la fecha prometida ({promised}); la opción más pronta, {node}, llegaría el {eta}"),
    "none_consent": ("only a pickup at {node} keeps the promise, and it needs the customer's consent",
                     "solo recoger en {node} cumple la promesa, y necesita el consentimiento del cliente"),
    "none_pickup": ("no nearby store can hold this order for pickup",
                    "ninguna tienda cercana puede tenerlo listo para recoger"),
    "none_filtered": ("every option breaks a sourcing rule", "todas las opciones incumplen alguna regla de surtido"),
    "no_need": ("no change is needed: from {node} it arrives on {eta}, within the promised {promised}",
                "no hace falta cambiarlo: desde {node} llega el {eta}, dentro de la fecha prometida ({promised})"),
}


def e(key: str, lang: str, **kw: Any) -> str:
    """The explanation phrase ``key`` in ``lang``, filled with ``kw``."""
    en, es = E[key]
    return (es if lang == "es" else en).format(**kw)


def _steps(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    steps = [s for s in data.get("timeline") or [] if isinstance(s, dict) and s.get("type") == kind]
    return sorted(steps, key=lambda s: str(s.get("occurred_at") or ""))


def _event(step: dict[str, Any], carrier: str, eta: Any, lang: str, key: str) -> str:
    where = e("at_place", lang, place=step["location"]) if step.get("location") else ""
    quote = e("carrier_says", lang, text=step["reason"]) if step.get("reason") else ""
    if key == "failed_event":  # the location reads as where the attempt was, after the day
        quote = where + quote
        where = ""
    return e(key, lang, carrier=carrier, where=where, quote=quote,
             day=fmt_date(step.get("occurred_at"), lang), eta=fmt_date(eta, lang))


def late_reason(data: dict[str, Any], lang: str) -> str | None:
    """Why an order status is late or at risk: one sentence in ``lang``, from structured fields only."""
    code = data.get("reason")
    if not code:
        return e("no_margin", lang) if data.get("at_risk") and not data.get("late") else None
    carrier = data.get("carrier") or e("the_carrier", lang)
    if code == "carrier_delay":
        delays = [s for s in _steps(data, "delay_exception") if s.get("revised_eta")]
        if delays and as_date(delays[-1]["revised_eta"]) == as_date(data.get("eta")):
            return _event(delays[-1], carrier, delays[-1]["revised_eta"], lang, "delay_event")
    if code == "failed_attempt":
        attempts = _steps(data, "failed_attempt")
        if attempts and data.get("eta"):
            return _event(attempts[-1], carrier, data["eta"], lang, "failed_event")
    if code == "over_capacity" and data.get("node_id"):
        what = e("capacity_at", lang, node=data["node_id"])
    elif code == "pickup_expired" and data.get("pickup_hold_until"):
        what = e("hold_ended", lang, day=fmt_date(data["pickup_hold_until"], lang))
    else:
        what = label(REASON, code, lang)
    return e("cause", lang, what=what)


# --- reroute proposals ------------------------------------------------------------------------


def option_ship_day(option: dict[str, Any]) -> Any:
    """The day the option's (first) parcel leaves its node."""
    detail = [d for d in option.get("detail") or [] if isinstance(d, dict)]
    return detail[0].get("ship_day") if detail else None


def proposal_why(data: dict[str, Any], lang: str) -> str | None:
    """Staff's short "why" for a recommendation: what goes wrong now, and how the option ranks."""
    parts: list[str] = []
    node, current_eta, promised = data.get("current_node"), data.get("current_eta"), data.get("promised_date")
    if node and current_eta is None:
        parts.append(e("why_short", lang, node=node))
    elif node and as_date(current_eta) and as_date(promised) and as_date(current_eta) > as_date(promised):  # type: ignore[operator]
        parts.append(e("why_late", lang, node=node, eta=fmt_date(current_eta, lang)))
    elif not node and "current_node" in data:
        parts.append(e("why_unallocated", lang))
    options = [o for o in data.get("options") or [] if isinstance(o, dict)]
    if len(options) > 1 and data.get("profile"):
        parts.append(e("rank", lang, n=len(options), profile=data["profile"]))
    return "; ".join(parts) or None


def why_none(data: dict[str, Any], lang: str, pickup: bool) -> str:
    """Why no option is recommended, in words (the tool's reason prose may name option ids)."""
    options = [o for o in data.get("options") or [] if isinstance(o, dict)]
    node, current_eta, promised = data.get("current_node"), data.get("current_eta"), data.get("promised_date")
    if "problem" in data and data["problem"] is None and node and current_eta:
        return e("no_need", lang, node=node, eta=fmt_date(current_eta, lang), promised=fmt_date(promised, lang))
    if not options:
        return e("none_pickup" if pickup else "none_no_options", lang)
    if all(o.get("meets_promise") is False for o in options):
        first = min(options, key=lambda o: (str(o.get("eta")), str(o.get("option_id"))))
        return e("none_late", lang, promised=fmt_date(promised, lang), eta=fmt_date(first.get("eta"), lang),
                 node="+".join(str(n) for n in first.get("nodes") or []) or "?")
    consent = [o for o in options if not o.get("executable", True) and not o.get("filtered_out")]
    if consent and consent[0].get("nodes"):
        return e("none_consent", lang, node=consent[0]["nodes"][0])
    return e("none_filtered", lang)


def cost(option: dict[str, Any]) -> str:
    """A reroute option's cost difference as money, or '-' when it has none."""
    value = option.get("cost_delta_mxn", option.get("cost_delta"))
    return fmt_money(value) if value is not None else "-"
