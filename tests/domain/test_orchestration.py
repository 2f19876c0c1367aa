"""Orchestration worked by hand: each trigger, each autonomy rule, idempotency and reversal.

Friday 20 Nov 2026 10:00 in Monterrey. Store CUR (San Pedro) holds PO-1's line (ship-by today,
promised Saturday 21: Estafeta takes a local working day). Store OTHER (Cumbres, 8 km away)
has the SKU, so shipping from OTHER today still arrives Saturday at the same price.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from promesa.domain.deps import Deps
from promesa.domain.orchestration import run
from promesa.domain.orchestration.config import AutonomyPolicy
from promesa.principal import Principal, Role
from promesa.store.enums import (
    FulfillmentType,
    LineStatus,
    NoticeKind,
    NoticeStatus,
    OrchestrationDecision,
    OrderStatus,
    TrackingEventType,
    TriggerKind,
)
from promesa.store.models import AuditEntry, InventoryPosition, Notice, OrchestrationAction, OrderLine
from tests.domain import builders
from tests.domain.ops_world import (
    MERIDA,
    NOW,
    SALTILLO,
    TODAY,
    add_order,
    add_override,
)
from tests.domain.orchestration_world import SAT, world

OPS = Principal(role=Role.ops, subject="ops-luis")


def deps(session, settings, now=NOW, principal=OPS) -> Deps:
    return Deps(session=session, principal=principal, now=now, settings=settings)


def reserved(session, node_id: str) -> int:
    return session.get(InventoryPosition, (node_id, "SKU-1"), populate_existing=True).reserved


def action(session, order_id="PO-1") -> OrchestrationAction:
    return session.scalars(select(OrchestrationAction).where(OrchestrationAction.order_id == order_id)).one()


def test_stock_loss_rerouted_automatically_once_and_reversible(session, settings):
    world(session)
    report = run.orchestrate(deps(session, settings))
    session.commit()
    assert report.by_trigger == {"stock_loss": 1} and report.by_decision == {"auto_executed": 1}
    row = action(session)
    assert row.trigger is TriggerKind.stock_loss and row.option_id == "ship_from_node:OTHER:ESTAFETA-STD"
    assert row.rule == "auto_reroute:keeps_promise+within_cost+invisible"
    line = session.scalars(select(OrderLine).where(OrderLine.order_id == "PO-1")).one()
    assert line.allocated_node_id == "OTHER"
    assert reserved(session, "OTHER") == 1 and reserved(session, "CUR") == 0
    audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "execute_reroute")).one()
    assert audited.details["approved_by"] == f"policy:{row.rule}"
    assert session.scalars(select(Notice)).all() == []  # nothing the customer sees changed
    # a second pass: the trigger is gone (the order is safe) and nothing runs twice
    again = run.orchestrate(deps(session, settings))
    session.commit()
    assert again.by_decision == {} and len(session.scalars(select(OrchestrationAction)).all()) == 1
    # staff revert it once the store has stock again
    session.get(InventoryPosition, ("CUR", "SKU-1")).on_hand = 3
    session.commit()
    reverted = run.revert(deps(session, settings), row.id, note="stock found")
    session.commit()
    assert reverted.decision is OrchestrationDecision.reverted
    session.refresh(line)
    assert line.allocated_node_id == "CUR" and line.ship_by == TODAY
    assert reserved(session, "OTHER") == 0
    assert reserved(session, "CUR") == 1  # PO-1's unit, held at CUR again


def test_the_same_trigger_seen_twice_is_handled_once(session, settings):
    world(session)
    settings = settings.model_copy(update={"autonomy": AutonomyPolicy(enabled=False)})
    first = run.orchestrate(deps(session, settings))
    session.commit()
    second = run.orchestrate(deps(session, settings))
    session.commit()
    assert first.by_decision == {"awaiting_approval": 1}
    assert second.already_handled == 1 and second.by_decision == {}
    assert action(session).decision is OrchestrationDecision.awaiting_approval


def test_policy_rules_send_options_to_staff(session, settings):
    world(session)
    for policy, why in ((AutonomyPolicy(enabled=False), "policy is off"),
                        (AutonomyPolicy(invisible_kinds=()), "changes what the customer sees")):
        session.execute(OrchestrationAction.__table__.delete())
        session.expunge_all()
        session.commit()
        report = run.orchestrate(deps(session, settings.model_copy(update={"autonomy": policy})))
        session.commit()
        assert report.by_decision == {"awaiting_approval": 1}, policy
        assert why in action(session).detail
    queued = run.pending(deps(session, settings))
    assert [q.order_id for q in queued] == ["PO-1"] and queued[0].proposal["order_id"] == "PO-1"
    approved = run.approve(deps(session, settings), queued[0].id, note="ok")
    session.commit()
    assert approved.decision is OrchestrationDecision.approved and approved.decided_by == "ops:ops-luis"
    assert session.scalars(select(OrderLine).where(OrderLine.order_id == "PO-1")).one().allocated_node_id == "OTHER"


def test_an_option_over_the_cost_limit_waits_and_within_it_runs(session, settings):
    # OTHER in Saltillo (regional): Estafeta arrives Monday (late); DHL Express arrives Saturday
    # at (119 + 9 × 1 kg) × 1.6 = 204.80 MXN against 79 + 6 = 85.00 now: +119.80
    world(session, other_at=SALTILLO)
    run.orchestrate(deps(session, settings))
    session.commit()
    row = action(session)
    assert row.decision is OrchestrationDecision.awaiting_approval
    assert row.option_id == "upgrade_service:OTHER:DHL-EXP" and "+119.80 MXN, over the policy's 50.00" in row.detail
    session.execute(OrchestrationAction.__table__.delete())
    session.expunge_all()
    session.commit()
    generous = settings.model_copy(update={"autonomy": AutonomyPolicy(max_extra_cost_mxn=150.0)})
    run.orchestrate(deps(session, generous))
    session.commit()
    assert action(session).decision is OrchestrationDecision.auto_executed


def test_no_option_drafts_a_spanish_delay_notice_once(session, settings):
    world(session, other_stock=0)
    report = run.orchestrate(deps(session, settings))
    session.commit()
    assert report.by_decision == {"no_option": 1} and report.notices_drafted == 1
    notice = session.scalars(select(Notice)).one()
    assert (notice.channel.value, notice.language, notice.kind) == ("email", "es", NoticeKind.delay)
    assert notice.recipient == "ana@example.com" and "PO-1" in notice.subject
    assert "sábado 21 de noviembre" in notice.body  # the promise, phrased from the fields
    assert notice.status is NoticeStatus.scheduled and notice.send_after == NOW
    run.orchestrate(deps(session, settings))
    session.commit()
    assert len(session.scalars(select(Notice)).all()) == 1


def test_english_customer_gets_english(session, settings):
    world(session, other_stock=0, locale="en-US")
    run.orchestrate(deps(session, settings))
    session.commit()
    notice = session.scalars(select(Notice)).one()
    assert notice.language == "en" and "Saturday 21 November" in notice.body and "late" in notice.subject


def test_carrier_delay_is_a_notice_with_the_new_date(session, settings):
    world(session, other_stock=5, cur_on_hand=5)
    builders.add_shipment(session, "SH-1", "PO-1", "CUR", "ESTAFETA-STD")
    line = session.scalars(select(OrderLine).where(OrderLine.order_id == "PO-1")).one()
    line.status = LineStatus.shipped
    line.order.status = OrderStatus.in_transit
    builders.add_event(session, "PO-1", TrackingEventType.delay_exception, NOW - timedelta(hours=1),
                       revised_eta=SAT + timedelta(days=3), reason="weather")
    session.commit()
    report = run.orchestrate(deps(session, settings))
    session.commit()
    assert report.by_trigger == {"carrier_delay": 1} and report.by_decision == {"notice_only": 1}
    notice = session.scalars(select(Notice)).one()
    assert notice.fields["new_date"] == "2026-11-24" and "martes 24 de noviembre" in notice.body
    assert "cupón" in notice.body  # 3 days late ≥ 2: the policy's coupon


def test_node_closure_and_capacity_drop_are_told_apart(session, settings):
    world(session, other_stock=50, cur_on_hand=50)
    add_order(session, "PO-2", "C-1", [("SKU-1", 1)], node_id="CUR", ship_by=TODAY, promised=SAT)
    add_override(session, "CUR", TODAY, orders=1, units=100)  # two due, room for one
    session.commit()
    run.orchestrate(deps(session, settings))
    session.commit()
    kinds = {r.trigger for r in session.scalars(select(OrchestrationAction))}
    assert kinds == {TriggerKind.capacity_drop}
    session.execute(OrchestrationAction.__table__.delete())
    session.expunge_all()
    session.get(builders.NodeCapacity, ("CUR", TODAY)).orders = 0  # closed today
    session.commit()
    run.orchestrate(deps(session, settings))
    session.commit()
    kinds = {r.trigger for r in session.scalars(select(OrchestrationAction))}
    assert kinds == {TriggerKind.node_closed}


def test_missed_cutoff(session, settings):
    world(session, other_stock=0, cur_on_hand=5)
    late = datetime.fromisoformat("2026-11-20T15:30:00-06:00")  # after CUR's 14:00 cut-off
    run.orchestrate(deps(session, settings, now=late))
    session.commit()
    assert action(session).trigger is TriggerKind.missed_cutoff


def test_pickup_hold_ending_sends_a_reminder(session, settings):
    world(session, other_stock=0, cur_on_hand=5)
    add_order(session, "PO-3", "C-1", [("SKU-1", 1)], node_id="CUR", ship_by=TODAY - timedelta(days=3),
              promised=TODAY - timedelta(days=3), status=OrderStatus.ready_for_pickup,
              line_status=LineStatus.packed, fulfillment=FulfillmentType.pickup, pickup_node_id="CUR")
    session.get(builders.Order, "PO-3").pickup_hold_until = SAT
    session.commit()
    run.orchestrate(deps(session, settings))
    session.commit()
    row = action(session, "PO-3")
    assert row.trigger is TriggerKind.pickup_expiring and row.decision is OrchestrationDecision.notice_only
    notice = session.scalars(select(Notice).where(Notice.order_id == "PO-3")).one()
    assert notice.kind is NoticeKind.pickup_reminder and "Cur" in notice.body


def test_customers_cannot_orchestrate(session, settings):
    world(session)
    import pytest

    from promesa.errors import Forbidden
    with pytest.raises(Forbidden):
        run.orchestrate(deps(session, settings, principal=Principal(role=Role.customer, subject="C-1")))


def test_stock_gone_with_no_option_in_time_queues_the_earliest_late_move(session, settings):
    # CUR lost PO-1's unit; the only stock is in Mérida (~1,500 km: the national band). Shipped
    # today, DHL Express takes 2 delivery days (Mon–Sat): Sat 21, Mon 23; Estafeta 3: Tue 24.
    # Nothing keeps Saturday's promise, but left at CUR the order never ships at all, so the
    # earliest move waits for staff (it breaks the promise: never automatic) and the customer
    # is told the new date now.
    world(session, other_at=MERIDA)
    report = run.orchestrate(deps(session, settings))
    session.commit()
    assert report.by_decision == {"awaiting_approval": 1} and report.notices_drafted == 1
    row = action(session)
    assert row.option_id == "upgrade_service:OTHER:DHL-EXP" and row.rule is None
    assert "stock is gone at CUR" in row.detail and "delivers on 2026-11-23" in row.detail
    notice = session.scalars(select(Notice)).one()
    assert notice.kind is NoticeKind.delay and "lunes 23 de noviembre" in notice.body
    run.approve(deps(session, settings), row.id, note="better late than never")
    session.commit()
    line = session.scalars(select(OrderLine).where(OrderLine.order_id == "PO-1")).one()
    assert line.allocated_node_id == "OTHER" and reserved(session, "OTHER") == 1 and reserved(session, "CUR") == 0
