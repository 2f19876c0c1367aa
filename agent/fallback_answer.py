"""A reply written from the turn's typed decisions, for when the model's own words cannot be
shown (they state facts no tool supports, they were cut off, or they are too long).

Every sentence comes from a decision record, so it can only repeat what code computed.
"""

from __future__ import annotations

from typing import Any

from agent.offline.fmt import fmt_date
from agent.offline.writer import order_status

_LINES: dict[str, dict[str, str]] = {
    "proposal": {
        "en": "For order {order_id} I found {count} option(s){recommended}; it needs approval before anything changes.",
        "es": "Para el pedido {order_id} encontré {count} opción(es){recommended}; requiere aprobación antes de cambiar algo.",
    },
    "recommended": {"en": ", recommended: {node}", "es": ", recomendada: {node}"},
    "executed": {"en": "Done: order {order_id} {what}.", "es": "Listo: el pedido {order_id} {what}."},
    "policy": {"en": "The policy that applies: {citations}.", "es": "La política que aplica: {citations}."},
    "risk": {
        "en": "Risk flagged{where}: {reason}.",
        "es": "Riesgo detectado{where}: {reason}.",
    },
    "analytics": {
        "en": "{metric}: {rows} row(s) computed.",
        "es": "{metric}: {rows} fila(s) calculadas.",
    },
    "availability": {
        "en": "{sku}: {total} unit(s) available to promise.",
        "es": "{sku}: {total} unidad(es) disponibles para prometer.",
    },
    "clarify": {
        "en": "I couldn't confirm that from our records. Which order number should I look up? It is in your confirmation email.",
        "es": "No pude confirmarlo con nuestros registros. ¿Qué número de pedido debo consultar? Viene en tu correo de confirmación.",
    },
}

#: What an executed action did, by the action the execution record names.
_DONE: dict[str, dict[str, str]] = {
    "convert_to_pickup": {"en": "will now be picked up in store", "es": "ahora se recoge en tienda"},
    "execute_reroute": {"en": "now ships from another store", "es": "ahora se envía desde otra tienda"},
    "": {"en": "was changed as approved", "es": "se cambió como se aprobó"},
}


def _say(key: str, lang: str, **params: Any) -> str:
    table = _LINES[key]
    return table.get(lang, table["en"]).format(**params)


def clarification(lang: str) -> str:
    """The question asked when no decision of the turn can answer."""
    return _say("clarify", lang)


def answer_from(decisions: list[dict[str, Any]], lang: str) -> str | None:
    """The turn's decisions as sentences; None when none of them says anything to the user."""
    lines: list[str] = []
    for d in decisions:
        kind = d.get("type")
        if kind == "order_status":
            lines.append(order_status(d, lang))
        elif kind == "reroute_proposal":
            node = d.get("recommended_node")
            recommended = _say("recommended", lang, node=node) if node else ""
            lines.append(_say("proposal", lang, order_id=d.get("order_id"),
                              count=len(d.get("options") or []), recommended=recommended))
        elif kind == "reroute_executed":
            # what changed, in words a customer reads: never a tool name or a principal label
            what = _DONE.get(str(d.get("action")), _DONE[""])
            lines.append(_say("executed", lang, order_id=d.get("order_id"), what=what.get(lang, what["en"])))
        elif kind == "policy_answer":
            lines.append(_say("policy", lang, citations=", ".join(d.get("citations") or [])))
        elif kind == "risk_flag":
            where = " " + " / ".join(str(x) for x in (d.get("order_id"), d.get("node_id"),
                                                       fmt_date(d["day"], lang) if d.get("day") else None) if x)
            lines.append(_say("risk", lang, where=where if where.strip() else "", reason=d.get("reason")))
        elif kind == "analytics_result":
            lines.append(_say("analytics", lang, metric=d.get("metric"), rows=len(d.get("rows") or [])))
        elif kind == "availability":
            lines.append(_say("availability", lang, sku=d.get("sku"), total=d.get("total_atp")))
        elif kind in ("refusal", "handoff") and d.get("message"):
            lines.append(str(d["message"]))
    return " ".join(line for line in lines if line) or None
