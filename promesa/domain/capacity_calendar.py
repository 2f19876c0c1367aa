"""A node's capacity calendar: its daily defaults, per-date overrides and non-shipping days.

The overrides come from ``node_capacity`` (capacity events: peaks, closures) through
:func:`promesa.domain.store_queries.capacity_overrides`; everything else is the node's reference
row. The queue simulations (:mod:`promesa.domain.load`), promising slots, reroute options and
the orchestrator's triggers read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from promesa.domain.calendar import is_working_day
from promesa.domain.queue import Capacity
from promesa.domain.reference import NodeRef
from promesa.domain.store_queries import capacity_overrides


@dataclass
class CapacityCalendar:
    """A node's daily capacity: its defaults, per-date overrides and non-shipping weekdays."""

    node: NodeRef
    overrides: dict[date, Any] = field(default_factory=dict)  # rows with orders, units, reason

    def on(self, day: date) -> Capacity:
        """The node's capacity on ``day``: closed, an override, or its defaults."""
        if not self.node.active or not is_working_day(day, self.node.ship_weekdays):
            return Capacity(0, 0, False, "closed")
        override = self.overrides.get(day)
        if override is not None:
            return Capacity(override.orders, override.units, True, f"override: {override.reason or '-'}")
        return Capacity(self.node.capacity_orders, self.node.capacity_units, True, "default")


def capacity_calendars(
    session: Session, nodes: Iterable[NodeRef], first: date, last: date
) -> dict[str, CapacityCalendar]:
    """Capacity calendars of ``nodes`` with the overrides between ``first`` and ``last``."""
    calendars = {n.id: CapacityCalendar(n, {}) for n in nodes}
    if not calendars:
        return calendars
    # plain rows (node_id, day, orders, units, reason), not ORM objects: nothing to track
    for row in capacity_overrides(session, list(calendars), first, last):
        if row.node_id in calendars:
            calendars[row.node_id].overrides[row.day] = row
    return calendars

