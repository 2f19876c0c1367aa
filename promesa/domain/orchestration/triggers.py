"""Triggers: what moved under which order's promise, named so a second pass knows it saw it.

The risk scan (:func:`promesa.domain.capacity.scan_risk`) already finds the orders that will
miss, with the reason: a carrier delay exception, a stock-out at the allocated node (stock loss
or a cycle-count shortfall), a node's queue over its capacity, a ship-by or cut-off gone. Here a
queue over capacity is a *node closure* when the node is closed that day (inactive, or an
override of zero orders) and a *capacity drop* otherwise. Pickup orders still waiting when their
hold ends tomorrow or sooner come from the orders themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from promesa.domain.capacity import AtRiskOrder, scan_risk
from promesa.domain.deps import Deps
from promesa.domain.load import capacity_calendars
from promesa.domain.reference import reference
from promesa.store.enums import OrderStatus, TriggerKind
from promesa.store.models import Order

#: Days the scan looks ahead (the orders that will miss within them).
SCAN_DAYS = 7
_BY_REASON = {"carrier_delay": TriggerKind.carrier_delay, "out_of_stock": TriggerKind.stock_loss,
              "cutoff_missed": TriggerKind.missed_cutoff, "over_capacity": TriggerKind.capacity_drop}


@dataclass(frozen=True)
class Trigger:
    """One thing that moved under an order's promise (``key`` names it for the next pass)."""

    kind: TriggerKind
    order_id: str
    ref: str  # what exactly moved: a node and day, a revised ETA, a hold date
    node_id: str | None
    promised_date: date
    expected_date: date | None  # when it arrives as things stand (None: unknown)
    detail: str

    @property
    def key(self) -> str:
        return f"{self.order_id}:{self.kind.value}:{self.ref}"[:200]


def _closed(deps: Deps, risks: list[AtRiskOrder]) -> set[tuple[str, date]]:
    """(node, day) pairs among the capacity risks where the node ships nothing that day."""
    ref = reference(deps.session)
    pairs: set[tuple[str, date]] = set()
    for r in risks:
        day = r.expected_ship_day or r.ship_by
        if r.reason == "over_capacity" and r.node_id and day:
            pairs.add((r.node_id, day))
    if not pairs:
        return set()
    days = [d for _, d in pairs]
    nodes = [ref.nodes[n] for n, _ in pairs if n in ref.nodes]
    calendars = capacity_calendars(deps.session, nodes, min(days) - timedelta(days=7), max(days))
    closed: set[tuple[str, date]] = set()
    for node_id, day in pairs:
        calendar = calendars.get(node_id)
        if calendar is None:
            continue
        node_off = not calendar.node.active
        ship_by = day
        # the node is closed on the line's ship-by day (what pushed the queue), or inactive
        window = [ship_by - timedelta(days=i) for i in range(0, 3)]
        if node_off or any(calendar.on(d).ships and calendar.on(d).orders == 0 for d in window):
            closed.add((node_id, day))
    return closed


def detect(deps: Deps) -> list[Trigger]:
    """Every trigger standing at ``deps.now`` (staff or system principal)."""
    today = deps.now.astimezone(deps.settings.tz).date()
    report = scan_risk(deps, start=today, days=SCAN_DAYS, limit=None)
    closed = _closed(deps, report.at_risk)
    found: list[Trigger] = []
    for risk in report.at_risk:
        kind = _BY_REASON.get(risk.reason)
        if kind is None:
            continue
        day = risk.expected_ship_day or risk.ship_by
        if kind is TriggerKind.capacity_drop and (risk.node_id, day) in closed:
            kind = TriggerKind.node_closed
        expected = risk.promised_date + timedelta(days=risk.days_late) if risk.days_late else None
        ref = (expected.isoformat() if kind is TriggerKind.carrier_delay and expected
               else f"{risk.node_id}:{risk.ship_by}")
        found.append(Trigger(kind, risk.order_id, ref, risk.node_id, risk.promised_date, expected, risk.detail))
    hold_ends = today + timedelta(days=1)
    for order_id, until, promised, node in deps.session.execute(
            select(Order.id, Order.pickup_hold_until, Order.promised_date, Order.pickup_node_id)
            .where(Order.status == OrderStatus.ready_for_pickup, Order.pickup_hold_until.is_not(None),
                   Order.pickup_hold_until <= hold_ends, Order.pickup_hold_until >= today)):
        assert until is not None  # the query keeps orders with a hold date only
        found.append(Trigger(TriggerKind.pickup_expiring, order_id, until.isoformat(), node, promised, until,
                             f"ready for pickup, hold ends {until}"))
    return found
