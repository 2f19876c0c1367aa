"""Planner: intent + entities + dialogue state + the bound tools → tool calls or a reply.

It only ever names tools the model was bound with (the graph binds the role's tool set), and
it shapes arguments to the tool's JSON schema (unknown keys dropped, enum values matched).
"""

from __future__ import annotations

import re
from typing import Any

from agent.offline import self_service
from agent.offline.dialogue import ORDER_INTENTS, Context, Turn, call_key, open_orders
from agent.offline.intent_names import Intent
from agent.offline.nlu_model import ALSO_MIN, get_model, masked
from agent.offline.normalise import normalise
from agent.offline.planner_types import Calls, Reply, Tools, fit_args

__all__ = ["Calls", "Reply", "Tools", "fit_args", "plan_turn", "next_step", "resolve_intent", "target_orders"]


def _calls(ctx: Context, tools: Tools, *pairs: tuple[str, dict[str, Any]]) -> Calls:
    return Calls([(name, fit_args(name, args, tools)) for name, args in pairs])


def target_orders(ctx: Context) -> list[str]:
    """The order(s) this turn is about: named, referred to ("the other one"), or the last one."""
    assert ctx.turn is not None
    ent = ctx.turn.entities
    if ent.order_ids:
        return list(ent.order_ids)
    if ctx.turn.chosen_kind == "order" and ctx.turn.chosen:
        return [ctx.turn.chosen["order_id"]]  # "the one going to Monterrey"
    pool = ctx.listed_orders or ctx.order_ids
    if ent.ref in ("first", "second", "last") and pool:
        index = {"first": 0, "second": 1, "last": -1}[ent.ref]
        return [pool[index]] if len(pool) > abs(index) - (index < 0) else []
    if ent.ref == "other" and ctx.order_ids:
        others = [o for o in (ctx.listed_orders + ctx.order_ids) if o != ctx.order_ids[-1]]
        return [others[-1]] if others else []
    if ctx.order_scope:
        return [ctx.order_scope]
    return ctx.order_ids[-1:]


def resolve_intent(ctx: Context) -> Intent:
    """The intent after dialogue context: answers to questions and bare follow-ups."""
    assert ctx.turn is not None
    turn, ent = ctx.turn, ctx.turn.entities
    intent = turn.nlu.intent
    if turn.pending == "identifier" and turn.chosen_kind == "customer":
        return Intent.customer_lookup  # "the Garza one" answers "which of these customers?"
    answering = turn.pending in ("order_id", "which_order") and (ent.order_ids or ent.ref or turn.chosen)
    if answering and intent in (Intent.where_is_order, Intent.out_of_scope, Intent.approve):
        return turn.pending_intent or Intent.where_is_order
    if ent.order_ids and _bare_identifier(turn) and (answering or turn.prev_intent in ORDER_INTENTS):
        # "Es el PO-5001" / "it's PO-5001": which order, and nothing else: the question goes on
        return turn.pending_intent or (turn.prev_intent if turn.prev_intent in ORDER_INTENTS else Intent.where_is_order)
    if answering and turn.chosen and len(turn.text.split()) <= _ELLIPSIS_WORDS:
        # "the one going to Monterrey" answers "which one?" whatever its words read as alone
        return turn.pending_intent or (turn.prev_intent if turn.prev_intent in ORDER_INTENTS else Intent.where_is_order)
    if intent == Intent.out_of_scope and (ent.ref or ent.order_ids) and turn.prev_intent in ORDER_INTENTS:
        return turn.prev_intent
    if ent.ref and len(turn.text.split()) <= _ELLIPSIS_WORDS and turn.prev_intent in ORDER_INTENTS \
            and intent not in ORDER_INTENTS and intent not in (Intent.approve, Intent.reject):
        return turn.prev_intent  # "and the other one?": the same question about another order
    if _follows_up_on_order(ctx, intent) and turn.prev_intent is not None:  # it follows an order intent
        return turn.prev_intent  # "and which carrier?" after "where is PO-5001?"
    if turn.prev_intent == Intent.risk_scan and intent in (Intent.analytics, Intent.out_of_scope) and not ent.metric \
            and len(turn.text.split()) <= _ELLIPSIS_WORDS:
        return Intent.risk_scan  # "¿y en qué nodo?" / "and which ones?" after a risk answer asks more of it
    if intent == Intent.out_of_scope and ent.dimensions and turn.prev_intent == Intent.analytics:
        return Intent.analytics
    if _restates_offer(turn, intent):
        return Intent.approve
    return intent


#: A reference this short says nothing new but which order: it continues the previous question.
_ELLIPSIS_WORDS = 5
#: Function words (articles, copulas, pronouns, "number", "order"): a reply made of an order number
#: and only these says which order and nothing else, whatever the model reads in it alone.
_FUNCTION_WORDS = frozenset("""es el la lo un una este esta ese esa eso de del mi numero num no pedido orden
    it its is the a an this that one my number nr order""".split())


def _bare_identifier(turn: Turn) -> bool:
    """Whether the message is an order number with function words only (no customer identifier)."""
    ent = turn.entities
    if ent.emails or ent.phones or ent.customer_ids:
        return False
    words = [w for w in normalise(masked(turn.text)).split() if not any(ch.isdigit() for ch in w)]
    return len(words) <= 4 and all(w in _FUNCTION_WORDS for w in words)
#: Intents only staff are served: a shopper's words never mean an ops report or a customer search.
_STAFF_ONLY = frozenset({Intent.analytics, Intent.risk_scan, Intent.customer_lookup})


def _follows_up_on_order(ctx: Context, intent: Intent) -> bool:
    """A short fragment after a question about an order, that alone reads as nothing this user
    is served ("and which carrier?" reads as an ops report by carrier; "y eso?" as nothing), is a
    follow-up about the same order: ellipsis, resolved by the conversation rather than the words."""
    assert ctx.turn is not None
    turn = ctx.turn
    if turn.prev_intent not in ORDER_INTENTS or not ctx.order_ids or len(turn.text.split()) > _ELLIPSIS_WORDS:
        return False
    if turn.pending is not None:
        return False
    unserved = intent in _STAFF_ONLY and ctx.role in ("customer", "anonymous", None)
    vague = intent == Intent.out_of_scope and turn.nlu.topic in (None, "other")
    return unserved or vague or turn.nlu.unsure
#: The intent a pending action carries out ("yes, switch it to pickup" restates the offer).
_ACTION_INTENT = {"convert_to_pickup": Intent.pickup_conversion, "execute_reroute": Intent.reroute}


def _restates_offer(turn: Any, intent: Intent) -> bool:
    """Consent said by naming the offer: the reading is the offered action and assent is read too."""
    action = turn.pending_action
    if turn.pending != "confirm" or not action or _ACTION_INTENT.get(action["tool"]) != intent:
        return False
    scores = turn.nlu.scores
    if scores.get(Intent.approve, 0.0) >= 0.05 and scores.get(Intent.approve, 0.0) > scores.get(Intent.reject, 0.0):
        return True
    # "Sí, cámbialo a recoger en tienda": the first clause alone is the assent
    head, *rest = re.split(r"[,;.!—–]", turn.text, maxsplit=1)
    if not rest or not head.strip():
        return False
    reading = get_model().read(head, None)
    return reading.intent == Intent.approve and reading.confidence >= 0.5


def _order_plan(ctx: Context, tools: Tools, intent: Intent) -> Calls | Reply:
    tool = {Intent.pickup_conversion: "propose_pickup", Intent.reroute: "propose_reroute"}.get(intent, "get_order_status")
    if tool not in tools:
        if intent == Intent.reroute and "request_handoff" in tools:
            orders = target_orders(ctx)
            summary = f"Customer asks to ship {orders[0] if orders else 'their order'} from another node."
            return _calls(ctx, tools, ("request_handoff", {"reason": "reroute_request", "summary": summary}))
        key = "refusal_verify" if tool == "get_order_status" else "refusal_tool"
        return Reply(key, "refusal", {"intent": intent})
    orders = target_orders(ctx)
    if orders:
        return _calls(ctx, tools, *[(tool, {"order_id": o}) for o in orders[:3]])
    if "list_my_orders" in tools and ctx.role != "anonymous":
        return _calls(ctx, tools, ("list_my_orders", {}))
    return Reply("ask_order_id", "clarification", pending="order_id", pending_intent=intent)


#: Customer self-service requests without write tools yet: answered from the policy library and
#: handed to a person with the intent as the reason.
SELF_SERVICE = frozenset({
    Intent.cancel_order, Intent.change_address, Intent.start_return, Intent.exchange_item, Intent.refund_status, Intent.report_claim,
    Intent.complaint, Intent.data_request,
})
#: Readings that cannot be offered as "did you mean …?".
_NOT_OFFERED = frozenset({Intent.approve, Intent.reject, Intent.out_of_scope, Intent.greeting, Intent.thanks})


def _unsure(ctx: Context, intent: Intent) -> Reply | None:
    """Ask, offering the two best readings, when the model's best reading is a guess."""
    assert ctx.turn is not None
    nlu = ctx.turn.nlu
    if not nlu.unsure or intent != nlu.intent or ctx.turn.pending is not None:
        return None
    if intent in _NOT_OFFERED or nlu.runner_up in _NOT_OFFERED or nlu.runner_up is None:
        return None
    return Reply("ask_reading", "clarification", {"a": intent, "b": nlu.runner_up}, pending="reading")


def _self_service(ctx: Context, tools: Tools, intent: Intent) -> Calls | Reply:
    """The named order's facts and the policy now; the person is queued in phase 2 (``next_step``)
    once the order turned out to be one this user may see."""
    assert ctx.turn is not None
    pairs: list[tuple[str, dict[str, Any]]] = []
    if "get_order_status" in tools:
        pairs += [("get_order_status", {"order_id": o}) for o in ctx.turn.entities.order_ids[:1]]
    if "search_policies" in tools:
        pairs.append(("search_policies", {"query": ctx.turn.text.strip()}))
    if pairs:
        return _calls(ctx, tools, *pairs)
    if "request_handoff" in tools:
        return _calls(ctx, tools, ("request_handoff", {"reason": intent, "summary": _summary(ctx)}))
    return Reply("refusal_tool", "refusal", {"intent": intent})


def _with_also(ctx: Context, tools: Tools, step: Calls | Reply) -> Calls | Reply:
    """Add the calls that answer the message's other intents ("late again — do I get anything?")."""
    assert ctx.turn is not None
    if not isinstance(step, Calls):
        return step
    named = {name for name, _ in step.calls}
    extra: list[tuple[str, dict[str, Any]]] = []
    for other in ctx.turn.nlu.also:
        if (other == Intent.policy_question or other in SELF_SERVICE) and "search_policies" in tools \
                and "search_policies" not in named:
            extra.append(("search_policies", {"query": ctx.turn.text.strip()}))
            named.add("search_policies")
        elif other in (Intent.where_is_order, Intent.order_late) and "get_order_status" in tools \
                and "get_order_status" not in named:
            extra += [("get_order_status", {"order_id": o}) for o in target_orders(ctx)[:1]]
            named.add("get_order_status")
    return Calls(step.calls + [(name, fit_args(name, args, tools)) for name, args in extra])


def plan_turn(ctx: Context, tools: Tools) -> Calls | Reply:
    """Phase 1: what to do about the latest human message."""
    return _with_also(ctx, tools, _plan_main(ctx, tools))


def _plan_main(ctx: Context, tools: Tools) -> Calls | Reply:
    assert ctx.turn is not None
    turn, ent = ctx.turn, ctx.turn.entities
    intent = resolve_intent(ctx)
    if self_service.asks_about_address(ctx, intent):
        intent = Intent.where_is_order  # "what's the delivery address of PO-1?": the order's facts
    acting = self_service.plan(ctx, tools, intent, target_orders(ctx))  # cancel, return, claim, …
    if acting is not None:
        return acting
    asking = _unsure(ctx, intent)
    if asking is not None:
        return asking
    if intent in SELF_SERVICE:
        return _self_service(ctx, tools, intent)
    if _order_and_policy(ctx, tools, intent):
        # "can I still return PO-5004?": the order's facts (return window) and the policy
        return _calls(ctx, tools, *[("get_order_status", {"order_id": o}) for o in ent.order_ids[:3]],
                      ("search_policies", {"query": turn.text.strip()}))
    action = turn.pending_action
    if (action and action["tool"] == "convert_to_pickup" and ent.node_ids
            and intent in (Intent.approve, Intent.pickup_conversion)):
        # "yes, at Tienda Satélite [CDMX-STORE-04]": the store the shopper chose among the
        # proposed ones, not the recommended one (the domain checks it can take the order)
        intent = Intent.approve
        action = {**action, "args": {**action["args"], "node_id": ent.node_ids[0]}}
    if intent in ORDER_INTENTS:
        return _order_plan(ctx, tools, intent)
    if intent == Intent.approve and turn.pending == "offer_handoff" and "request_handoff" in tools:
        return _calls(ctx, tools, ("request_handoff", {"reason": "out_of_scope", "summary": _summary(ctx)}))
    if intent == Intent.approve:
        if not action:
            return Reply("nothing_pending", "info")
        if action["tool"] not in tools:
            return Reply("refusal_approve", "refusal")
        return _calls(ctx, tools, (action["tool"], action["args"]))
    if intent == Intent.reject:
        return Reply("rejected" if turn.pending_action else "anything_else", "info")
    simple = {
        Intent.list_my_orders: ("list_my_orders", {}),
        Intent.policy_question: ("search_policies", {"query": turn.text.strip()}),
        Intent.handoff: ("request_handoff", {"reason": "user_request", "summary": _summary(ctx)}),
    }
    if intent in simple:
        name, args = simple[intent]
        return _calls(ctx, tools, (name, args)) if name in tools else Reply("refusal_tool", "refusal", {"intent": intent})
    if intent == Intent.customer_lookup:
        return _lookup_plan(ctx, tools)
    if intent == Intent.risk_scan:
        if "scan_risk" not in tools:
            return Reply("refusal_tool", "refusal", {"intent": intent})
        start, days = None, 7
        if ent.dates:
            # risk lies ahead: "this week" starts today, not last Monday
            today = ctx.now.date() if ctx.now else ent.dates.start
            start = max(ent.dates.start, today)
            days = max((ent.dates.end - start).days + 1, 1)
        return _calls(ctx, tools, ("scan_risk", {
            "start": start.isoformat() if start else None, "days": days, "node_ids": ent.node_ids or None}))
    if intent == Intent.analytics:
        if "run_analytics" not in tools:
            return Reply("refusal_tool", "refusal", {"intent": intent})
        metric = ent.metric or ent.metric_hint
        if not metric:
            return Reply("ask_metric", "clarification", pending="metric", pending_intent=intent)
        # "by carrier" → "which metric?" → "on-time rate": the answer completes the question
        prev = turn.prev_entities if turn.pending == "metric" else None
        dims = ent.dimensions or (prev.dimensions if prev else [])
        dates = ent.dates or (prev.dates if prev else None)
        return _calls(ctx, tools, ("run_analytics", {
            "metric": metric, "dimensions": dims, "filters": {},
            "start": dates.start.isoformat() if dates else None,
            "end": dates.end.isoformat() if dates else None}))
    if intent == Intent.availability:
        if "check_availability" not in tools:
            return Reply("refusal_tool", "refusal", {"intent": intent})
        if not ent.skus:
            return Reply("ask_sku", "clarification", pending="sku", pending_intent=intent)
        city = ent.cities[0] if ent.cities else None
        return _calls(ctx, tools, *[("check_availability", {"sku": s, "city": city}) for s in ent.skus[:3]])
    if intent in (Intent.greeting, Intent.thanks):
        return Reply(intent, intent)
    topic = turn.nlu.topic
    if topic and topic != "other" and "request_handoff" in tools:
        return Reply("out_of_scope_topic", "out_of_scope", {"topic": topic}, pending="offer_handoff")
    return Reply("out_of_scope", "out_of_scope")




def _order_and_policy(ctx: Context, tools: Tools, intent: Intent) -> bool:
    """A named order asked about together with a policy topic, by a role that may read both.

    The policy side counts when the readings that a policy answers (policy questions and the
    self-service requests) together hold a second intent's share of the probability.
    """
    assert ctx.turn is not None
    scores = ctx.turn.nlu.scores
    policy_mass = sum(scores.get(i, 0.0) for i in (Intent.policy_question, *SELF_SERVICE))
    return (
        bool(ctx.turn.entities.order_ids)
        and intent in (Intent.where_is_order, Intent.policy_question)
        and (Intent.policy_question in ctx.turn.nlu.also or policy_mass >= ALSO_MIN)
        and "get_order_status" in tools
        and "search_policies" in tools
    )


def _lookup_plan(ctx: Context, tools: Tools) -> Calls | Reply:
    assert ctx.turn is not None
    ent = ctx.turn.entities
    if ent.customer_ids and "get_customer_profile" in tools:
        return _calls(ctx, tools, ("get_customer_profile", {"customer_id": ent.customer_ids[0]}))
    if ctx.turn.chosen_kind == "customer" and ctx.turn.chosen and "get_customer_profile" in tools:
        return _calls(ctx, tools, ("get_customer_profile", {"customer_id": ctx.turn.chosen["customer_id"]}))
    identifier = (ent.emails + ent.phones + ent.names + ent.order_ids + ent.customer_ids)[:1]
    if "find_customer" not in tools:
        return Reply("refusal_tool", "refusal", {"intent": Intent.customer_lookup})
    if not identifier:
        return Reply("ask_identifier", "clarification", pending="identifier", pending_intent=Intent.customer_lookup)
    return _calls(ctx, tools, ("find_customer", {"identifier": identifier[0]}))


def _summary(ctx: Context) -> str:
    assert ctx.turn is not None
    orders = ", ".join(ctx.order_ids[-3:]) or "none"
    return f"User asked for a person ({ctx.lang}). Orders discussed: {orders}. Last message: {ctx.turn.text[:200]}"


def next_step(ctx: Context, tools: Tools) -> Calls | None:
    """Phase 2: chain another tool when a result calls for it (lookup → profile, list → status)."""
    if not ctx.results or ctx.turn is None:
        return None
    last = ctx.results[-1]
    intent = resolve_intent(ctx)
    if self_service.owns(ctx, tools, intent):
        return self_service.next_step(ctx, tools, intent)
    if intent in SELF_SERVICE and "request_handoff" in tools and all(r.ok for r in ctx.results) \
            and not any(r.name == "request_handoff" for r in ctx.results):
        # no write tool for this request yet: a person takes it, with the intent as the reason
        return _fresh(ctx, tools, "request_handoff", {"reason": intent, "summary": _summary(ctx)})
    if not last.ok:
        return _status_instead(ctx, tools, last)
    if last.name == "find_customer" and "get_customer_profile" in tools:
        rows = last.result.get("matches", []) if isinstance(last.result, dict) else last.result
        if isinstance(rows, list) and len(rows) == 1 and isinstance(rows[0], dict) and rows[0].get("customer_id"):
            return _fresh(ctx, tools, "get_customer_profile", {"customer_id": rows[0]["customer_id"]})
    # the listing may not be the last result: a second intent's policy search can follow it
    listing = next((r for r in reversed(ctx.results) if r.name == "list_my_orders" and r.ok), None)
    if listing is not None and intent in ORDER_INTENTS:
        rows = open_orders(listing.result)
        if len(rows) == 1 and rows[0].get("order_id"):
            tool = {Intent.pickup_conversion: "propose_pickup", Intent.reroute: "propose_reroute"}.get(intent, "get_order_status")
            if tool in tools:
                return _fresh(ctx, tools, tool, {"order_id": rows[0]["order_id"]})
        if not rows and intent in _CHANGE_INTENTS and "search_policies" in tools:
            # nothing open to change: how the service works is what is left to answer
            # ("who can collect a pickup order?" from a customer with no open order)
            return _fresh(ctx, tools, "search_policies", {"query": ctx.turn.text.strip()})
    return None


#: Order intents that ask to change how an order is fulfilled.
_CHANGE_INTENTS = frozenset({Intent.pickup_conversion, Intent.reroute})


#: Proposals the domain refuses for what the order already is (picked, shipped, already a pickup).
_PROPOSALS = frozenset({"propose_pickup", "propose_reroute"})


def _status_instead(ctx: Context, tools: Tools, failed: Any) -> Calls | None:
    """A change the order cannot take is answered with where the order stands: "can I pick up
    PO-5003 today?" about an order already waiting at a store is a status question, and the
    domain's refusal to propose says so; nothing is offered that the order cannot do."""
    order_id = failed.args.get("order_id")
    if failed.name not in _PROPOSALS or failed.error.get("code") != "policy_violation" or not order_id \
            or "get_order_status" not in tools:
        return None
    return _fresh(ctx, tools, "get_order_status", {"order_id": order_id})


def _fresh(ctx: Context, tools: Tools, name: str, args: dict[str, Any]) -> Calls | None:
    """A call unless the very same call was already made this turn (no loops)."""
    args = fit_args(name, args, tools)
    return None if call_key(name, args) in ctx.called else Calls([(name, args)])
