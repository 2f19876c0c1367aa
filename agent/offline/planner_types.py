"""The planner's vocabulary: a reply, a list of tool calls, and arguments fitted to a tool's schema.

Its own module so that the planner and the request-specific planners it delegates to
(``self_service``) share it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.offline.intent_names import Intent

Tools = dict[str, dict[str, Any]]  # tool name -> JSON schema of its parameters

_METRIC_SYNONYMS = {
    "on_time_rate": ("on_time", "ontime", "otd", "punctual"),
    "utilisation": ("utilisation", "utilization", "capacity", "occupancy"),
    "late_orders": ("late",),
    "orders": ("order_count", "orders", "volume", "count"),
    "revenue": ("revenue", "sales", "gmv"),
}


@dataclass
class Reply:
    """A text-only answer the writer phrases from ``key`` and ``params``."""

    key: str
    kind: str  # clarification | refusal | greeting | thanks | out_of_scope | info
    params: dict[str, Any] = field(default_factory=dict)
    pending: str | None = None
    pending_intent: Intent | None = None


@dataclass
class Calls:
    calls: list[tuple[str, dict[str, Any]]]
    text: str = ""  # said beside the calls (a WRITE's proposal, shown while the approval waits)


def _enum_match(value: str, schema: dict[str, Any], synonyms: tuple[str, ...] = ()) -> str:
    enum = schema.get("enum") or (schema.get("items") or {}).get("enum")
    if not enum:
        return value
    for cand in (value, *synonyms):
        for item in enum:
            if cand == item or cand in str(item):
                return str(item)
    return value


def fit_args(name: str, args: dict[str, Any], tools: Tools) -> dict[str, Any]:
    """Drop empty values and keys the tool does not declare; align enum-valued arguments."""
    props: dict[str, Any] = (tools.get(name) or {}).get("properties") or {}
    out: dict[str, Any] = {}
    for key, value in args.items():
        if value is None or (props and key not in props):
            continue
        schema = props.get(key, {})
        if key == "metric" and isinstance(value, str):
            value = _enum_match(value, schema, _METRIC_SYNONYMS.get(value, ()))
        elif key == "dimensions" and isinstance(value, list):
            value = [_enum_match(v, schema) for v in value]
        out[key] = value
    return out
