"""The access rules, the audit helper and the reference cache's invalidation."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from promesa.domain import access, audit
from promesa.domain.deps import Deps
from promesa.domain.reference import invalidate, reference
from promesa.errors import Forbidden, NotFound
from promesa.principal import SYSTEM, Principal, Role
from promesa.settings import Settings
from promesa.store.models import AuditEntry, Node
from tests.domain.builders import add_node

CUSTOMER = Principal(role=Role.customer, subject="C-1")
VISITOR = Principal(role=Role.anonymous, order_scope="PO-1001")


@pytest.mark.parametrize("principal, order_id, customer_id, visible", [
    (CUSTOMER, "PO-1001", "C-1", True),
    (CUSTOMER, "PO-1002", "C-2", False),
    (VISITOR, "PO-1001", "C-2", True),
    (VISITOR, "PO-1002", "C-2", False),
    (Principal(role=Role.anonymous), "PO-1001", "C-1", False),
    (Principal(role=Role.customer), "PO-1001", "C-1", False),
    (Principal(role=Role.support, subject="s"), "PO-1002", "C-2", True),
    (SYSTEM, "PO-1002", "C-2", True),
])
def test_order_visibility(principal, order_id, customer_id, visible):
    assert access.can_see_order(principal, order_id=order_id, customer_id=customer_id) is visible
    if not visible:
        with pytest.raises(NotFound) as err:
            access.ensure_order_visible(principal, order_id=order_id, customer_id=customer_id)
        assert str(err.value) == str(access.order_not_found(order_id))


def test_customer_visibility():
    access.ensure_customer_visible(CUSTOMER, "C-1")
    access.ensure_customer_visible(Principal(role=Role.ops, subject="o"), "C-2")
    for principal, customer in ((CUSTOMER, "C-2"), (VISITOR, "C-1")):
        with pytest.raises(Forbidden):
            access.ensure_customer_visible(principal, customer)
    with pytest.raises(Forbidden):
        access.ensure_staff(CUSTOMER, "scanning risk")


def test_audit_record_commits_with_the_work(session, now, support):
    deps = Deps(session=session, principal=support, now=now, settings=Settings(_env_file=None))
    audit.record(deps, "reroute_executed", "order", "PO-1001", {"to": "MTY-STORE-02"})
    session.commit()
    entry = session.scalars(select(AuditEntry)).one()
    assert (entry.actor_role, entry.actor_subject, entry.action) == ("support", "agent-ana",
                                                                     "reroute_executed")
    assert entry.details == {"to": "MTY-STORE-02"} and entry.occurred_at == now


def test_reference_cache_follows_orm_writes(session):
    add_node(session, "DC-1", "Ciudad de México", 19.4, -99.1)
    session.commit()
    assert reference(session).nodes["DC-1"].cutoff_time == time(14, 0)
    node = session.get(Node, "DC-1")
    node.cutoff_time = time(12, 0)
    session.commit()
    assert reference(session).nodes["DC-1"].cutoff_time == time(12, 0)
    # a write that is rolled back must not linger in the cache
    node.cutoff_time = time(9, 0)
    session.flush()
    assert reference(session).nodes["DC-1"].cutoff_time == time(9, 0)
    session.rollback()
    assert reference(session).nodes["DC-1"].cutoff_time == time(12, 0)
    # Core writes bypass the ORM: loaders call invalidate()
    session.execute(Node.__table__.update().values(cutoff_time=time(11, 0)))
    session.commit()
    invalidate(session.get_bind())
    assert reference(session).nodes["DC-1"].cutoff_time == time(11, 0)


def test_reference_cache_follows_core_writes(session):
    add_node(session, "DC-1", "Ciudad de México", 19.4, -99.1)
    session.commit()
    assert reference(session).nodes["DC-1"].cutoff_time == time(14, 0)
    session.execute(Node.__table__.update().values(cutoff_time=time(10, 0)))
    session.commit()
    assert reference(session).nodes["DC-1"].cutoff_time == time(10, 0)
