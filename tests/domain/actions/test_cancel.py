"""Cancellation eligibility and execution on the hand-worked world of ``world.py``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from promesa.domain.actions.cancel import cancel_order, propose_cancel
from promesa.errors import Forbidden, InvalidInput, NotFound, PolicyViolation
from promesa.store.enums import LineStatus, OrderStatus, RefundStatus
from promesa.store.models import (
    AuditEntry,
    InventoryPosition,
    NodeLoad,
    Order,
    OrderLine,
    Refund,
)
from tests.domain.actions.world import BETO, SUPPORT, TODAY, VISITOR, build, deps


@pytest.fixture
def world(session):
    build(session)
    return session


def _reserved(session) -> int:
    session.expire_all()
    return session.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).reserved


def test_whole_order_before_picking_is_proposed_with_its_refund(world):
    p = propose_cancel(deps(world), "PO-1")
    assert p.eligible and p.whole_order
    assert [c.line_no for c in p.lines] == [1, 2]
    assert p.refund.amount == Decimal("1500.00")
    # card refunds: 10 business days from Fri 20 Nov -> Fri 4 Dec
    assert p.refund.expected_by == date(2026, 12, 4)


def test_cancel_releases_reservations_capacity_and_refunds_once(world):
    load_before = world.get(NodeLoad, ("DC-CDMX-01", TODAY)).unit_count
    result = cancel_order(deps(world), order_id="PO-1", idempotency_key="k-1")
    assert result.order_status == "cancelled"
    assert result.released == [{"node_id": "DC-CDMX-01", "sku": "SKU-1", "quantity": 3}]
    assert _reserved(world) == 0
    assert world.get(NodeLoad, ("DC-CDMX-01", TODAY)).unit_count == load_before - 3
    refunds = world.scalars(select(Refund)).all()
    assert [(r.amount, r.status) for r in refunds] == [(Decimal("1500.00"), RefundStatus.issued)]
    again = cancel_order(deps(world), order_id="PO-1", idempotency_key="k-1")
    assert again.replayed and again.refund_id == result.refund_id
    assert len(world.scalars(select(Refund)).all()) == 1
    audit = world.scalars(select(AuditEntry).where(AuditEntry.action == "cancel_order")).all()
    assert len(audit) == 1 and audit[0].details["approved_by"] == "customer:C-1"


def test_one_line_keeps_the_order_open(world):
    result = cancel_order(deps(world), order_id="PO-1", line_nos=[2], idempotency_key="k-2")
    assert result.order_status == "allocated"
    assert result.refund.amount == Decimal("500.00")
    assert _reserved(world) == 2
    statuses = [ln.status for ln in world.scalars(select(OrderLine).where(OrderLine.order_id == "PO-1")
                                                  .order_by(OrderLine.line_no))]
    assert statuses == [LineStatus.allocated, LineStatus.cancelled]


def test_picked_line_is_refused_with_reason_and_alternatives(world):
    p = propose_cancel(deps(world), "PO-2")
    assert not p.eligible
    assert p.refusals[0].code == "line_picked" and p.refusals[0].line_no == 1
    assert "refuse the delivery" in p.refusals[0].alternatives[0]
    assert "within 30 days" in p.refusals[0].alternatives[1]
    assert "Line(s) [2] can still be cancelled" in p.reason
    with pytest.raises(PolicyViolation, match="line 1"):
        cancel_order(deps(world), order_id="PO-2", idempotency_key="k-3")
    assert _reserved(world) == 3  # nothing half-written
    assert world.scalars(select(Refund)).all() == []
    # the unpicked line alone can go
    assert cancel_order(deps(world), order_id="PO-2", line_nos=[2], idempotency_key="k-4").refund


@pytest.mark.parametrize("order_id, code", [("PO-3", "line_shipped"), ("PO-4", "line_delivered")])
def test_shipped_and_delivered_orders_are_refused(world, order_id, code):
    p = propose_cancel(deps(world), order_id)
    assert not p.eligible and p.refusals[0].code == code and p.refusals[0].alternatives


def test_already_cancelled(world):
    cancel_order(deps(world), order_id="PO-1", idempotency_key="k-5")
    p = propose_cancel(deps(world), "PO-1")
    assert not p.eligible and p.refusals[0].code == "order_cancelled"
    with pytest.raises(PolicyViolation, match="already cancelled"):
        cancel_order(deps(world), order_id="PO-1", idempotency_key="k-6")


def test_someone_elses_order_looks_missing_and_visitors_may_not_write(world):
    with pytest.raises(NotFound, match="order PO-1 not found"):
        propose_cancel(deps(world, BETO), "PO-1")
    with pytest.raises(NotFound):
        cancel_order(deps(world, BETO), order_id="PO-1", idempotency_key="k-7")
    with pytest.raises(Forbidden):
        cancel_order(deps(world, VISITOR), order_id="PO-1", idempotency_key="k-8")
    assert world.get(Order, "PO-1").status is OrderStatus.allocated


def test_support_cancels_for_a_customer_and_the_audit_names_the_approver(world):
    r = cancel_order(deps(world, SUPPORT), order_id="PO-9", idempotency_key="k-9",
                     approved_by="support:agent-ana", note="customer called")
    assert r.approved_by == "support:agent-ana"
    entry = world.scalars(select(AuditEntry).where(AuditEntry.entity_id == "PO-9")).one()
    assert entry.actor_role == "support" and entry.details["note"] == "customer called"


def test_bad_input_names_the_field(world):
    with pytest.raises(InvalidInput) as bad:
        propose_cancel(deps(world), "PO-1", line_nos=[7])
    assert bad.value.field == "line_nos"
    with pytest.raises(InvalidInput) as nokey:
        cancel_order(deps(world), order_id="PO-1", idempotency_key="")
    assert nokey.value.field == "idempotency_key"


def test_a_key_reused_for_another_order_conflicts(world):
    from promesa.errors import Conflict

    cancel_order(deps(world), order_id="PO-1", idempotency_key="k-10")
    with pytest.raises(Conflict):
        cancel_order(deps(world, SUPPORT), order_id="PO-9", idempotency_key="k-10")
