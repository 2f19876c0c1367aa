"""Writer: final answers from tool results only (rule 1), in the conversation's language.

Each tool result is phrased by its own function; results are plain JSON dicts whose shape may
grow, so every field is read with ``.get`` and a missing field only drops its sentence.
"""

from __future__ import annotations

from typing import Any

from agent.offline import writer_ops
from agent.offline.dialogue import Context, ToolResult, open_orders
from agent.offline.fmt import fmt_date, fmt_money
from agent.offline.phrases import REASON, STATUS, label, say
from agent.offline.planner import Reply


def _d(data: Any) -> dict[str, Any]:
    return data if isinstance(data, dict) else {}


def order_status(data: dict[str, Any], lang: str) -> str:
    """Status, ETA against the promise, the late reason, carrier and tracking, pickup/returns."""
    parts = [say("status_line", lang, order_id=data.get("order_id", "?"),
                 status=label(STATUS, data.get("status", "?"), lang))]
    if data.get("carrier") and data.get("status") not in ("delivered", "picked_up", "ready_for_pickup"):
        tracking = say("tracking", lang, number=data["tracking_number"]) if data.get("tracking_number") else ""
        parts.append(say("carrier", lang, carrier=data["carrier"], tracking=tracking))
    promised = fmt_date(data["promised_date"], lang) if data.get("promised_date") else None
    eta = fmt_date(data["eta"], lang) if data.get("eta") else None
    reason = label(REASON, data["reason"], lang) if data.get("reason") else None
    if reason and data.get("reason_detail"):
        reason = f"{reason} ({data['reason_detail']})"
    status = data.get("status")
    if status == "ready_for_pickup" and data.get("pickup_hold_until"):
        parts.append(say("pickup_ready", lang, node=data.get("pickup_node_id") or data.get("node_id") or "?",
                         until=fmt_date(data["pickup_hold_until"], lang)))
    elif status in ("delivered", "picked_up"):
        if data.get("return_window_ends"):
            parts.append(say("delivered_return", lang, until=fmt_date(data["return_window_ends"], lang)))
    elif eta and promised:
        if data.get("late"):
            parts.append(say("eta_late", lang, promised=promised, eta=eta, reason=reason or "?"))
            parts.append(say("late_offer", lang))
        elif data.get("at_risk"):
            parts.append(say("eta_at_risk", lang, promised=promised, eta=eta, reason=reason or "?"))
        else:
            parts.append(say("eta_on_time", lang, promised=promised, eta=eta))
    elif promised:
        parts.append(say("promised_only", lang, promised=promised))
    return " ".join(parts)


def order_list(result: Any, lang: str, ask_which: bool) -> tuple[str, bool]:
    """The open orders; asks which one when the turn needs a single order."""
    rows = open_orders(result)
    if not ask_which:  # a listing shows every order, open ones first (closed ones are history)
        every = result.get("orders", []) if isinstance(result, dict) else result
        every = [r for r in every if isinstance(r, dict)] if isinstance(every, list) else []
        rows = rows + [r for r in every if r not in rows]
    if not rows:
        return say("orders_none", lang), False
    items = "; ".join(
        say("order_item", lang, order_id=r.get("order_id", "?"), status=label(STATUS, r.get("status", "?"), lang),
            promised=fmt_date(r.get("promised_date"), lang))
        for r in rows
    )
    text = say("orders_open" if ask_which else "orders_all", lang, n=len(rows), items=items)
    if ask_which and len(rows) > 1:
        return f"{text} {say('which_order', lang)}", True
    return text, False


def proposal(res: ToolResult, lang: str) -> tuple[str, bool]:
    """A reroute or pickup proposal with its recommended option; asks for approval."""
    data = _d(res.result)
    order_id = data.get("order_id") or res.args.get("order_id", "?")
    options = [o for o in data.get("options") or [] if isinstance(o, dict)]
    rec_id = data.get("recommended_option_id")
    rec = next((o for o in options if o.get("option_id") == rec_id), None)
    if rec is None and res.name == "propose_pickup" and (options or data.get("node_id")):
        rec = options[0] if options else data
    if rec is None:
        return say("reroute_none", lang, order_id=order_id, reason=data.get("reason") or data.get("problem") or "-"), False
    nodes = rec.get("nodes") or [rec.get("node_id") or data.get("recommended_node") or "?"]
    node = ", ".join(str(n) for n in nodes)
    what = say("pickup_at" if rec.get("kind") == "pickup" or res.name == "propose_pickup" else "ship_from", lang, node=node)
    promised = data.get("promised_date")
    meets = rec.get("meets_promise")
    cost = rec.get("cost_delta_mxn", rec.get("cost_delta"))
    text = say("reroute_rec", lang, order_id=order_id, what=what, eta=fmt_date(rec.get("eta", "?"), lang),
               meets=say("meets" if meets or meets is None else "misses", lang),
               promised=fmt_date(promised, lang) if promised else "-",
               cost=fmt_money(cost) if cost is not None else "-")
    parts = [text]
    if data.get("reason"):
        parts.append(say("why", lang, reason=str(data["reason"]).rstrip(".")))
    parts.append(say("ask_approve", lang))
    return " ".join(parts), True


def executed(res: ToolResult, lang: str) -> str:
    data = _d(res.result)
    moved = [m for m in data.get("moved") or [] if isinstance(m, dict)]
    node = (moved[0].get("to_node") if moved else None) or res.args.get("node_id") or data.get("node_id") or "?"
    kind = "executed_what_pickup" if data.get("kind") == "pickup" or res.name == "convert_to_pickup" else "executed_what_ship"
    text = say("executed", lang, order_id=data.get("order_id") or res.args.get("order_id", "?"),
               what=say(kind, lang, node=node), eta=fmt_date(data.get("eta", "?"), lang))
    return f"{text} {say('executed_replayed', lang)}" if data.get("replayed") else text


def error(res: ToolResult, lang: str) -> str:
    """A safe sentence for a failed tool: never echoes what another customer's data might be."""
    code = res.error.get("code") or "internal_error"
    if code == "not_found":
        return say("err_not_found" if "order_id" in res.args else "err_not_found_other", lang)
    if code == "invalid_input":
        field = res.error.get("field")
        return say("err_invalid_input", lang, field=f" ({field})" if field else "")
    if code in ("forbidden", "conflict", "policy_violation"):
        return say(f"err_{code}", lang, message=str(res.error.get("message") or "").strip())
    return say("err_other", lang)


def write(ctx: Context, intent: str) -> tuple[str, str | None]:
    """The final answer for this turn's results, and the pending question it leaves (if any)."""
    lang, parts, pending = ctx.lang, [], None
    for res in ctx.results:
        if not res.ok:
            parts.append(error(res, lang))
            continue
        data = res.result
        if res.name == "get_order_status":
            parts.append(order_status(_d(data), lang))
        elif res.name == "list_my_orders":
            text, asking = order_list(data, lang, ask_which=intent != "list_my_orders")
            parts.append(text)
            pending = "which_order" if asking else pending
        elif res.name in ("propose_reroute", "propose_pickup"):
            text, asking = proposal(res, lang)
            parts.append(text)
            pending = "confirm" if asking else pending
        elif res.name in ("execute_reroute", "convert_to_pickup"):
            parts.append(executed(res, lang))
        elif res.name == "request_handoff":
            ref = _d(data).get("handoff_id")
            parts.append(say("handoff", lang, ref=say("handoff_ref", lang, id=ref) if ref else ""))
        else:
            text, asking = writer_ops.write_result(res, lang)
            parts.append(text)
            pending = asking or pending
    return "\n\n".join(p for p in parts if p), pending


def reply(r: Reply, lang: str) -> str:
    """The sentence for a text-only reply."""
    return say(r.key, lang, **r.params)
