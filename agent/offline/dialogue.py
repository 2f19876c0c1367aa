"""Dialogue state rebuilt from the message history on every call (no hidden memory).

The state is a pure function of the messages, so a resumed or replayed thread reads the same
context: the clock and role from the system header, the language in use, the orders and
customer talked about, and what the assistant is waiting for (an order id, a choice among
orders, or a yes/no on a proposal).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from agent.offline.candidates import choose
from agent.offline.entities import Entities, extract
from agent.offline.intent_names import Intent, intent_or_none
from agent.offline.intents import Classification, classify
from agent.offline.language import Lang, detect
from agent.offline.nlu_model import IntentModel, get_model
from agent.offline.normalise import normalise

_HEADER = re.compile(r"^\s*(current time|now|role|user|subject|order scope|language|locale)\s*:\s*(\S+)",
                     re.IGNORECASE | re.MULTILINE)
_CLOSED = {"delivered", "picked_up", "cancelled"}
#: Intents that need one order to act on.
ORDER_INTENTS = frozenset({Intent.where_is_order, Intent.order_late, Intent.pickup_conversion, Intent.reroute})


@dataclass
class ToolResult:
    """One tool call of the current turn with its parsed outcome."""

    name: str
    args: dict[str, Any]
    ok: bool
    result: Any = None
    error: dict[str, Any] = field(default_factory=dict)


@dataclass
class Turn:
    """The latest human message, understood."""

    text: str
    norm: str
    entities: Entities
    nlu: Classification
    pending: str | None  # what the assistant was waiting for when this message arrived
    pending_intent: Intent | None
    pending_action: dict[str, Any] | None
    prev_intent: Intent | None = None
    prev_entities: Entities | None = None  # of the previous human message, for elliptical answers
    chosen: dict[str, Any] | None = None  # the shown candidate this message picks ("the Garza one")
    chosen_kind: str | None = None  # "customer" or "order"


@dataclass
class Context:
    now: datetime | None = None
    role: str | None = None
    subject: str | None = None
    order_scope: str | None = None
    lang: Lang = "en"
    order_ids: list[str] = field(default_factory=list)  # most recent last
    listed_orders: list[str] = field(default_factory=list)  # last list shown to the user
    candidates: list[dict[str, Any]] = field(default_factory=list)  # rows of the last list shown
    candidate_kind: str | None = None  # what they are: "customer" or "order"
    customer_id: str | None = None
    last_intent: Intent | None = None
    pending: str | None = None
    pending_intent: Intent | None = None
    pending_action: dict[str, Any] | None = None
    turn: Turn | None = None
    results: list[ToolResult] = field(default_factory=list)  # tool results since the human turn
    called: set[str] = field(default_factory=set)  # "name:args" already called this turn
    forced_lang: Lang | None = None  # the caller's decision (system prompt), wins over detection


def parse_tool_content(content: Any) -> tuple[bool, Any, dict[str, Any]]:
    """(ok, result, error) of a ToolMessage body; non-JSON text counts as an ok plain result."""
    text = content if isinstance(content, str) else json.dumps(content, default=str)
    try:
        body = json.loads(text)
    except (TypeError, ValueError):
        return True, text, {}
    if isinstance(body, dict) and "ok" in body:
        if body.get("ok"):
            return True, body.get("result"), {}
        err = body.get("error")
        return False, None, err if isinstance(err, dict) else {"message": str(err)}
    return True, body, {}


def _remember(items: list[str], value: str | None) -> None:
    if value:
        if value in items:
            items.remove(value)
        items.append(value)


_PROSE = (  # the graph's system prompt (agent/prompts.py) says the same things in prose
    (re.compile(r"Today is (\d{4}-\d{2}-\d{2})"), "today"),
    (re.compile(r"Answer in (English|Spanish)"), "language"),
    (re.compile(r"talking with the customer (C-\d+)"), "customer"),
    (re.compile(r"visitor who verified order (\S+?);"), "anonymous"),
    (re.compile(r"copilot of support agent (\S+?)\.?\s"), "support"),
    (re.compile(r"operations lead (\S+?)\s+with"), "ops"),
)


def _read_prose(ctx: Context, text: str) -> None:
    for pattern, what in _PROSE:
        match = pattern.search(text)
        if not match:
            continue
        value = match.group(1)
        if what == "today" and ctx.now is None:
            ctx.now = datetime.fromisoformat(value)
        elif what == "language":
            ctx.forced_lang = "es" if value == "Spanish" else "en"
        elif what == "anonymous":
            ctx.role, ctx.order_scope = "anonymous", value if value.upper().startswith("PO-") else None
        elif what in ("customer", "support", "ops"):
            ctx.role, ctx.subject = what, value


def _read_header(ctx: Context, text: str) -> None:
    _read_prose(ctx, text)
    for key, value in _HEADER.findall(text):
        key = key.lower()
        if key in ("current time", "now"):
            try:
                ctx.now = datetime.fromisoformat(value)
            except ValueError:
                continue
        elif key == "role":
            ctx.role = value.lower()
        elif key in ("user", "subject") and value not in ("-", "none"):
            ctx.subject = value
        elif key == "order scope" and value not in ("-", "none"):
            ctx.order_scope = value
        elif key in ("language", "locale") and value[:2].lower() in ("en", "es"):
            ctx.forced_lang = "es" if value[:2].lower() == "es" else "en"


def open_orders(result: Any) -> list[dict[str, Any]]:
    """The open orders in a list_my_orders result (list or {"orders": [...]})."""
    rows = result.get("orders", []) if isinstance(result, dict) else result
    if not isinstance(rows, list):
        return []
    return [r for r in rows if isinstance(r, dict) and r.get("status") not in _CLOSED]


def _absorb_result(ctx: Context, res: ToolResult) -> None:
    """Update orders, customer and pending question from one tool result."""
    data = res.result if isinstance(res.result, dict) else {}
    if res.ok:
        _remember(ctx.order_ids, data.get("order_id") or res.args.get("order_id"))
        if res.name == "get_customer_profile":
            ctx.customer_id = data.get("customer_id") or res.args.get("customer_id")
        if res.name in ("propose_reroute", "propose_pickup"):
            ctx.pending_action = _proposal_action(res)
        if res.name == "list_my_orders":
            ctx.listed_orders = [str(o["order_id"]) for o in open_orders(res.result) if o.get("order_id")]
            ctx.candidates, ctx.candidate_kind = open_orders(res.result), "order"
        if res.name == "find_customer":
            rows = res.result.get("matches", []) if isinstance(res.result, dict) else res.result
            rows = [r for r in rows or [] if isinstance(r, dict) and r.get("customer_id")]
            if len(rows) > 1:
                ctx.candidates, ctx.candidate_kind = rows, "customer"
    elif res.args.get("order_id"):
        _remember(ctx.order_ids, res.args["order_id"])


def _proposal_action(res: ToolResult) -> dict[str, Any] | None:
    data = res.result if isinstance(res.result, dict) else {}
    order_id = data.get("order_id") or res.args.get("order_id")
    if res.name == "propose_reroute":
        option = data.get("recommended_option_id")
        if option is None and data.get("options"):
            option = (data["options"][0] or {}).get("option_id")
        return {"tool": "execute_reroute", "args": {"order_id": order_id, "option_id": option}} if option else None
    node = data.get("node_id") or data.get("recommended_node") or data.get("pickup_node_id")
    if node is None and data.get("options"):
        node = (data["options"][0] or {}).get("node_id")
    return {"tool": "convert_to_pickup", "args": {"order_id": order_id, "node_id": node}} if node else None


def build(messages: list[BaseMessage], *, now: datetime | None = None, role: str | None = None) -> Context:
    """Read the whole history into a Context; ``turn`` is the latest human message."""
    ctx = Context(now=now, role=role)
    lang_seen: Lang | None = None
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    for msg in messages:
        if isinstance(msg, SystemMessage):
            _read_header(ctx, str(msg.content))
        elif isinstance(msg, HumanMessage):
            text = msg.content if isinstance(msg.content, str) else " ".join(
                p.get("text", "") for p in msg.content if isinstance(p, dict))
            lang_seen = detect(text, lang_seen, default=ctx.lang)
            ctx.lang = lang_seen
            ent, norm, nlu = _understand(text, ctx.now.date() if ctx.now else None, ctx.pending, ctx.role,
                                         get_model())
            chosen = None if ent.order_ids or ent.customer_ids else choose(text, ent, ctx.candidates)
            ctx.turn = Turn(text, norm, ent, nlu, ctx.pending, ctx.pending_intent, ctx.pending_action,
                            ctx.last_intent, ctx.turn.entities if ctx.turn else None,
                            chosen, ctx.candidate_kind if chosen else None)
            ctx.pending = ctx.pending_intent = ctx.pending_action = None
            ctx.results, ctx.called = [], set()
            for oid in ent.order_ids:
                _remember(ctx.order_ids, oid)
            ctx.last_intent = nlu.intent
        elif isinstance(msg, AIMessage):
            for call in msg.tool_calls:
                calls[call.get("id") or ""] = (call["name"], dict(call.get("args") or {}))
                ctx.called.add(call_key(call["name"], call.get("args") or {}))
            if not msg.tool_calls:
                meta = (msg.response_metadata or {}).get("promesa")
                if meta is None:  # metadata dropped by a store: infer from this turn's results
                    ctx.pending = "confirm" if ctx.pending_action else None
                    ctx.pending_intent = None
                else:
                    ctx.pending = meta.get("pending")
                    ctx.pending_intent = intent_or_none(meta.get("pending_intent"))
                if ctx.pending != "confirm":
                    ctx.pending_action = None
        elif isinstance(msg, ToolMessage):
            name, args = calls.get(msg.tool_call_id, (msg.name or "", {}))
            ok, result, error = parse_tool_content(msg.content)
            res = ToolResult(name, args, ok, result, error)
            ctx.results.append(res)
            _absorb_result(ctx, res)
    if ctx.forced_lang:
        ctx.lang = ctx.forced_lang
    if ctx.turn is not None:
        # what the planner reads is its own copy: the memo's records stay as they were computed
        ctx.turn.entities, ctx.turn.nlu = copy.deepcopy(ctx.turn.entities), copy.deepcopy(ctx.turn.nlu)
        ctx.turn.prev_entities = copy.deepcopy(ctx.turn.prev_entities)
    return ctx


@lru_cache(maxsize=4096)
def _understand(text: str, today: date | None, pending: str | None, role: str | None,
                model: IntentModel) -> tuple[Entities, str, Classification]:
    """One human message read: entities, normalised text, intent.

    A pure function of its arguments, memoised: ``build`` rereads the whole history on every
    model call, and without the memo turn N classified all N earlier messages again (issue #13:
    turn 40 cost 4.5x turn 1). ``model`` is part of the key, so another model never reads
    another's answers; the records are shared, so ``build`` hands the planner copies.
    """
    ent = extract(text, today)
    if pending == "order_id" and not ent.order_ids:
        # We asked for an order number, so a bare number in the reply is one ("es el 5001").
        ent.order_ids = [f"PO-{n}" for n in re.findall(r"(?<![\w-])(\d{4,8})\b", text)][:3]
    return ent, normalise(text), classify(text, ent, pending, persona=role, model=model)


def call_key(name: str, args: dict[str, Any]) -> str:
    """The identity of a tool call: its name and canonical JSON arguments."""
    return f"{name}:{json.dumps(args, sort_keys=True, default=str)}"
