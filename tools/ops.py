"""Operations tools: promise-vs-capacity risk scan and analytics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, Field

from promesa.domain.analytics import AnalyticsResult, Dimension, Metric
from promesa.domain.capacity import RiskReport
from promesa.domain.deps import Deps
from promesa.principal import Role
from tools.decisions import AnalyticsResultDecision, BaseDecision, RiskFlagDecision
from tools.registry import ToolEnv, tool

#: The reason of a node-day flag: its load spills past its capacity.
OVER_CAPACITY = "over_capacity"


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


def risk_decisions(report: RiskReport) -> Sequence[BaseDecision]:
    """One flag per listed at-risk order, and one per node-day whose load spills past capacity.

    The report lists one page of orders; every flag carries the true total of its kind (the
    report's totals count them all), so a UI never counts a page as the whole.
    """
    over = [n for n in report.node_days if n.backlog_orders > 0]
    flags: list[BaseDecision] = [
        RiskFlagDecision(order_id=o.order_id, node_id=o.node_id, day=o.expected_ship_day or o.ship_by,
                         reason=o.reason, severity=o.severity, total=report.totals.at_risk_orders)
        for o in report.at_risk
    ]
    flags += [RiskFlagDecision(node_id=n.node_id, day=n.day, reason=OVER_CAPACITY, severity="high", total=len(over))
              for n in over]
    return flags


def analytics_decisions(result: AnalyticsResult) -> Sequence[BaseDecision]:
    """The computed metric as one ``analytics_result`` decision (the question as understood)."""
    spec = result.spec
    return [AnalyticsResultDecision(metric=spec.metric, dimensions=spec.dimensions, rows=result.rows,
                                    unit=result.unit, start=result.start, end=result.end, filters=spec.filters)]


@tool(roles=[Role.ops], returns=RiskReport, decisions=risk_decisions)
def scan_risk(deps: Deps, args: ScanRiskArgs, env: ToolEnv) -> RiskReport:
    """Find orders and nodes whose promises do not fit capacity or stock in the coming days.

    Returns the node-day load against capacity, totals by reason, and the worst at-risk orders
    (reason, severity, whether a reroute exists), worst first.
    """
    from promesa.domain import capacity

    return capacity.scan_risk(deps, start=args.start, days=args.days, node_ids=args.node_ids,
                              limit=args.limit)


@tool(roles=[Role.ops], returns=AnalyticsResult, decisions=analytics_decisions)
def run_analytics(deps: Deps, args: AnalyticsArgs, env: ToolEnv) -> AnalyticsResult:
    """Compute an operations metric grouped by dimensions over a date range.

    Returns rows of numbers with their unit. Never estimate a number yourself: call this.
    """
    from promesa.domain import analytics

    return analytics.run_analytics(deps, args.model_dump())
