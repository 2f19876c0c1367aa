"""Return eligibility (window, category, condition, marketplace, quantity) and the RMA it creates.

PO-4 was delivered Sat 14 Nov; today is Fri 20 Nov. Windows: SKU-1 (home) 30 days -> 14 Dec;
SKU-TV (electronics) 15 days -> 29 Nov; SKU-MK (marketplace, TechMart) max(30, 15) -> 14 Dec;
SKU-UW (underwear) is excluded. PO-5 was delivered 10 Oct: its window ended 9 Nov.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from promesa.domain.actions.records import ReturnItem
from promesa.domain.actions.returns import propose_return, start_return
from promesa.errors import InvalidInput, NotFound, PolicyViolation
from promesa.store.enums import ItemCondition, RefundMethod, RefundStatus, ReturnMethod
from promesa.store.models import Refund, ReturnAuthorization, ReturnLine
from tests.domain.actions.world import BETO, SUPPORT, build, deps


@pytest.fixture
def world(session):
    build(session)
    return session


def _one(line_no, **kw):
    return [ReturnItem(line_no=line_no, **kw)]


def test_home_item_inside_window_gets_store_dropoff_and_card_refund(world):
    p = propose_return(deps(world), "PO-4", items=_one(1))
    assert p.eligible
    assert p.lines[0].window_ends == date(2026, 12, 14) and p.lines[0].amount == Decimal("1000.00")
    assert p.dropoff_node_id == "CDMX-STORE-01"  # the nearest store taking drop-offs
    assert p.refund.amount == Decimal("1000.00") and p.refund.expected_by == date(2026, 12, 4)


def test_carrier_pickup_and_store_credit_dates(world):
    p = propose_return(deps(world), "PO-4", items=_one(1), method=ReturnMethod.carrier_pickup)
    assert p.dropoff_node_id is None and p.refund.expected_by == date(2026, 12, 7)  # Mon 23 + 10
    credit = propose_return(deps(world), "PO-4", items=_one(1), refund_method=RefundMethod.store_credit)
    assert credit.refund.expected_by == date(2026, 11, 23)  # within 1 business day


def test_electronics_window_is_shorter(world):
    later = datetime.fromisoformat("2026-11-30T10:00:00-06:00")
    p = propose_return(deps(world, now=later), "PO-4", items=_one(2))
    assert not p.eligible and p.refusals[0].code == "window_closed"
    assert "ended on 2026-11-29" in p.refusals[0].reason
    assert propose_return(deps(world, now=later), "PO-4", items=_one(1)).eligible


def test_marketplace_item_follows_the_seller_minimum(world):
    p = propose_return(deps(world), "PO-4", items=_one(4))
    assert p.eligible and p.seller == "TechMart" and p.lines[0].window_ends == date(2026, 12, 14)


def test_excluded_category_and_damaged_and_used(world):
    assert propose_return(deps(world), "PO-4", items=_one(3)).refusals[0].code == "category_excluded"
    damaged = propose_return(deps(world), "PO-4", items=_one(1, condition=ItemCondition.damaged))
    assert damaged.refusals[0].code == "damaged_is_a_claim"
    used = propose_return(deps(world), "PO-4", items=_one(1, condition=ItemCondition.used))
    assert used.refusals[0].code == "item_used"


def test_window_closed_and_not_delivered(world):
    assert propose_return(deps(world), "PO-5").refusals[0].code == "window_closed"
    p = propose_return(deps(world), "PO-1")
    assert p.refusals[0].code == "not_delivered" and "cancel" in p.refusals[0].alternatives[0]


def test_start_return_creates_rma_lines_and_pending_refund_once(world):
    r = start_return(deps(world), order_id="PO-4", items=_one(1, quantity=1), idempotency_key="r-1")
    assert r.rma_id == "RMA-PO-4-1" and r.refund.amount == Decimal("500.00")
    assert world.get(ReturnAuthorization, "RMA-PO-4-1").dropoff_node_id == "CDMX-STORE-01"
    again = start_return(deps(world), order_id="PO-4", items=_one(1, quantity=1), idempotency_key="r-1")
    assert again.replayed and again.rma_id == r.rma_id
    assert len(world.scalars(select(ReturnLine)).all()) == 1
    refund = world.scalars(select(Refund)).one()
    assert refund.status is RefundStatus.pending and refund.return_id == "RMA-PO-4-1"
    # one unit left on line 1: two more is refused, one more is fine
    with pytest.raises(PolicyViolation, match="1 unit"):
        start_return(deps(world), order_id="PO-4", items=_one(1, quantity=2), idempotency_key="r-2")
    assert start_return(deps(world), order_id="PO-4", items=_one(1), idempotency_key="r-3").rma_id == "RMA-PO-4-2"
    assert propose_return(deps(world), "PO-4", items=_one(1)).refusals[0].code == "already_returned"


def test_refusal_executes_nothing(world):
    with pytest.raises(PolicyViolation):
        start_return(deps(world), order_id="PO-4", items=_one(3), idempotency_key="r-4")
    assert world.scalars(select(ReturnAuthorization)).all() == []


def test_other_customers_order_and_bad_store(world):
    with pytest.raises(NotFound):
        propose_return(deps(world, BETO), "PO-4")
    with pytest.raises(InvalidInput) as bad:
        propose_return(deps(world, SUPPORT), "PO-4", items=_one(1), dropoff_node_id="DC-CDMX-01")
    assert bad.value.field == "dropoff_node_id"
    with pytest.raises(InvalidInput) as line:
        propose_return(deps(world), "PO-4", items=_one(9))
    assert line.value.field == "items"
