"""Typed records of reroute proposals and their execution."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from promesa.domain.records import Record

OptionKind = Literal["ship_from_node", "split", "pickup", "upgrade_service"]


class OptionShipment(Record):
    """One parcel of an option: which lines leave which node, when, by which service."""

    node_id: str
    line_nos: list[int]
    service_id: str | None = Field(None, description="None for a pickup at the node.")
    ship_day: date = Field(description="Day it leaves (pickup: day it is ready), after the queue.")
    eta: date
    distance_km: float
    band: str
    cost_mxn: float
    utilisation: float | None = Field(None, description="Node's demand/capacity on ship_day, with it.")


class RerouteOption(Record):
    """A way to keep (or best approach) the promise, with the numbers behind its score."""

    option_id: str = Field(description="Stable id: kind:nodes:service.")
    kind: OptionKind
    nodes: list[str]
    service_id: str | None
    eta: date
    meets_promise: bool
    days_late: int
    cost_delta_mxn: float = Field(description="Shipping cost minus the current allocation's.")
    capacity_headroom_used: float = Field(description="Highest node utilisation on its ship day (1 = full).")
    shipments: int
    scores: dict[str, float] = Field(description="Per-criterion scores in 0..1.")
    total_score: float
    needs_consent: bool = False
    executable: bool = True
    filtered_out: list[str] = Field(default_factory=list, description="Hard filters it fails.")
    detail: list[OptionShipment]


class RerouteProposal(Record):
    """Options for an order at risk, ranked by a sourcing profile, and why the top one wins."""

    proposal_id: str
    order_id: str
    line_nos: list[int]
    profile: str
    promised_date: date
    generated_at: datetime
    current_node: str | None
    current_eta: date | None
    problem: str | None = Field(description="Why the current allocation misses; None if it holds.")
    options: list[RerouteOption]
    recommended_option_id: str | None
    recommended_node: str | None
    reason: str = Field(description="Why the recommendation, or precisely why there is none.")


class RerouteExecution(Record):
    """An executed reroute (or pickup conversion), as stored under its idempotency key."""

    order_id: str
    option_id: str
    kind: OptionKind
    idempotency_key: str
    approved_by: str
    executed_at: datetime
    moved: list[dict[str, object]] = Field(
        description="Per line: line_no, sku, quantity, from_node, to_node, ship_by."
    )
    eta: date
    service_id: str | None
    replayed: bool = Field(False, description="True when this key had already been executed.")
