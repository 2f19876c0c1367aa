"""A pickup that keeps the promise is the customer's to accept, never the policy's or staff's.

Friday 20 Nov 2026 10:00 in Monterrey. PO-1 (promised Saturday 21) sat at store CUR, which lost
its stock. OTHER (Cumbres, 8 km) has the SKU but is a pickup-only store: it ships nothing, so no
delivery keeps the promise, while a pickup at OTHER is ready today (2 h of processing, well
before its 14:00 cut-off). Only the customer can consent to going to a store.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from promesa.domain.deps import Deps
from promesa.domain.fulfillment.proposals import propose_reroute
from promesa.domain.notices import outbox
from promesa.domain.notices.outbox import OfferState
from promesa.domain.orchestration import offers, run
from promesa.domain.orchestration.config import NoticePolicy
from promesa.errors import Conflict, Forbidden, NotFound
from promesa.principal import Principal, Role
from promesa.store.enums import (
    FulfillmentType,
    NoticeKind,
    OrchestrationDecision,
    TriggerKind,
)
from promesa.store.models import InventoryPosition, Notice, OrchestrationAction, Order, OrderLine
from tests.domain.ops_world import NOW, TODAY
from tests.domain.orchestration_world import world

OPS = Principal(role=Role.ops, subject="ops-luis")
ANA = Principal(role=Role.customer, subject="C-1")


def deps(session, settings, principal=OPS) -> Deps:
    return Deps(session=session, principal=principal, now=NOW, settings=settings)


def reserved(session, node_id: str) -> int:
    return session.get(InventoryPosition, (node_id, "SKU-1"), populate_existing=True).reserved


def the_action(session) -> OrchestrationAction:
    return session.scalars(select(OrchestrationAction).where(OrchestrationAction.order_id == "PO-1")).one()


def the_notice(session) -> Notice:
    return session.scalars(select(Notice).where(Notice.order_id == "PO-1")).one()


def test_only_a_pickup_keeps_the_promise_so_the_customer_is_offered_it(session, settings):
    world(session, other_ships=False)
    report = run.orchestrate(deps(session, settings))
    session.commit()
    assert report.by_trigger == {"stock_loss": 1}
    assert report.by_decision == {"awaiting_customer": 1} and report.notices_drafted == 1
    row = the_action(session)
    assert row.option_id == "pickup:OTHER:pickup" and row.decided_by is None
    assert run.pending(deps(session, settings)) == []  # not staff's to approve
    notice = the_notice(session)
    assert notice.kind is NoticeKind.pickup_offer and notice.language == "es"
    assert notice.fields["store_name"] == "Other" and notice.fields["pickup_ready"] == "2026-11-20"
    assert "recoger en Other el viernes 20 de noviembre" in notice.body
    assert "Te prometimos el sábado 21 de noviembre" in notice.body
    # nothing the customer sees changed yet: still a delivery from CUR
    order = session.get(Order, "PO-1")
    assert order.fulfillment_type is FulfillmentType.ship and reserved(session, "OTHER") == 0
    shown = outbox.customer_notices(deps(session, settings, ANA), "C-1")
    assert [(n.kind, n.offer) for n in shown] == [(NoticeKind.pickup_offer, OfferState.open)]

    accepted = offers.accept(deps(session, settings, ANA), notice.id)
    session.commit()
    assert (accepted.node_id, accepted.store_name, accepted.ready_date) == ("OTHER", "Other", TODAY)
    session.refresh(order)
    assert order.fulfillment_type is FulfillmentType.pickup and order.pickup_node_id == "OTHER"
    line = session.scalars(select(OrderLine).where(OrderLine.order_id == "PO-1")).one()
    assert line.allocated_node_id == "OTHER" and reserved(session, "OTHER") == 1
    row = the_action(session)
    assert row.decision is OrchestrationDecision.accepted and row.decided_by == "customer:C-1"
    assert outbox.customer_notices(deps(session, settings, ANA), "C-1")[0].offer is OfferState.accepted
    # a second tap on the same button changes nothing
    again = offers.accept(deps(session, settings, ANA), notice.id)
    session.commit()
    assert again.replayed and reserved(session, "OTHER") == 1


def test_staff_approving_a_queued_pickup_offers_it_to_the_customer(session, settings):
    # a pickup queued for staff (e.g. before this rule): approving it must not fail, nor convert
    world(session, other_ships=False)
    proposal = propose_reroute(deps(session, settings), "PO-1")
    session.add(OrchestrationAction(key="PO-1:stock_loss:CUR:2026-11-20", order_id="PO-1",
                                    trigger=TriggerKind.stock_loss, trigger_ref="CUR:2026-11-20", detected_at=NOW,
                                    decision=OrchestrationDecision.awaiting_approval, option_id="pickup:OTHER:pickup",
                                    detail="only pickup keeps it", proposal=proposal.model_dump(mode="json")))
    session.commit()
    queued = run.pending(deps(session, settings))
    shown = run.approve(deps(session, settings), queued[0].id, note="the customer will like it")
    session.commit()
    assert shown.decision is OrchestrationDecision.awaiting_customer
    assert session.get(Order, "PO-1").fulfillment_type is FulfillmentType.ship  # staff's yes is not consent
    notice = the_notice(session)
    assert notice.kind is NoticeKind.pickup_offer
    offers.accept(deps(session, settings, ANA), notice.id)
    session.commit()
    assert session.get(Order, "PO-1", populate_existing=True).fulfillment_type is FulfillmentType.pickup


def test_only_the_customer_themself_can_accept(session, settings):
    world(session, other_ships=False)
    run.orchestrate(deps(session, settings))
    session.commit()
    notice = the_notice(session)
    with pytest.raises(Forbidden):
        offers.accept(deps(session, settings, OPS), notice.id)
    with pytest.raises(NotFound):
        offers.accept(deps(session, settings, Principal(role=Role.customer, subject="C-2")), notice.id)
    assert session.get(Order, "PO-1").fulfillment_type is FulfillmentType.ship


def test_an_offer_the_store_can_no_longer_hold_is_a_conflict_and_changes_nothing(session, settings):
    world(session, other_ships=False)
    run.orchestrate(deps(session, settings))
    session.commit()
    session.get(InventoryPosition, ("OTHER", "SKU-1")).on_hand = 0  # sold in the store meanwhile
    session.commit()
    with pytest.raises(Conflict):
        offers.accept(deps(session, settings, ANA), the_notice(session).id)
    session.rollback()
    assert the_action(session).decision is OrchestrationDecision.awaiting_customer
    assert session.get(Order, "PO-1").fulfillment_type is FulfillmentType.ship


def test_a_notice_staff_have_not_released_is_not_shown_to_the_customer(session, settings):
    world(session, other_stock=0)
    held = settings.model_copy(update={"notices": NoticePolicy(require_approval=True)})
    run.orchestrate(deps(session, held))
    session.commit()
    assert outbox.customer_notices(deps(session, held, ANA), "C-1") == []
    assert outbox.latest_note(deps(session, held, ANA), "PO-1") is None
    outbox.approve(deps(session, held), the_notice(session).id)
    session.commit()
    assert [n.kind for n in outbox.customer_notices(deps(session, held, ANA), "C-1")] == [NoticeKind.delay]
    assert outbox.latest_note(deps(session, held, ANA), "PO-1").kind is NoticeKind.delay
