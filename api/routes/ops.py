"""The ops console: promise-vs-capacity risk and analytics (ops and system only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from api.deps import DomainDeps, OpsDep
from api.schemas import ERRORS, errors
from promesa.domain.analytics import AnalyticsQuery, AnalyticsResult, run_analytics
from promesa.domain.capacity import DEFAULT_PAGE, MAX_OFFSET, MAX_PAGE, RiskReport, scan_risk

router = APIRouter(prefix="/v1/ops", tags=["ops"])


def split_ids(values: list[str] | None) -> list[str] | None:
    """``?nodes=A,B&nodes=C`` -> ``["A", "B", "C"]``; absent or empty -> every node."""
    ids = [part.strip() for value in values or [] for part in value.split(",") if part.strip()]
    return ids or None


@router.get("/risk", response_model=RiskReport, responses=errors(not_found="No such node"))
def risk(
    _ops: OpsDep,
    deps: DomainDeps,
    start: Annotated[
        date | None, Query(description="First day; default today; within PROMESA_RISK_HORIZON_DAYS of today.")
    ] = None,
    days: Annotated[int, Query(ge=1, le=31)] = 7,
    nodes: Annotated[
        list[str] | None, Query(description="Node ids, comma-separated or repeated.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="At-risk orders per page.")] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="The previous page's next_offset.")] = 0,
) -> RiskReport:
    """Node-day load against capacity and the orders that will miss their promise, and why.

    The node-day table and the totals cover the whole window; the at-risk orders come a page at
    a time, worst first."""
    return scan_risk(deps, start=start, days=days, node_ids=split_ids(nodes), limit=limit, offset=offset)


@router.post(
    "/analytics",
    response_model=AnalyticsResult,
    responses=ERRORS,
    # The body is validated by the domain (its errors name the field, including cross-field
    # rules such as "start is after end"); the schema is published for clients all the same.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": AnalyticsQuery.model_json_schema()}},
        }
    },
)
def analytics(
    _ops: OpsDep, deps: DomainDeps, spec: Annotated[dict[str, Any], Body()]
) -> AnalyticsResult:
    """A metric split by up to three dimensions over a date range, e.g.
    ``{"metric": "on_time_rate", "dimensions": ["carrier"]}``."""
    return run_analytics(deps, spec)
