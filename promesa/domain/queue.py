"""One day of a node's FIFO queue: which of its waiting buckets that day's capacity ships.

Work waits as ship-by buckets, oldest ship-by first. A day ships buckets whole while they fit,
then as much of the next as the binding limit (orders or units) allows, and stops there: the
rest waits for the next day. :func:`ship_one_day` is the single step both queue simulations of
:mod:`promesa.domain.load` run (the node-day plan and the backlog ship day), so the two cannot
drift apart. Pure: it reads only its arguments and returns new values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Bucket:
    """Open work of one node with one ship-by date."""

    ship_by: date
    orders: int
    units: int


@dataclass(frozen=True)
class Capacity:
    """A node's capacity on one day, and where it comes from."""

    orders: int
    units: int
    ships: bool
    source: str


class Shipped(NamedTuple):
    """Part of a bucket leaving on ``day`` (``day > ship_by`` means late)."""

    ship_by: date
    day: date
    orders: int
    units: int


@dataclass(frozen=True, slots=True)
class DayShipping:
    """What one day ships (in queue order) and the queue left for the next day."""

    shipped: tuple[Shipped, ...]
    waiting: tuple[Bucket, ...]
    orders: int
    units: int

    def cleared(self, ship_by: date) -> bool:
        """Whether the bucket due ``ship_by`` left this day, its last part included."""
        left = any(part.ship_by == ship_by for part in self.shipped)
        return left and not (self.waiting and self.waiting[0].ship_by == ship_by)


def take(bucket: Bucket, rem_orders: int, rem_units: int) -> tuple[int, int]:
    """How many orders and units of ``bucket`` fit in what is left of the day.

    Orders are treated as interchangeable within a bucket (its average units per order), so
    whichever of the two limits binds first decides. A bucket with no orders (units only) takes
    as many units as are left.
    """
    if 0 < bucket.orders <= rem_orders and bucket.units <= rem_units:
        return bucket.orders, bucket.units  # the whole bucket fits: the common case, no division
    if bucket.orders == 0:
        return 0, min(bucket.units, rem_units)
    by_units = bucket.orders if bucket.units == 0 else (rem_units * bucket.orders) // bucket.units
    n = max(0, min(bucket.orders, rem_orders, by_units))
    if n == bucket.orders:
        return n, bucket.units
    return n, (bucket.units * n) // bucket.orders


def utilisation(demand_orders: int, demand_units: int, capacity: Capacity) -> float | None:
    """Demand over capacity, the larger of orders and units (4 places); None at zero capacity."""
    if capacity.orders == 0 or capacity.units == 0:
        return None
    by_orders, by_units = demand_orders / capacity.orders, demand_units / capacity.units
    return round(by_orders if by_orders >= by_units else by_units, 4)


def ship_one_day(queue: Sequence[Bucket], day: date, capacity: Capacity) -> DayShipping:
    """Ship ``queue`` (oldest ship-by first) on ``day`` within ``capacity``.

    A bucket that fits leaves whole; the first that does not leaves in part (if anything of it
    fits) and everything behind it waits. A zero-order bucket (units only) needs no order slot:
    it leaves whole when its units fit, even on a day whose orders are used up, and otherwise
    waits whole.
    """
    rem_orders, rem_units = capacity.orders, capacity.units
    shipped: list[Shipped] = []
    index, count = 0, len(queue)
    rest: tuple[Bucket, ...] = ()
    while index < count:
        head = queue[index]
        if head.orders == 0:
            if head.units > rem_units:
                break
            n, u = 0, head.units
        else:
            if rem_orders <= 0:
                break
            n, u = take(head, rem_orders, rem_units)
            if n == 0:
                break
        shipped.append(Shipped(head.ship_by, day, n, u))
        rem_orders -= n
        rem_units -= u
        index += 1
        if n < head.orders:  # the head left in part: its remainder heads tomorrow's queue
            rest = (Bucket(head.ship_by, head.orders - n, head.units - u),)
            break
    waiting = rest + tuple(queue[index:]) if index else tuple(queue)
    return DayShipping(tuple(shipped), waiting, capacity.orders - rem_orders,
                       capacity.units - rem_units)
