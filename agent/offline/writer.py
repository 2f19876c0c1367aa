"""Writer: final answers from tool results only (rule 1), in the conversation's language.

Each tool result is phrased by its own function; results are plain JSON dicts whose shape may
grow, so every field is read with ``.get`` and a missing field only drops its sentence.
"""

from __future__ import annotations

from typing import Any

from agent.offline import explain, self_service, writer_actions, writer_ops
from agent.offline.dialogue import Context, ToolResult, open_orders
from agent.offline.fmt import as_date, fmt_date
from agent.offline.intent_names import Intent
from agent.offline.phrases import (
    INTENT_LABELS,
    STATUS,
    TOPIC_LABELS,
    TRACKING,
    label,
    say,
)
from agent.offline.planner import Reply

_NOT_SHIPPED = frozenset({"created", "allocated", "picking", "packed"})


def _d(data: Any) -> dict[str, Any]:
    return data if isinstance(data, dict) else {}


def order_status(data: dict[str, Any], lang: str) -> str:
    """Status, ETA against the promise, the late reason, carrier and tracking, pickup/returns.

    The reason is phrased from the structured fields (``explain.late_reason``), never from the
    record's English ``reason_detail``.
    """
    parts = [say("status_line", lang, order_id=data.get("order_id", "?"),
                 status=label(STATUS, data.get("status", "?"), lang))]
    if data.get("carrier") and data.get("status") in _NOT_SHIPPED:
        parts.append(say("carrier_planned", lang, carrier=data["carrier"]))
    elif data.get("carrier") and data.get("status") not in ("delivered", "picked_up", "ready_for_pickup"):
        tracking = say("tracking", lang, number=data["tracking_number"]) if data.get("tracking_number") else ""
        parts.append(say("carrier", lang, carrier=data["carrier"], tracking=tracking))
    promised = fmt_date(data["promised_date"], lang) if data.get("promised_date") else None
    eta = fmt_date(data["eta"], lang) if data.get("eta") else None
    reason = explain.late_reason(data, lang)
    status = data.get("status")
    if status == "ready_for_pickup" and data.get("pickup_hold_until"):
        parts.append(say("pickup_ready", lang, node=data.get("pickup_node_id") or data.get("pickup_store") or data.get("node_id") or "?",
                         until=fmt_date(data["pickup_hold_until"], lang)))
    elif status in ("delivered", "picked_up"):
        if data.get("return_window_ends"):
            parts.append(say("delivered_return", lang, until=fmt_date(data["return_window_ends"], lang)))
    elif eta and promised:
        if data.get("late"):
            parts += [say("eta_late", lang, promised=promised, eta=eta), reason or "", say("late_offer", lang)]
        elif data.get("at_risk"):
            parts += [say("eta_at_risk", lang, promised=promised, eta=eta), reason or ""]
        else:
            parts.append(say("eta_on_time", lang, promised=promised, eta=eta))
    elif promised:
        parts.append(say("promised_only", lang, promised=promised))
    if status not in ("delivered", "picked_up", "ready_for_pickup") and not (reason and reason in parts):
        # a late order's reason already tells its latest scan; otherwise the last scan is news
        parts.append(_last_scan(data, lang))
    told = _notice(data, lang)
    if told and say("late_offer", lang) in parts:
        parts.remove(say("late_offer", lang))  # the notice already says what they may choose
    return " ".join(p for p in [*parts, told] if p)


def _notice(data: dict[str, Any], lang: str) -> str:
    """The notice the customer already got about this order, so the answer continues from it."""
    note = _d(data.get("notice"))
    if not note.get("sent_on") or data.get("status") in ("delivered", "picked_up", "cancelled"):
        return ""
    sent = fmt_date(note["sent_on"], lang)
    kind = note.get("kind")
    if kind == "pickup_offer" and note.get("offer_open") and note.get("store_name"):
        ready = fmt_date(note["pickup_ready"], lang) if note.get("pickup_ready") else "?"
        return say("notice_offer", lang, sent=sent, store=note["store_name"], ready=ready)
    if kind == "saved":
        return say("notice_saved", lang, sent=sent)
    if kind == "pickup_reminder":
        return say("notice_reminder", lang, sent=sent)
    if kind in ("delay", "pickup_offer"):  # the ETA sentence above gives today's date
        return say("notice_delay", lang, sent=sent)
    return ""


def _last_scan(data: dict[str, Any], lang: str) -> str:
    """The latest carrier scan with a localised label; the carrier's own note quoted as written."""
    steps = [s for s in data.get("timeline") or [] if isinstance(s, dict) and s.get("type") and s.get("occurred_at")]
    if not steps:
        return ""
    last = max(steps, key=lambda s: str(s["occurred_at"]))
    where = say("scan_where", lang, place=last["location"]) if last.get("location") else ""
    text = say("last_scan", lang, what=label(TRACKING, last["type"], lang), where=where,
               day=fmt_date(str(last["occurred_at"])[:10], lang))
    return f"{text} {say('carrier_note', lang, note=last['reason'])}" if last.get("reason") else text


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
    key = "orders_open" if ask_which else "orders_all"
    text = say(key if len(rows) != 1 else f"{key}_one", lang, n=len(rows), items=items)
    if ask_which and len(rows) > 1:
        return f"{text} {say('which_order', lang)}", True
    return text, False


def proposal(res: ToolResult, lang: str, staff: bool = True) -> tuple[str, bool]:
    """A reroute or pickup proposal in words; asks for approval when there is an option.

    Says where from (node id), when it leaves and arrives, whether that meets the promise and,
    for staff, the cost difference and a short why. Option ids and the tool's English ``reason``
    prose stay out of the answer.
    """
    data = _d(res.result)
    order_id = data.get("order_id") or res.args.get("order_id", "?")
    options = [o for o in data.get("options") or [] if isinstance(o, dict)]
    rec_id = data.get("recommended_option_id")
    rec = next((o for o in options if o.get("option_id") == rec_id), None)
    pickup = res.name == "propose_pickup"
    if rec is None and pickup and (options or data.get("node_id")):
        rec = options[0] if options else data
    if rec is None:
        return say("reroute_none", lang, order_id=order_id, reason=explain.why_none(data, lang, pickup)), False
    nodes = rec.get("nodes") or [rec.get("node_id") or data.get("recommended_node") or "?"]
    node = ", ".join(str(n) for n in nodes)
    is_pickup = rec.get("kind") == "pickup" or pickup
    what = say("pickup_at" if is_pickup else "ship_from", lang, node=node)
    eta = fmt_date(rec.get("eta", "?"), lang)
    ship_day = explain.option_ship_day(rec)
    if is_pickup:
        when = say("when_ready", lang, eta=eta)
    elif ship_day and as_date(ship_day) != as_date(rec.get("eta")):
        when = say("when_leaves", lang, day=fmt_date(ship_day, lang), eta=eta)
    else:
        when = say("when_arrives", lang, eta=eta)
    promised = data.get("promised_date")
    meets = rec.get("meets_promise")
    parts = [say("reroute_rec", lang, order_id=order_id, what=what, when=when,
                 meets=say("meets" if meets or meets is None else "misses", lang),
                 promised=fmt_date(promised, lang) if promised else "-")]
    if staff:
        parts.append(say("cost", lang, cost=explain.cost(rec)))
        why = explain.proposal_why(data, lang)
        if why:
            parts.append(say("why", lang, reason=why))
    parts.append(say("ask_approve", lang))
    return " ".join(parts), True


def executed(res: ToolResult, lang: str) -> str:
    """An executed reroute or pickup conversion in words: where it goes now and the new ETA."""
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
    if code == "rejected":  # a person said no: that is an answer, not a failure on our side
        return say("rejected", lang)
    if code in ("forbidden", "conflict", "policy_violation"):
        return say(f"err_{code}", lang, message=str(res.error.get("message") or "").strip())
    return say("err_other", lang)


def _answered_later(ctx: Context, listing: ToolResult, intent: Intent) -> bool:
    """A lookup of the only open order, made to answer about it: its answer says it all."""
    if intent == Intent.list_my_orders:
        return False
    rows = open_orders(listing.result)
    later = ctx.results[ctx.results.index(listing) + 1:]
    if not rows and intent in (Intent.pickup_conversion, Intent.reroute):
        # nothing open to change, so the policy chained after the listing is the answer
        return any(r.ok and r.name == "search_policies" for r in later)
    return len(rows) == 1 and any(r.ok and r.args.get("order_id") == rows[0].get("order_id") for r in later)


def _status_followed(ctx: Context, failed: ToolResult) -> dict[str, Any] | None:
    """The status of the same order that answers a refused proposal (planner ``_status_instead``),
    if any: the status says what the order is, so the refusal is one plain sentence at most."""
    if failed.name not in ("propose_pickup", "propose_reroute") or failed.error.get("code") != "policy_violation":
        return None
    later = ctx.results[ctx.results.index(failed) + 1:]
    return next((_d(r.result) for r in later if r.ok and r.name == "get_order_status"
                 and r.args.get("order_id") == failed.args.get("order_id")), None)


def write(ctx: Context, intent: Intent) -> tuple[str, str | None]:
    """The final answer for this turn's results, and the pending question it leaves (if any)."""
    lang, parts, pending = ctx.lang, [], None
    for res in ctx.results:
        if not res.ok and (status := _status_followed(ctx, res)) is not None:
            if not (res.name == "propose_pickup" and status.get("fulfillment_type") == "pickup"):
                # an order already waiting at a store needs no "can't switch": its status is the answer
                parts.append(say("cannot_change_now", lang, order_id=res.args["order_id"]))
            continue
        if not res.ok:
            parts.append(error(res, lang))
            continue
        data = res.result
        if res.name == "get_order_status":
            parts.append(order_status(_d(data), lang))
        elif res.name == "list_my_orders":
            text, asking = order_list(data, lang, ask_which=intent != Intent.list_my_orders)
            if not _answered_later(ctx, res, intent):
                parts.append(text)
            pending = "which_order" if asking else pending
        elif res.name in ("propose_reroute", "propose_pickup"):
            text, asking = proposal(res, lang, staff=ctx.role in ("support", "ops"))
            parts.append(text)
            pending = "confirm" if asking else pending
        elif res.name in ("execute_reroute", "convert_to_pickup"):
            parts.append(executed(res, lang))
        elif res.name in writer_actions.TOOLS:
            parts.append(writer_actions.write_result(res, lang, staff=ctx.role in ("support", "ops")))
        elif res.name == "request_handoff":
            ref = _d(data).get("handoff_id")
            parts.append(say("handoff", lang, ref=say("handoff_ref", lang, id=ref) if ref else ""))
        else:
            text, question = writer_ops.write_result(res, lang)
            parts.append(text)
            pending = question or pending
    offer = writer_actions.visitor_offer(ctx.role, intent in self_service.INTENTS, lang)
    if offer and pending is None:
        parts.append(offer)
        pending = "offer_handoff"
    return "\n\n".join(p for p in parts if p), pending


def reply(r: Reply, lang: str) -> str:
    """The sentence for a text-only reply (intent and topic names shown in the user's words)."""
    asked = writer_actions.reply(r.key, lang)
    if asked is not None:
        return asked
    params = dict(r.params)
    if r.key == "ask_reading":
        params = {k: label(INTENT_LABELS, params[k], lang) for k in ("a", "b")}
    elif r.key == "out_of_scope_topic":
        params["topic"] = label(TOPIC_LABELS, params.get("topic"), lang)
    return say(r.key, lang, **params)
