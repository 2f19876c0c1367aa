"""Inventory events against a hand-built world: each type, duplicates, stale moves, conflicts."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from promesa.domain.events.ingest import ingest_batch
from promesa.domain.events.sources import principal_for
from promesa.store.models import AuditEntry, DeadLetter, InventoryPosition
from tests.domain.events_helpers import NOW, ev, send, settings, world


def _pos(session, node="MX-STORE-01", sku="SKU-1"):
    session.expire_all()
    row = session.get(InventoryPosition, (node, sku))
    return (row.on_hand, row.reserved)


def test_pos_sale_takes_unreserved_units_and_is_audited(session):
    world(session)
    result = send(session, ev("inventory.pos_sale", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 3}))
    assert result.status == "accepted" and result.applied
    assert _pos(session) == (2, 1)
    assert result.changes[0] == {"kind": "inventory", "id": "MX-STORE-01/SKU-1", "node_id": "MX-STORE-01",
                                 "sku": "SKU-1", "on_hand": 2, "reserved": 1, "atp": 1}
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "event.inventory.pos_sale.v1"))
    assert entry.actor_role == "system" and entry.details["source"] == "/sources/oms"


def test_pos_sale_of_reserved_units_is_a_conflict_and_a_dead_letter(session):
    world(session)
    result = send(session, ev("inventory.pos_sale", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 5}))
    assert result.status == "rejected" and result.error.code == "conflict"
    assert result.error.field == "data.quantity"
    assert _pos(session) == (5, 1)
    letter = session.scalar(select(DeadLetter))
    assert letter.event_id == result.id and letter.code == "conflict"


def test_redelivery_changes_nothing_and_answers_the_original_outcome(session):
    world(session)
    sale = ev("inventory.pos_sale", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 1})
    first = send(session, sale)
    again = send(session, sale)
    assert again.status == "duplicate" and again.applied and again.changes == first.changes
    assert _pos(session) == (4, 1)


def test_receipt_creates_a_position(session):
    world(session)
    send(session, ev("inventory.receipt", {"node_id": "DC-MTY-01", "sku": "SKU-TV", "quantity": 7}))
    assert _pos(session, "DC-MTY-01", "SKU-TV") == (7, 0)


def test_transfer_moves_units_and_refuses_reserved_ones(session):
    world(session)
    ok = send(session, ev("inventory.transfer", {"from_node_id": "DC-CDMX-01", "to_node_id": "MX-STORE-01",
                                                 "sku": "SKU-1", "quantity": 4}))
    assert ok.status == "accepted"
    assert _pos(session) == (9, 1) and _pos(session, "DC-CDMX-01") == (6, 0)
    too_many = send(session, ev("inventory.transfer", {"from_node_id": "MX-STORE-01",
                                                       "to_node_id": "DC-CDMX-01", "sku": "SKU-1",
                                                       "quantity": 9}))
    assert too_many.status == "rejected" and _pos(session) == (9, 1)


def test_cycle_count_reconciles_with_moves_in_any_order(session):
    world(session)
    # a sale at T+10 arrives before the count taken at T+5: the count plus the later sale
    send(session, ev("inventory.pos_sale", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 1}, minutes=10))
    send(session, ev("inventory.cycle_count", {"node_id": "MX-STORE-01", "sku": "SKU-1", "counted": 8}, minutes=5))
    assert _pos(session) == (7, 1)
    # a receipt from before the count is already in it: stale
    late = send(session, ev("inventory.receipt", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 3}, minutes=1))
    assert late.status == "accepted" and late.applied is False
    assert _pos(session) == (7, 1)
    # an older count changes nothing either
    old = send(session, ev("inventory.cycle_count", {"node_id": "MX-STORE-01", "sku": "SKU-1", "counted": 50}, minutes=2))
    assert old.applied is False and _pos(session) == (7, 1)


def test_shrink_may_take_reserved_units_but_never_below_zero(session):
    world(session)
    send(session, ev("inventory.shrink", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 5,
                                          "reason": "damaged"}))
    assert _pos(session) == (0, 1)
    more = send(session, ev("inventory.shrink", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 1}))
    assert more.status == "rejected" and _pos(session) == (0, 1)


def test_reservation_and_release(session):
    world(session)
    send(session, ev("inventory.reserved", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 4}))
    assert _pos(session) == (5, 5)
    over = send(session, ev("inventory.reserved", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 1}))
    assert over.status == "rejected" and over.error.code == "conflict"
    send(session, ev("inventory.released", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 2}))
    assert _pos(session) == (5, 3)
    too_much = send(session, ev("inventory.released", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 9}))
    assert too_much.status == "rejected" and _pos(session) == (5, 3)


def test_bad_payload_names_the_field(session):
    world(session)
    result = send(session, ev("inventory.pos_sale", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": -2}))
    assert result.status == "rejected" and result.error.field == "data.quantity"
    unknown = send(session, ev("inventory.pos_sale", {"node_id": "NOPE", "sku": "SKU-1", "quantity": 1}))
    assert unknown.error.code == "not_found" and unknown.error.field == "data.node_id"
    no_time = ev("inventory.receipt", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 1})
    del no_time["time"]
    assert send(session, no_time).error.field == "time"
    typo = send(session, ev("inventory.receipt", {"node_id": "MX-STORE-01", "sku": "SKU-1", "qty": 1}))
    assert typo.status == "rejected" and typo.error.field in ("data.quantity", "data.qty")


def test_scopes_are_checked_in_the_domain(session):
    world(session)
    pos = principal_for("pos")
    refused = send(session, ev("inventory.reserved", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 1},
                               source="/sources/pos"), pos)
    assert refused.status == "rejected" and refused.error.code == "forbidden"
    spoofed = send(session, ev("inventory.pos_sale", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 1},
                               source="/sources/oms"), pos)
    assert spoofed.status == "rejected" and spoofed.error.field == "source"
    allowed = send(session, ev("inventory.pos_sale", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 1},
                               source="/sources/pos"), pos)
    assert allowed.status == "accepted" and _pos(session) == (4, 1)


@pytest.mark.parametrize("path", ["one", "batch"])
def test_the_audit_names_the_source_that_sent_the_event_and_what_it_sent(session, path):
    world(session)
    sale = ev("inventory.pos_sale", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 2, "ticket": "T-1"},
              source="/sources/pos")
    if path == "one":
        assert send(session, sale, principal_for("pos")).status == "accepted"
    else:  # the set-based batch path writes its audit rows in bulk: they must say the same
        sessions = sessionmaker(bind=session.get_bind())
        [result] = ingest_batch(sessions, principal_for("pos"), NOW, settings(), [sale])
        assert result.status == "accepted"
    session.expire_all()
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "event.inventory.pos_sale.v1"))
    assert (entry.actor_role, entry.actor_subject) == ("system", "source:pos")
    assert (entry.entity_type, entry.entity_id) == ("inventory", "MX-STORE-01/SKU-1")
    assert (entry.details["source"], entry.details["event_id"], entry.details["sender"]) == (
        "/sources/pos", sale["id"], "system:source:pos")
    assert entry.details["data"] == {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": 2, "ticket": "T-1"}
