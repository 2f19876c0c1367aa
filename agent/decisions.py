"""The typed decisions a turn emits (DESIGN rule 2), built only from tool results and guard outcomes.

A decision is never parsed from model text: ``from_tool_result`` maps a tool's JSON record to the
decision that record supports, and the guard, the approval flow and the model-failure path build
``refusal``/``handoff``/``clarification`` directly.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from agent.action_decisions import (
    ACTION_BUILDERS,
    AddressChangedDecision,
    AddressChangeProposalDecision,
    CancelProposalDecision,
    CaseOpenedDecision,
    ClaimProposalDecision,
    ExchangeCreatedDecision,
    ExchangeProposalDecision,
    OrderCancelledDecision,
    RefundStatusDecision,
    ReturnProposalDecision,
    ReturnStartedDecision,
)


class _Decision(BaseModel):
    model_config = ConfigDict(frozen=True)


class OrderStatusDecision(_Decision):
    type: Literal["order_status"] = "order_status"
    order_id: str
    status: str
    eta: date | None = None
    promised_date: date | None = None
    fulfillment_type: str | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    pickup_node_id: str | None = None
    pickup_hold_until: date | None = None
    return_window_ends: date | None = None
    timeline: list[dict[str, Any]] = Field(default_factory=list, description="Tracking steps, oldest first.")
    late: bool = False
    at_risk: bool = False
    reason: str | None = None
    reason_detail: str | None = None


class RerouteProposalDecision(_Decision):
    type: Literal["reroute_proposal"] = "reroute_proposal"
    order_id: str
    recommended_node: str | None = None
    recommended_option_id: str | None = None
    options: list[dict[str, Any]] = []
    feasible: bool = False
    reason: str | None = None
    kind: Literal["reroute", "pickup"] = Field("reroute", description="Ship reroute or pickup.")
    needed: bool = Field(True, description="False when the current allocation keeps the promise.")


class RerouteExecutedDecision(_Decision):
    type: Literal["reroute_executed"] = "reroute_executed"
    order_id: str
    option_id: str | None = None
    to_node: str | None = None
    idempotency_key: str
    approved_by: str
    action: str = "execute_reroute"
    replayed: bool = Field(False, description="True when this answers an action that had already run.")


class RiskFlagDecision(_Decision):
    type: Literal["risk_flag"] = "risk_flag"
    order_id: str | None = None
    node_id: str | None = None
    day: date | None = None
    reason: str
    severity: str = "medium"


class PolicyAnswerDecision(_Decision):
    type: Literal["policy_answer"] = "policy_answer"
    citations: list[str]
    passages: list[dict[str, Any]] = []


class AnalyticsResultDecision(_Decision):
    type: Literal["analytics_result"] = "analytics_result"
    metric: str
    dimensions: list[str] = []
    rows: list[dict[str, Any]] = []
    unit: str | None = None
    start: date | None = Field(None, description="First day the answer covers (the question as understood).")
    end: date | None = Field(None, description="Last day the answer covers.")
    filters: dict[str, Any] = Field(default_factory=dict, description="Filters the answer applies.")


class ClarificationDecision(_Decision):
    type: Literal["clarification"] = "clarification"
    missing: list[str] = []
    question: str = ""
    candidates: list[str] = Field(default_factory=list, description="Ids to choose from, when several match.")


class CustomerProfileDecision(_Decision):
    """Which customer the identifiers resolved to (identity resolution, computed by code)."""

    type: Literal["customer_profile"] = "customer_profile"
    customer_id: str
    name: str
    identities: list[dict[str, Any]] = []
    open_orders: list[str] = []


class AvailabilityDecision(_Decision):
    """Available-to-promise of a SKU, nearest nodes first."""

    type: Literal["availability"] = "availability"
    sku: str
    total_atp: int
    nodes: list[dict[str, Any]] = []


class HandoffDecision(_Decision):
    type: Literal["handoff"] = "handoff"
    reason: str
    handoff_id: int | str | None = None


class RefusalDecision(_Decision):
    type: Literal["refusal"] = "refusal"
    code: str
    message: str


Decision = Annotated[
    OrderStatusDecision
    | RerouteProposalDecision
    | RerouteExecutedDecision
    | RiskFlagDecision
    | PolicyAnswerDecision
    | AnalyticsResultDecision
    | ClarificationDecision
    | CustomerProfileDecision
    | AvailabilityDecision
    | CancelProposalDecision
    | OrderCancelledDecision
    | AddressChangeProposalDecision
    | AddressChangedDecision
    | ReturnProposalDecision
    | ReturnStartedDecision
    | RefundStatusDecision
    | ClaimProposalDecision
    | CaseOpenedDecision
    | ExchangeProposalDecision
    | ExchangeCreatedDecision
    | HandoffDecision
    | RefusalDecision,
    Field(discriminator="type"),
]
DECISION_ADAPTER: TypeAdapter[Decision] = TypeAdapter(Decision)
DECISIONS_ADAPTER: TypeAdapter[list[Decision]] = TypeAdapter(list[Decision])


def decision_types() -> frozenset[str]:
    """Every ``type`` of the decision union, read from the union itself (the eval loader uses it)."""
    members = get_args(get_args(Decision)[0])
    return frozenset(m.model_fields["type"].default for m in members)


#: Decision types that propose a write; an approval request takes its reason from the latest one.
PROPOSAL_TYPES = frozenset({"reroute_proposal", "cancel_proposal", "address_change_proposal",
                            "return_proposal", "claim_proposal", "exchange_proposal"})

#: Tool error codes that mean "you may not have this": the turn refuses instead of answering.
REFUSAL_CODES = frozenset({"forbidden", "not_found", "policy_violation", "conflict", "rejected"})


def parse_decisions(raw: list[dict[str, Any]]) -> list[Decision]:
    """Typed decisions from the JSON dicts kept in the graph state."""
    return DECISIONS_ADAPTER.validate_python(raw)


def dump(decision: BaseModel) -> dict[str, Any]:
    return decision.model_dump(mode="json")


def from_tool_result(tool: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The decisions one tool result supports, as JSON dicts (for the checkpointed state).

    Args:
        tool: The tool's name.
        payload: The tool's JSON envelope, ``{"ok": true, "result": ...}`` or an error.
    """
    if not payload.get("ok"):
        return _from_error(tool, payload.get("error") or {})
    builder = _BUILDERS.get(tool)
    return [dump(d) for d in builder(payload.get("result"))] if builder else []


def _from_error(tool: str, error: dict[str, Any]) -> list[dict[str, Any]]:
    code = str(error.get("code") or "error")
    message = str(error.get("message") or "")
    if code == "invalid_input":
        field = error.get("field")
        return [dump(ClarificationDecision(missing=[field] if field else [], question=message))]
    if code in REFUSAL_CODES:
        return [dump(RefusalDecision(code=code, message=message))]
    return []


def _order_status(r: dict[str, Any]) -> list[_Decision]:
    return [OrderStatusDecision.model_validate(r, from_attributes=False)]


def _proposal(kind: Literal["reroute", "pickup"]):  # noqa: ANN202 - tiny closure factory
    def build(r: dict[str, Any]) -> list[_Decision]:
        return [
            RerouteProposalDecision(
                order_id=r["order_id"],
                recommended_node=r.get("recommended_node"),
                recommended_option_id=r.get("recommended_option_id"),
                options=[{k: o.get(k) for k in _OPTION_FIELDS} for o in r.get("options") or []],
                feasible=r.get("recommended_option_id") is not None,
                reason=r.get("reason"),
                kind=kind,
                needed=not ("problem" in r and r["problem"] is None),
            )
        ]

    return build


#: The option fields a decision carries (the full option, with per-shipment detail, is in the tool result).
_OPTION_FIELDS = (
    "option_id", "kind", "nodes", "service_id", "eta", "meets_promise", "days_late", "cost_delta_mxn",
    "capacity_headroom_used", "shipments", "scores", "total_score", "needs_consent", "executable",
)


def _executed(r: dict[str, Any]) -> list[_Decision]:
    moved = r.get("moved") or []
    to_node = r.get("to_node") or (moved[0].get("to_node") if moved else None)
    return [RerouteExecutedDecision.model_validate({**r, "to_node": to_node})]


def _risk(r: dict[str, Any]) -> list[_Decision]:
    """One flag per at-risk order, and one per node-day whose load spills past capacity."""
    flags: list[_Decision] = [
        RiskFlagDecision(
            order_id=o["order_id"],
            node_id=o.get("node_id"),
            day=o.get("expected_ship_day") or o.get("ship_by"),
            reason=o["reason"],
            severity=o["severity"],
        )
        for o in r.get("at_risk", [])
    ]
    flags += [
        RiskFlagDecision(node_id=n["node_id"], day=n["day"], reason="over_capacity", severity="high")
        for n in r.get("node_days", [])
        if n.get("backlog_orders", 0) > 0
    ]
    return flags


def _policy(r: dict[str, Any] | list[dict[str, Any]]) -> list[_Decision]:
    passages = r.get("passages", []) if isinstance(r, dict) else r
    citations = list(dict.fromkeys(p["citation"] for p in passages if p.get("citation")))
    return [PolicyAnswerDecision(citations=citations, passages=passages)] if passages else []


def _analytics(r: dict[str, Any]) -> list[_Decision]:
    spec = r.get("spec") or {}
    return [
        AnalyticsResultDecision(
            metric=spec.get("metric", ""),
            dimensions=spec.get("dimensions", []),
            rows=r.get("rows", []),
            unit=r.get("unit"),
            start=r.get("start"),
            end=r.get("end"),
            filters=spec.get("filters") or {},
        )
    ]


#: Order states in which an order still counts as open on a profile.
_CLOSED = frozenset({"delivered", "picked_up", "cancelled"})


def _matches(r: list[dict[str, Any]]) -> list[_Decision]:
    """Several customers match: the turn must ask which one (one match needs no decision)."""
    if len(r) < 2:
        return []
    ids = [m["customer_id"] for m in r]
    return [ClarificationDecision(missing=["customer"], candidates=ids)]


def _profile(r: dict[str, Any]) -> list[_Decision]:
    return [
        CustomerProfileDecision(
            customer_id=r["customer_id"],
            name=r["name"],
            identities=[{k: i.get(k) for k in ("kind", "value", "source")} for i in r.get("identities", [])],
            open_orders=[o["order_id"] for o in r.get("orders", []) if o.get("status") not in _CLOSED],
        )
    ]


def _availability(r: dict[str, Any]) -> list[_Decision]:
    nodes = [{k: n.get(k) for k in ("node_id", "atp", "distance_km")} for n in r.get("nodes", [])[:5]]
    return [AvailabilityDecision(sku=r["sku"], total_atp=r["total_atp"], nodes=nodes)]


def _handoff(r: dict[str, Any]) -> list[_Decision]:
    return [HandoffDecision(reason=r["reason"], handoff_id=r.get("handoff_id"))]


_BUILDERS = {
    "get_order_status": _order_status,
    "propose_reroute": _proposal("reroute"),
    "propose_pickup": _proposal("pickup"),
    "execute_reroute": _executed,
    "convert_to_pickup": _executed,
    "scan_risk": _risk,
    "search_policies": _policy,
    "run_analytics": _analytics,
    "request_handoff": _handoff,
    "find_customer": _matches,
    "get_customer_profile": _profile,
    "check_availability": _availability,
    **ACTION_BUILDERS,
}
