"""The FIFO day step both queue simulations run, checked against hand-computed days."""

from __future__ import annotations

from datetime import date, timedelta

from promesa.domain.queue import Bucket, Capacity, DayShipping, Shipped, ship_one_day, take, utilisation

MON = date(2026, 11, 23)
D = timedelta(days=1)


def cap(orders: int, units: int) -> Capacity:
    return Capacity(orders, units, True, "default")


def test_buckets_that_fit_leave_whole_oldest_first():
    # 2 + 3 orders (4 + 6 units) fit in 10 orders / 20 units: both leave, nothing waits
    step = ship_one_day((Bucket(MON - D, 2, 4), Bucket(MON, 3, 6)), MON, cap(10, 20))
    assert step == DayShipping(
        shipped=(Shipped(MON - D, MON, 2, 4), Shipped(MON, MON, 3, 6)), waiting=(), orders=5, units=10)


def test_the_order_limit_splits_the_head_and_the_rest_waits():
    # 4 orders of capacity: the first bucket (3) leaves, 1 of the second's 5 orders (10 units:
    # 2 a piece) goes with it; its 4 other orders and the third bucket wait, in order
    queue = (Bucket(MON, 3, 3), Bucket(MON + D, 5, 10), Bucket(MON + 2 * D, 1, 1))
    step = ship_one_day(queue, MON, cap(4, 100))
    assert step.shipped == (Shipped(MON, MON, 3, 3), Shipped(MON + D, MON, 1, 2))
    assert step.waiting == (Bucket(MON + D, 4, 8), Bucket(MON + 2 * D, 1, 1))
    assert (step.orders, step.units) == (4, 5)
    assert step.cleared(MON) and not step.cleared(MON + D)


def test_the_unit_limit_binds_first_at_the_average_units_per_order():
    # 6 orders of 30 units (5 each) with 12 units left: 12 * 6 // 30 = 2 orders, 10 units
    assert take(Bucket(MON, 6, 30), 10, 12) == (2, 10)
    step = ship_one_day((Bucket(MON, 6, 30),), MON, cap(10, 12))
    assert step.shipped == (Shipped(MON, MON, 2, 10),)
    assert step.waiting == (Bucket(MON, 4, 20),)


def test_nothing_ships_on_a_closed_day_and_the_queue_is_unchanged():
    queue = (Bucket(MON, 2, 2),)
    step = ship_one_day(queue, MON, Capacity(0, 0, False, "closed"))
    assert step == DayShipping(shipped=(), waiting=queue, orders=0, units=0)


def test_a_head_too_big_for_even_one_order_blocks_the_day():
    # one order needs 50 units (a bucket of 1 order, 50 units) and only 10 are left: nothing
    # ships, and the small bucket behind it waits too (first in, first out)
    queue = (Bucket(MON, 1, 50), Bucket(MON + D, 1, 1))
    step = ship_one_day(queue, MON, cap(5, 10))
    assert step.shipped == () and step.waiting == queue


def test_a_zero_order_bucket_needs_no_order_slot_but_leaves_only_whole():
    # the zero-order case: units with no order count (the two old loops disagreed on it)
    ship_units_only = ship_one_day((Bucket(MON, 0, 3), Bucket(MON + D, 1, 1)), MON, cap(0, 5))
    assert ship_units_only.shipped == (Shipped(MON, MON, 0, 3),)
    assert ship_units_only.waiting == (Bucket(MON + D, 1, 1),)  # no order slot left for it
    assert ship_units_only.cleared(MON)
    too_many_units = ship_one_day((Bucket(MON, 0, 8),), MON, cap(5, 5))
    assert too_many_units.shipped == () and too_many_units.waiting == (Bucket(MON, 0, 8),)
    assert take(Bucket(MON, 0, 8), 5, 5) == (0, 5)


def test_an_empty_queue_ships_nothing():
    assert ship_one_day((), MON, cap(3, 3)) == DayShipping((), (), 0, 0)


def test_utilisation_is_the_larger_of_orders_and_units_and_none_at_zero_capacity():
    assert utilisation(3, 10, cap(4, 40)) == 0.75  # 3/4 orders beats 10/40 units
    assert utilisation(1, 30, cap(4, 40)) == 0.75  # 30/40 units beats 1/4 orders
    assert utilisation(2, 2, Capacity(0, 0, False, "closed")) is None


class _Calendar:
    """Two orders and ten units a day, every day (what ``CapacityCalendar.on`` answers)."""

    def on(self, day: date) -> Capacity:
        return cap(2, 10)


def test_both_simulations_run_the_same_step_even_with_a_zero_order_bucket_ahead():
    from promesa.domain.load import queue_ship_day, simulate

    # Mon: 0 orders / 4 units (units only), 3 orders / 3 units; Tue: 1 order / 1 unit.
    # Hand-run at 2 orders, 10 units a day: Mon ships the units-only bucket and 2 of Mon's 3;
    # Tue ships Mon's last order and Tue's one: Tue's bucket clears on Tue, demand 2 orders.
    buckets = [Bucket(MON, 0, 4), Bucket(MON, 3, 3), Bucket(MON + D, 1, 1)]
    plan = simulate("N", buckets, {MON + i * D: cap(2, 10) for i in range(3)}, MON, 3)
    assert plan.shipped == [Shipped(MON, MON, 0, 4), Shipped(MON, MON, 2, 2),
                            Shipped(MON, MON + D, 1, 1), Shipped(MON + D, MON + D, 1, 1)]
    assert [d.backlog_orders for d in plan.days] == [1, 0, 0]
    # the backlog ship day of an order due Wednesday behind a units-only Monday bucket and 3
    # orders due Tuesday: Mon ships the units, Tue 2 of 3, Wed the last and the new order, at
    # demand 2 orders / 2 units of 2 / 10 (utilisation 1.0). The old second loop stopped at the
    # units-only bucket for good and found no ship day at all.
    found = queue_ship_day([Bucket(MON, 0, 4), Bucket(MON + D, 3, 3)], _Calendar(),  # type: ignore[arg-type]
                           earliest=MON, target=MON + 2 * D)
    assert found == (MON + 2 * D, 1.0)
