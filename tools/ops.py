"""Operations tools: promise-vs-capacity risk scan and analytics."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from promesa.domain.analytics import Dimension, Metric
from promesa.domain.deps import Deps
from promesa.principal import Role
from tools.registry import ToolEnv, tool


class ScanRiskArgs(BaseModel):
    start: date | None = Field(None, description="First day to scan; default today.")
    days: int = Field(7, ge=1, le=31, description="How many days to scan.")
    node_ids: list[str] | None = Field(None, description="Only these nodes; default all.")
    limit: int = Field(25, ge=1, le=200, description="Most at-risk orders to list, worst first; "
                       "the totals always count them all.")


class AnalyticsArgs(BaseModel):
    metric: Metric = Field(description="What to measure, e.g. on_time_rate, utilisation, late_orders.")
    dimensions: list[Dimension] = Field(default_factory=list, max_length=3, description="Group by, e.g. carrier, node.")
    filters: dict[Dimension, list[str]] = Field(
        default_factory=dict, description='Keep only these values, e.g. {"node": ["DC-GDL-01"]}.'
    )
    start: date | None = Field(None, description="First day; default the metric's usual window.")
    end: date | None = Field(None, description="Last day (inclusive).")


@tool(roles=[Role.ops])
def scan_risk(deps: Deps, args: ScanRiskArgs, env: ToolEnv) -> object:
    """Find orders and nodes whose promises do not fit capacity or stock in the coming days.

    Returns the node-day load against capacity, totals by reason, and the worst at-risk orders
    (reason, severity, whether a reroute exists), worst first.
    """
    from promesa.domain import capacity

    return capacity.scan_risk(deps, start=args.start, days=args.days, node_ids=args.node_ids,
                              limit=args.limit)


@tool(roles=[Role.ops])
def run_analytics(deps: Deps, args: AnalyticsArgs, env: ToolEnv) -> object:
    """Compute an operations metric grouped by dimensions over a date range.

    Returns rows of numbers with their unit. Never estimate a number yourself: call this.
    """
    from promesa.domain import analytics

    return analytics.run_analytics(deps, args.model_dump())
