"""Claims, complaints and refund status on the hand-worked world of ``world.py``.

PO-4 was delivered Sat 14 Nov 12:00 (scan): damage claims run until 19 Nov (5 days), a
not-received claim until 16 Nov 12:00 (48 h). PO-3 is in transit with promise 24 Nov: a lost-parcel
investigation opens from 30 Nov (more than 5 days past the estimate).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from promesa.domain.actions.cancel import cancel_order
from promesa.domain.actions.claims import (
    file_complaint,
    open_claim,
    propose_claim,
    propose_complaint,
)
from promesa.domain.actions.refunds import refund_status
from promesa.errors import Forbidden, InvalidInput, NotFound, PolicyViolation
from promesa.store.enums import CaseKind, CaseResolution, CaseStatus
from promesa.store.models import AuditEntry, InventoryPosition, Order, OrderLine, Refund, SupportCase
from tests.domain.actions.world import BETO, SUPPORT, build, deps

WED = datetime.fromisoformat("2026-11-18T10:00:00-06:00")
SUN = datetime.fromisoformat("2026-11-15T10:00:00-06:00")
LATE = datetime.fromisoformat("2026-11-30T10:00:00-06:00")


@pytest.fixture
def world(session):
    build(session)
    return session


def test_damaged_needs_photos_then_reships_when_stock_allows(world):
    p = propose_claim(deps(world, now=WED), "PO-4", kind=CaseKind.damaged, line_nos=[1])
    assert not p.eligible and p.missing_facts == ["photos"]
    p = propose_claim(deps(world, now=WED), "PO-4", kind=CaseKind.damaged, line_nos=[1], has_photos=True)
    assert p.eligible and p.resolution is CaseResolution.reship and not p.needs_staff
    r = open_claim(deps(world, now=WED), order_id="PO-4", kind=CaseKind.damaged, line_nos=[1],
                   has_photos=True, idempotency_key="c-1", description="caja aplastada")
    assert r.case_id == "CS-PO-4-1" and r.status is CaseStatus.open and r.refund_id is None
    assert open_claim(deps(world, now=WED), order_id="PO-4", kind=CaseKind.damaged, line_nos=[1],
                      has_photos=True, idempotency_key="c-1").replayed
    assert len(world.scalars(select(SupportCase)).all()) == 1


def test_a_reship_creates_one_paid_replacement_order_with_the_item_reserved(world):
    before = world.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).reserved
    p = propose_claim(deps(world, now=WED), "PO-4", kind=CaseKind.damaged, line_nos=[1], has_photos=True)
    assert p.replacement_node_id == "DC-CDMX-01" and p.replacement_eta is not None
    args = dict(order_id="PO-4", kind=CaseKind.damaged, line_nos=[1], has_photos=True, idempotency_key="c-r")
    r = open_claim(deps(world, now=WED), **args)
    assert r.replacement_order_id == "PO-4-X1"
    new = world.get(Order, "PO-4-X1")
    assert new.total == 0 and new.customer_id == world.get(Order, "PO-4").customer_id
    assert new.promised_date == p.replacement_eta
    (line,) = world.scalars(select(OrderLine).where(OrderLine.order_id == "PO-4-X1")).all()
    original = world.scalars(select(OrderLine).where(OrderLine.order_id == "PO-4", OrderLine.line_no == 1)).one()
    assert (line.sku, line.quantity, line.allocated_node_id) == (original.sku, original.quantity, "DC-CDMX-01")
    reserved = world.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).reserved
    assert reserved == before + original.quantity
    assert world.get(SupportCase, r.case_id).facts["replacement_order_id"] == "PO-4-X1"
    # a replayed confirmation reships nothing twice
    again = open_claim(deps(world, now=WED), **args)
    assert again.replayed and again.replacement_order_id == "PO-4-X1"
    assert world.scalars(select(Order).where(Order.id.like("PO-4-X%"))).all() == [new]
    assert world.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).reserved == reserved
    audit = world.scalars(select(AuditEntry).where(AuditEntry.action == "open_claim")).one()
    assert audit.details["replacement_order_id"] == "PO-4-X1"


def test_a_reship_whose_last_unit_went_meanwhile_makes_no_replacement_order(world):
    p = propose_claim(deps(world, now=WED), "PO-4", kind=CaseKind.damaged, line_nos=[1], has_photos=True)
    assert p.resolution is CaseResolution.reship
    pos = world.get(InventoryPosition, ("DC-CDMX-01", "SKU-1"))
    pos.reserved = pos.on_hand  # someone took every unit after the proposal
    world.flush()
    r = open_claim(deps(world, now=WED), order_id="PO-4", kind=CaseKind.damaged, line_nos=[1], has_photos=True,
                   idempotency_key="c-gone")
    # decided again when it runs: what the policy allows now (a refund), never an unreserved reship
    assert r.resolution is CaseResolution.refund and r.replacement_order_id is None
    assert world.get(Order, "PO-4-X1") is None and pos.reserved == pos.on_hand


def test_damaged_refunds_when_no_stock_or_preferred(world):
    world.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).on_hand = 3  # all reserved: ATP 0
    world.flush()
    p = propose_claim(deps(world, now=WED), "PO-4", kind=CaseKind.damaged, line_nos=[1], has_photos=True)
    assert p.resolution is CaseResolution.refund and p.refund.amount == Decimal("1000.00")
    assert "no node has the item" in p.reason
    r = open_claim(deps(world, now=WED), order_id="PO-4", kind=CaseKind.damaged, line_nos=[2],
                   has_photos=True, prefer="refund", idempotency_key="c-2")
    assert r.status is CaseStatus.resolved and r.refund.amount == Decimal("8000.00")
    assert world.scalars(select(Refund)).one().case_id == r.case_id


def test_damage_window_closes_after_five_days(world):
    p = propose_claim(deps(world), "PO-4", kind=CaseKind.damaged, has_photos=True)
    assert p.refusals[0].code == "claim_window_closed" and "until 2026-11-19" in p.reason


def test_missing_item_goes_to_staff(world):
    p = propose_claim(deps(world, now=WED), "PO-4", kind=CaseKind.missing_item, line_nos=[3])
    assert p.eligible and p.needs_staff and p.resolution is CaseResolution.investigation
    r = open_claim(deps(world, now=WED), order_id="PO-4", kind=CaseKind.missing_item, line_nos=[3],
                   idempotency_key="c-3")
    assert r.status is CaseStatus.escalated


def test_not_received_within_48_hours_of_the_scan(world):
    assert propose_claim(deps(world, now=SUN), "PO-4", kind=CaseKind.not_arrived).needs_staff
    late = propose_claim(deps(world, now=WED), "PO-4", kind=CaseKind.not_arrived)
    assert late.refusals[0].code == "claim_window_closed"


def test_in_transit_investigation_opens_five_days_after_the_estimate(world):
    early = propose_claim(deps(world), "PO-3", kind=CaseKind.not_arrived)
    assert early.refusals[0].code == "too_early" and "from 2026-11-30" in early.reason
    assert propose_claim(deps(world, now=LATE), "PO-3", kind=CaseKind.not_arrived).eligible
    assert propose_claim(deps(world), "PO-1", kind=CaseKind.not_arrived).refusals[0].code == "not_shipped"


def test_refused_claim_writes_nothing(world):
    with pytest.raises(PolicyViolation):
        open_claim(deps(world), order_id="PO-4", kind=CaseKind.damaged, idempotency_key="c-4")
    assert world.scalars(select(SupportCase)).all() == []


def test_complaint_opens_a_case_for_a_person(world):
    p = propose_complaint(deps(world), summary="El repartidor fue grosero", order_id="PO-3")
    assert p.needs_staff and p.resolution is CaseResolution.staff_review
    r = file_complaint(deps(world), summary="El repartidor fue grosero", order_id="PO-3", idempotency_key="q-1")
    assert r.case_id == "CS-PO-3-1" and r.status is CaseStatus.open
    general = file_complaint(deps(world, SUPPORT), summary="Long wait on the phone", customer_id="C-2",
                             idempotency_key="q-2")
    assert general.customer_id == "C-2" and general.case_id == "CS-C-2-1"
    with pytest.raises(InvalidInput):
        propose_complaint(deps(world), summary="  ")
    with pytest.raises(InvalidInput) as staff:
        propose_complaint(deps(world, SUPPORT), summary="something happened")
    assert staff.value.field == "customer_id"
    with pytest.raises(NotFound):
        propose_complaint(deps(world, BETO), summary="not mine at all", order_id="PO-3")


def test_refund_status_lists_amount_method_state_and_date(world):
    cancel_order(deps(world), order_id="PO-1", line_nos=[1], idempotency_key="k-1")
    status = refund_status(deps(world))
    assert [(v.order_id, v.amount, v.status.value, v.method.value, str(v.expected_by))
            for v in status.refunds] == [("PO-1", Decimal("1000.00"), "issued", "original_payment", "2026-12-04")]
    assert refund_status(deps(world), order_id="PO-1").total == Decimal("1000.00")
    assert refund_status(deps(world, BETO)).refunds == []
    with pytest.raises(NotFound):
        refund_status(deps(world, BETO), order_id="PO-1")
    with pytest.raises(Forbidden):
        refund_status(deps(world, BETO), customer_id="C-1")
    assert refund_status(deps(world, SUPPORT), customer_id="C-1").total == Decimal("1000.00")
