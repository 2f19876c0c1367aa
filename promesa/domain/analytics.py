"""Ops analytics: a typed query spec executed as SQLAlchemy Core GROUP BY queries.

No SQL text ever comes from the caller: metrics, dimensions and filters are closed vocabularies
mapped to column expressions here. Days and weeks are calendar days of the business time zone
(``settings.timezone``): PostgreSQL converts with ``AT TIME ZONE``; SQLite, which has no zone
data, shifts the stored UTC timestamp by the zone's UTC offset over the queried period (exact for
zones without daylight saving, such as Mexico City since 2022).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import Date, and_, case, cast, distinct, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from promesa.domain import access
from promesa.domain.deps import Deps
from promesa.domain.records import Record
from promesa.errors import InvalidInput
from promesa.store.enums import OrderStatus
from promesa.store.models import (
    ActionExecution,
    Address,
    CarrierService,
    Order,
    OrderLine,
    Product,
    Shipment,
)
from promesa.text import has_controls

Metric = Literal[
    "orders", "units", "revenue", "on_time_rate", "promise_hit_rate", "late_orders",
    "at_risk_orders", "utilisation", "cancellations", "reroutes", "avg_delivery_days",
    "customer_lifetime_value",
]
Dimension = Literal["node", "state", "carrier", "channel", "fulfillment_type", "category", "day", "week"]
UNITS: dict[str, str] = {
    "orders": "count", "units": "count", "revenue": "MXN", "on_time_rate": "%",
    "promise_hit_rate": "%", "late_orders": "count", "at_risk_orders": "count", "utilisation": "%",
    "cancellations": "count", "reroutes": "count", "avg_delivery_days": "days",
    "customer_lifetime_value": "MXN",
}
#: Metrics answered from the live node-day model rather than history, and their dimensions.
LIVE_DIMENSIONS: dict[str, set[str]] = {"utilisation": {"node", "day"}, "at_risk_orders": {"node"}}
MAX_RANGE_DAYS = 731


class AnalyticsQuery(BaseModel):
    """What to measure, split by what, for which slice and dates (inclusive)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: Metric
    dimensions: list[Dimension] = Field(default_factory=list, max_length=3)
    filters: dict[Dimension, list[str]] = Field(default_factory=dict)
    start: date | None = None
    end: date | None = None

    @field_validator("filters")
    @classmethod
    def _clean_filters(cls, value: dict[Dimension, list[str]]) -> dict[Dimension, list[str]]:
        if any(has_controls(v) or len(v) > 200 for values in value.values() for v in values):
            raise ValueError("filter values are at most 200 characters, without control characters")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> AnalyticsQuery:
        if len(set(self.dimensions)) != len(self.dimensions):
            raise ValueError("dimensions repeat")
        if self.start and self.end and self.start > self.end:
            raise ValueError("start is after end")
        live = LIVE_DIMENSIONS.get(self.metric)
        if live is not None and not set(self.dimensions) | set(self.filters) <= live:
            raise ValueError(f"{self.metric} splits only by {sorted(live)}")
        return self


class AnalyticsRow(Record):
    group: dict[str, str]
    value: float
    peak_day: date | None = Field(
        None, description="Utilisation over several days without a day dimension: the group's "
        "busiest day, whose utilisation is the value (an average would hide a 150% day).")


class AnalyticsResult(Record):
    spec: AnalyticsQuery
    unit: str
    start: date
    end: date
    rows: list[AnalyticsRow]


def parse_query(raw: AnalyticsQuery | dict[str, Any]) -> AnalyticsQuery:
    """Validate a spec; errors become InvalidInput naming the offending field."""
    if isinstance(raw, AnalyticsQuery):
        return raw
    try:
        return AnalyticsQuery.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first["loc"]]
        field = loc[0] if loc else _field_from(first["msg"])
        raise InvalidInput(f"invalid analytics query: {'.'.join(loc) or field}: {first['msg']}",
                           field=field) from None


def _field_from(message: str) -> str:
    if "dimensions" in message or "splits" in message:
        return "dimensions"
    return "start" if "start" in message else "spec"


@dataclass(frozen=True)
class LocalDays:
    """How to turn a stored UTC timestamp into a business-zone calendar day on one backend."""

    dialect: str
    zone: str  # IANA name, for PostgreSQL
    sqlite_shift: str  # e.g. "-360 minutes", the zone's UTC offset, for SQLite

    @classmethod
    def at(cls, dialect: str, tz: ZoneInfo, moment: datetime) -> LocalDays:
        offset = moment.astimezone(tz).utcoffset() or timedelta(0)
        return cls(dialect, tz.key, f"{int(offset.total_seconds() // 60):+d} minutes")

    def day(self, column: Any) -> ColumnElement[Any]:
        if self.dialect == "postgresql":
            return cast(func.timezone(self.zone, column), Date)
        return func.date(column, self.sqlite_shift, type_=Date)

    def week(self, column: Any) -> ColumnElement[Any]:
        """The Monday of the local week."""
        if self.dialect == "postgresql":
            return cast(func.date_trunc("week", func.timezone(self.zone, column)), Date)
        return func.date(column, self.sqlite_shift, "weekday 0", "-6 days", type_=Date)


def _days_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def run_analytics(deps: Deps, spec: AnalyticsQuery | dict[str, Any]) -> AnalyticsResult:
    """Execute an analytics query (ops and system staff; support too)."""
    access.ensure_staff(deps.principal, "analytics")
    query = parse_query(spec)
    today = deps.now.astimezone(deps.settings.tz).date()
    if query.metric in LIVE_DIMENSIONS:
        start, end = query.start or today, query.end or today + timedelta(days=6)
        # live metrics look ahead from the queues as they stand: "this week" from Monday would
        # list past days at 0 %, so a window reaching into today starts today
        if start < today <= end:
            start = today
    else:
        start, end = query.start or today - timedelta(days=29), query.end or today
    horizon = deps.settings.analytics_horizon_days
    for name, day in (("start", start), ("end", end)):
        if abs((day - today).days) > horizon:
            raise InvalidInput(f"{name} must lie within {horizon} days of today ({today})", field=name)
    if start > end:  # e.g. an end before the defaulted start
        raise InvalidInput(f"end ({end}) is before start ({start})", field="end")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise InvalidInput(f"a query spans at most {MAX_RANGE_DAYS} days", field="end")
    if query.metric in LIVE_DIMENSIONS:
        rows = _live(deps, query, start, end)
    else:
        rows = _history(deps, query, start, end)
    return AnalyticsResult(spec=query, unit=UNITS[query.metric], start=start, end=end, rows=rows)


def _history(deps: Deps, q: AnalyticsQuery, start: date, end: date) -> list[AnalyticsRow]:
    dialect = deps.session.get_bind().dialect.name
    tz = deps.settings.tz
    lo = datetime.combine(start, time.min, tzinfo=tz)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    local = LocalDays.at(dialect, tz, datetime.combine(end, time(12), tzinfo=tz))
    today = deps.now.astimezone(tz).date()
    used = set(q.dimensions) | set(q.filters)
    need_lines = bool(used & {"node", "category"}) or q.metric == "units"
    delivered_day = local.day(Shipment.delivered_at)
    time_col = ActionExecution.executed_at if q.metric == "reroutes" else Order.created_at
    columns: dict[str, ColumnElement[Any] | InstrumentedAttribute[Any]] = {
        "node": OrderLine.allocated_node_id, "state": Address.state,
        "carrier": CarrierService.carrier_id, "channel": Order.channel,
        "fulfillment_type": Order.fulfillment_type, "category": Product.category,
        "day": local.day(time_col), "week": local.week(time_col),
    }
    revenue = func.sum(OrderLine.unit_price * OrderLine.quantity) if need_lines else func.sum(Order.total)
    delivered = Shipment.delivered_at.is_not(None)
    on_time = func.sum(case((and_(delivered, delivered_day <= Order.promised_date), 1), else_=0))
    metrics: dict[str, ColumnElement[Any]] = {
        "orders": func.count(distinct(Order.id)),
        "units": func.coalesce(func.sum(OrderLine.quantity), 0),
        "revenue": func.coalesce(revenue, 0),
        "cancellations": func.count(distinct(case((Order.status == OrderStatus.cancelled, Order.id)))),
        "late_orders": func.count(distinct(case(
            (and_(delivered, delivered_day > Order.promised_date), Order.id)))),
        "on_time_rate": 100.0 * on_time / func.nullif(func.sum(case((delivered, 1), else_=0)), 0),
        "promise_hit_rate": 100.0 * on_time / func.nullif(func.sum(case(
            (Order.promised_date < literal(min(end + timedelta(days=1), today)), 1),
            else_=0)), 0),
        "avg_delivery_days": func.avg(case(
            (delivered, _days_between(Shipment.delivered_at, Order.created_at, dialect)))),
        "customer_lifetime_value": func.coalesce(revenue, 0) * 1.0
        / func.nullif(func.count(distinct(Order.customer_id)), 0),
        "reroutes": func.count(distinct(ActionExecution.key)),
    }
    groups = [columns[d].label(d) for d in q.dimensions]
    stmt = select(*groups, metrics[q.metric].label("value")).select_from(Order)
    if q.metric == "reroutes":
        stmt = stmt.join(ActionExecution, ActionExecution.entity_id == Order.id).where(
            ActionExecution.action.in_(["execute_reroute", "convert_to_pickup"]))
    if need_lines:
        stmt = stmt.join(OrderLine, OrderLine.order_id == Order.id)
    if "category" in used:
        stmt = stmt.join(Product, Product.sku == OrderLine.sku)
    if "state" in used:
        stmt = stmt.outerjoin(Address, Address.id == Order.ship_to_id)
    if "carrier" in used:
        stmt = stmt.outerjoin(CarrierService, CarrierService.id == Order.service_id)
    if q.metric in ("late_orders", "on_time_rate", "promise_hit_rate", "avg_delivery_days"):
        stmt = stmt.outerjoin(Shipment, Shipment.order_id == Order.id)
    if q.metric in ("revenue", "customer_lifetime_value"):
        stmt = stmt.where(Order.status != OrderStatus.cancelled)
    stmt = stmt.where(time_col >= lo, time_col < hi)
    for dim, values in q.filters.items():
        stmt = stmt.where(columns[dim].in_(_filter_values(dim, values)))
    if groups:
        stmt = stmt.group_by(*groups).order_by(*groups)
    rows = []
    for row in deps.session.execute(stmt):
        value = row[-1]
        if value is None:
            continue
        group: dict[str, str] = {d: _text(row[i]) for i, d in enumerate(q.dimensions)}
        rows.append(AnalyticsRow(group=group, value=round(float(value), 4)))
    return rows


def _filter_values(dim: str, values: list[str]) -> list[Any]:
    """Day and week filters compare as dates (ISO strings in the spec)."""
    if dim not in ("day", "week"):
        return values
    try:
        return [date.fromisoformat(v) for v in values]
    except ValueError:
        raise InvalidInput(f"filters.{dim} takes ISO dates (YYYY-MM-DD)", field="filters") from None


def _text(value: Any) -> str:
    if value is None:
        return "(none)"
    return value.value if hasattr(value, "value") else str(value)


def _live(deps: Deps, q: AnalyticsQuery, start: date, end: date) -> list[AnalyticsRow]:
    from promesa.domain.capacity import scan_risk
    from promesa.domain.load import node_days

    nodes = q.filters.get("node")
    days = (end - start).days + 1
    if q.metric == "at_risk_orders":
        report = scan_risk(deps, start=start, days=min(days, 31), node_ids=nodes, limit=None)
        counts: dict[tuple[str, ...], int] = {}
        for risk in report.at_risk:
            key = tuple(_text(risk.node_id) for _ in q.dimensions)
            counts[key] = counts.get(key, 0) + 1
        if not q.dimensions:
            return [AnalyticsRow(group={}, value=float(len(report.at_risk)))]
        return [AnalyticsRow(group=dict(zip(q.dimensions, k, strict=True)), value=float(v)) for k, v in sorted(counts.items())]
    rows = node_days(deps.session, node_ids=nodes, start=start, days=days)
    if "day" in q.filters:
        rows = [r for r in rows if r.day.isoformat() in q.filters["day"]]
    groups: dict[tuple[str, ...], list[tuple[float, date]]] = {}
    for r in rows:
        if r.utilisation is None:
            continue
        key = tuple(r.node_id if d == "node" else r.day.isoformat() for d in q.dimensions)
        groups.setdefault(key, []).append((r.utilisation, r.day))
    if "day" in q.dimensions:  # one node-day per row: its own utilisation, in calendar order
        return [AnalyticsRow(group=dict(zip(q.dimensions, key, strict=True)), value=round(100 * max(v)[0], 2))
                for key, v in sorted(groups.items())]
    # over several days a group is as loaded as its busiest day; busiest groups first, so a
    # list cut at the top shows the nodes that need attention (not the first ones by name)
    peaks = {key: max(v, key=lambda u: (u[0], -u[1].toordinal())) for key, v in groups.items()}
    ranked = sorted(peaks.items(), key=lambda kv: (-kv[1][0], kv[0]))
    multi_day = start != end
    return [AnalyticsRow(group=dict(zip(q.dimensions, key, strict=True)), value=round(100 * peak, 2),
                         peak_day=day if multi_day and peak > 0 else None)
            for key, (peak, day) in ranked]
