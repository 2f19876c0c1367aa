"""Planning of the self-service requests: cancel, address change, return, exchange, refund
status, claims and complaints, through the READ proposal tools and then the WRITE tools.

Phase 1 (``plan``) reads the request's slots (``action_slots``) and calls the proposal tool, or
first the order's status when an item is named by a word and its line must be found. Phase 2
(``next_step``) turns an eligible proposal into the WRITE call with the same arguments: the
graph then pauses on ``interrupt()`` and the customer (their own order) or support answers the
approval card (DESIGN rule 4). Whether anything is allowed is the domain's answer, never ours:
an ineligible proposal is phrased with its reasons and nothing is asked.
"""

from __future__ import annotations

from typing import Any

from agent.offline import writer_actions
from agent.offline.action_slots import Slots, lines_named, read
from agent.offline.dialogue import Context, ToolResult, call_key
from agent.offline.intent_names import Intent
from agent.offline.planner_types import Calls, Reply, Tools, fit_args
from promesa.store.enums import CaseKind

#: intent → the READ tool that proposes it and the WRITE tool that carries it out
PROPOSE = {
    Intent.cancel_order: ("propose_cancel", "cancel_order"),
    Intent.change_address: ("propose_address_change", "change_address"),
    Intent.start_return: ("propose_return", "start_return"),
    Intent.exchange_item: ("propose_exchange", "exchange_item"),
    Intent.report_claim: ("propose_claim", "open_claim"),
}
WRITE_OF = {read_tool: write for read_tool, write in PROPOSE.values()}
WRITES = frozenset({*WRITE_OF.values(), "file_complaint"})
INTENTS = frozenset({*PROPOSE, Intent.refund_status, Intent.complaint})
OWN_TOOLS = frozenset({*WRITE_OF, *WRITES, "get_refund_status"})
#: Questions this module asks; the next message answers them for the same request.
ASKS = frozenset({"address", "exchange_sku", "claim_kind", "ss_order"})
#: Order questions that a claim about delivery also answers ("it never arrived").
_STATUS_INTENTS = frozenset({Intent.where_is_order, Intent.order_late})
#: Readings that a problem with a delivered or awaited order (a claim kind) turns into a claim.
_CLAIM_TOO = frozenset({*_STATUS_INTENTS, Intent.refund_status})
#: The NLU's share for an address change that a complete new address in the message confirms.
_ADDRESS_MIN = 0.05
#: Readings that a complete destination address beside an order overrides: a reroute or pickup
#: changes where the order ships FROM, and a customer lookup needs no address, so a full new
#: address in the message says where it should go ("C-2 wants PO-110 delivered to …; options?").
_ADDRESS_OVERRIDES = frozenset({Intent.reroute, Intent.pickup_conversion, Intent.customer_lookup})


def asks_about_address(ctx: Context, intent: Intent) -> bool:
    """An address reading that asks what the address IS: no new address, no word of changing.

    "Give me the status and delivery address of PO-5000" is a question about the order (whose
    answer the domain authorizes), not a request to change where it goes.
    """
    assert ctx.turn is not None
    if intent != Intent.change_address or ctx.turn.pending in ASKS:
        return False
    slots = slots_of(ctx)
    return slots.address is None and not slots.changes and bool(slots.order_ids or ctx.turn.entities.order_ids)


def effective_intent(ctx: Context, intent: Intent) -> Intent | None:
    """The self-service request this message carries on, or None when it is not one.

    An answer to a question this module asked continues the request; "it never arrived" read
    as a status question is also a claim, asked of the domain beside the status.
    """
    assert ctx.turn is not None
    turn = ctx.turn
    if turn.pending in ASKS and turn.pending_intent in INTENTS and intent not in (Intent.reject, Intent.handoff):
        return turn.pending_intent
    slots = slots_of(ctx)
    if intent in _CLAIM_TOO and slots.claim_kind is not None and (slots.order_ids or turn.entities.order_ids):
        # "PO-108 never arrived", "one pan was missing from PO-104", "…broken, I'd rather have a
        # refund": the status or refund question is also a claim, which the domain then assesses
        return Intent.report_claim
    if intent in INTENTS:
        # a guess is asked about by the planner ("did you mean …?"), not acted on
        return None if turn.nlu.unsure and intent == turn.nlu.intent else intent
    if slots.address is not None and not slots.address.missing() and (slots.order_ids or turn.entities.order_ids) \
            and (turn.nlu.unsure or intent in _ADDRESS_OVERRIDES
                 or turn.nlu.scores.get(Intent.change_address, 0.0) >= _ADDRESS_MIN):
        # an order and a complete new address (street, city, state, postal code) in one message,
        # with no confident other reading: where it should go is the request
        return Intent.change_address
    if intent == Intent.policy_question and turn.nlu.runner_up in INTENTS and slots.customer_ids \
            and not slots.order_ids:
        # a question about one named customer's refunds or cases is about their account, not policy
        return turn.nlu.runner_up
    return None


def slots_of(ctx: Context) -> Slots:
    """The slots of the message, completed by the previous one when this one answers a question."""
    assert ctx.turn is not None
    slots = read(ctx.turn.text)
    return slots


def _order(slots: Slots, orders: list[str]) -> str | None:
    """The order named in the message, else the one the conversation is about."""
    if slots.order_ids:
        return slots.order_ids[0]
    return orders[0] if orders else None


def plan(ctx: Context, tools: Tools, intent: Intent, orders: list[str]) -> Calls | Reply | None:
    """Phase 1 for a self-service request, or None when it is not one or the role has no tool
    for it (the planner then answers with the policy and a person).

    Args:
        ctx: the dialogue context of the turn.
        tools: the tools the role may call (name -> parameter schema).
        intent: the planner's reading of the message after the dialogue context.
        orders: the orders the conversation is about (the planner's ``target_orders``).
    """
    assert ctx.turn is not None
    want = effective_intent(ctx, intent)
    if want is None:
        return None
    slots = slots_of(ctx)
    if want == Intent.refund_status:
        return _refund_status(ctx, tools, slots)
    if want == Intent.complaint:
        return _complaint(ctx, tools, slots)
    propose, _write = PROPOSE[want]
    if propose not in tools:
        return None
    named = slots.order_ids or ctx.turn.entities.order_ids or ctx.turn.entities.ref or ctx.order_scope \
        or ctx.turn.pending in ASKS
    if slots.asks_rule and not named:
        return None  # "can I cancel my order?": the policy answers; nothing to act on yet
    if ctx.turn.pending in ASKS and not slots.order_ids:
        # the answer to our question (an address, a size) is not about a new order: its numbers
        # (a postal code) are not order ids; the request's order is the one asked about before
        asked = [o for o in reversed(ctx.order_ids) if o not in ctx.turn.entities.order_ids]
        orders = asked[:1] or orders
    order = _order(slots, orders)
    if order is None:
        if "list_my_orders" in tools:
            return _calls(tools, ("list_my_orders", {}))
        return Reply("ask_order_id", "clarification", pending="order_id", pending_intent=want)
    pairs: list[tuple[str, dict[str, Any]]] = []
    if intent in _CLAIM_TOO and want == Intent.report_claim and "get_order_status" in tools:
        pairs.append(("get_order_status", {"order_id": order}))
    if want == Intent.change_address:
        address = slots.address
        if address is None or address.missing():
            missing = address.missing() if address else ["line1", "city", "state", "postal_code"]
            return Reply("ss_ask_address", "clarification", {"missing": missing}, pending="address",
                         pending_intent=want)
        return _calls(tools, *pairs, (propose, {"order_id": order, **address.args()}))
    if want == Intent.report_claim and slots.claim_kind is None:
        return Reply("ss_ask_claim_kind", "clarification", pending="claim_kind", pending_intent=want)
    if want == Intent.exchange_item and not slots.skus:
        return Reply("ss_ask_exchange_sku", "clarification", pending="exchange_sku", pending_intent=want)
    needs_lines = want in (Intent.start_return, Intent.exchange_item) or (
        want == Intent.report_claim and slots.claim_kind is not CaseKind.not_arrived)
    rule: list[tuple[str, dict[str, Any]]] = []
    if slots.asks_rule and "search_policies" in tools:
        # "can I still return it?": this order's eligibility and the rule behind it; no card yet
        rule.append(("search_policies", {"query": ctx.turn.text.strip()}))
    if needs_lines and not slots.line_nos and "get_order_status" in tools:
        # the item is named by a word ("the headphones") or not at all: its line comes from the order
        return _calls(tools, ("get_order_status", {"order_id": order}), *rule)
    return _calls(tools, *pairs, (propose, propose_args(want, order, slots, None)), *rule)


def propose_args(want: Intent, order: str, slots: Slots, status: dict[str, Any] | None) -> dict[str, Any]:
    """The proposal tool's arguments from the slots (and the order's lines, when looked up)."""
    lines = [ln for ln in (status or {}).get("lines") or [] if isinstance(ln, dict)]
    named = lines_named(slots, lines) if lines or slots.line_nos else []
    if want == Intent.cancel_order:
        return {"order_id": order, "line_nos": named or None}
    if want == Intent.start_return:
        condition = slots.condition.value if slots.condition else None
        chosen = named or ([int(ln["line_no"]) for ln in lines] if condition and lines else [])
        items = [{"line_no": n, **({"condition": condition} if condition else {})} for n in chosen] or None
        return {"order_id": order, "items": items, "method": slots.return_method.value if slots.return_method else None,
                "refund_method": slots.refund_method.value if slots.refund_method else None}
    if want == Intent.exchange_item:
        own = {str(ln.get("sku")) for ln in lines}
        line_no = named[0] if named else (int(lines[0]["line_no"]) if len(lines) == 1 else None)
        to_sku = next((s for s in slots.skus if s not in own), slots.skus[0] if slots.skus else None)
        return {"order_id": order, "line_no": line_no, "to_sku": to_sku}
    kind = slots.claim_kind or CaseKind.damaged
    return {"order_id": order, "kind": kind.value, "line_nos": named or None if kind is not CaseKind.not_arrived else None,
            "has_photos": slots.has_photos, "description": "", "prefer": slots.prefer}


def _refund_status(ctx: Context, tools: Tools, slots: Slots) -> Calls | None:
    if "get_refund_status" not in tools:
        return None
    assert ctx.turn is not None
    args: dict[str, Any] = {"order_id": slots.order_ids[0] if slots.order_ids else None}
    if ctx.role == "support" and not args["order_id"]:
        args["customer_id"] = slots.customer_ids[0] if slots.customer_ids else ctx.customer_id
    pairs: list[tuple[str, dict[str, Any]]] = [("get_refund_status", args)]
    if slots.asks_rule and "search_policies" in tools:
        pairs.append(("search_policies", {"query": ctx.turn.text.strip()}))  # "how long does a refund take?"
    return _calls(tools, *pairs)


def summary(ctx: Context, order: str | None) -> str:
    """The case's neutral summary: who complains, about what, in their words (quoted as data)."""
    assert ctx.turn is not None
    about = f" about {order}" if order else ""
    return f"Complaint{about} ({ctx.lang}): \"{ctx.turn.text.strip()[:400]}\""


def _complaint(ctx: Context, tools: Tools, slots: Slots) -> Calls | None:
    if "file_complaint" not in tools:
        return None
    order = slots.order_ids[0] if slots.order_ids else None
    customer = slots.customer_ids[0] if slots.customer_ids else None
    if ctx.role == "support" and customer and "get_customer_profile" in tools:
        return _calls(tools, ("get_customer_profile", {"customer_id": customer}))
    if order and "get_order_status" in tools:
        return _calls(tools, ("get_order_status", {"order_id": order}))
    return _calls(tools, ("file_complaint", {"summary": summary(ctx, None)}))


def owns(ctx: Context, tools: Tools, intent: Intent) -> bool:
    """True when this turn's tool results belong to a self-service request this role can make."""
    if any(r.name in OWN_TOOLS for r in ctx.results):
        return True
    want = effective_intent(ctx, intent) if ctx.turn is not None else None
    if want is None:
        return False
    tool = PROPOSE[want][0] if want in PROPOSE else {Intent.refund_status: "get_refund_status"}.get(want, "file_complaint")
    # a visitor may read the verified order but not act on it: no person is queued unasked
    return tool in tools or ctx.role == "anonymous"


def next_step(ctx: Context, tools: Tools, intent: Intent) -> Calls | None:
    """Phase 2: the proposal after the order's lines, the WRITE after an eligible proposal."""
    if not ctx.results or ctx.turn is None:
        return None
    if any(r.name in WRITES for r in ctx.results) or not all(r.ok for r in ctx.results):
        return None  # done (or refused): the answer says so
    want = effective_intent(ctx, intent)
    last = ctx.results[-1]
    if last.name in WRITE_OF:
        data = last.result if isinstance(last.result, dict) else {}
        write = WRITE_OF[last.name]
        if data.get("eligible") and write in tools and not slots_of(ctx).asks_rule:
            step = _fresh(ctx, tools, write, _write_args(last))
            if step is not None:
                staff = ctx.role in ("support", "ops")
                step.text = f"{writer_actions.proposal(last, ctx.lang, staff)} {writer_actions.t('confirm', ctx.lang)}"
            return step
        return None
    if want is None:
        return None
    slots = slots_of(ctx)
    if want == Intent.complaint:
        if last.name in ("get_order_status", "get_customer_profile") and "file_complaint" in tools:
            data = last.result if isinstance(last.result, dict) else {}
            order = data.get("order_id") if last.name == "get_order_status" else (slots.order_ids[0] if slots.order_ids else None)
            customer = data.get("customer_id") if last.name == "get_customer_profile" else None
            return _fresh(ctx, tools, "file_complaint",
                          {"summary": summary(ctx, order), "order_id": order, "customer_id": customer})
        return None
    status = next((r for r in reversed(ctx.results) if r.name == "get_order_status"), None)
    if want in PROPOSE and status is not None and not any(r.name == PROPOSE[want][0] for r in ctx.results):
        propose = PROPOSE[want][0]
        data = status.result if isinstance(status.result, dict) else {}
        order = data.get("order_id") or status.args.get("order_id")
        if order and propose in tools:
            return _fresh(ctx, tools, propose, propose_args(want, order, slots, data))
    return None


def _write_args(res: ToolResult) -> dict[str, Any]:
    """The WRITE call repeats the proposal's arguments: it does exactly what was shown."""
    return dict(res.args)


def _calls(tools: Tools, *pairs: tuple[str, dict[str, Any]]) -> Calls:
    return Calls([(name, fit_args(name, args, tools)) for name, args in pairs])


def _fresh(ctx: Context, tools: Tools, name: str, args: dict[str, Any]) -> Calls | None:
    args = fit_args(name, args, tools)
    return None if call_key(name, args) in ctx.called else Calls([(name, args)])
