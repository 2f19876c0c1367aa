"""Shoppers race for the last slot of a node-day (PostgreSQL, real concurrent transactions).

DC-CDMX-01 has one order slot left on Friday and stock for all; every shopper was shown
Saturday. Exactly one places on it; each other gets a requote (Monday) and writes nothing, and
the node-day's load never goes past its capacity.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promesa.domain.deps import Deps
from promesa.domain.promising.placement import PlaceOrder, place_order
from promesa.domain.promising.records import CartLine, PlacementStatus
from promesa.principal import Principal, Role
from promesa.store.models import InventoryPosition, NodeLoad, Order
from tests.domain.builders import add_address, add_customer
from tests.domain.test_promising import FRI, MON, SAT, world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("PROMESA_TEST_DATABASE_URL"), reason="needs PostgreSQL"),
]
SHOPPERS = 6


def test_only_one_shopper_gets_the_last_slot(engine, now, settings):
    if engine.dialect.name != "postgresql":
        pytest.skip("the race runs on PostgreSQL")
    with Session(engine) as session:
        world(session)
        for i in range(SHOPPERS):
            add_customer(session, f"R-{i}", f"Racer {i}")
            add_address(session, f"RA-{i}", f"R-{i}", "Ciudad de México", 19.40, -99.15, postal_code="06700")
        session.commit()
    start = threading.Barrier(SHOPPERS)

    def attempt(i: int):
        with Session(engine) as session, session.begin():
            who = Principal(role=Role.customer, subject=f"R-{i}")
            request = PlaceOrder(customer_id=f"R-{i}", ship_to_id=f"RA-{i}", accepted_delivery_date=SAT,
                                 idempotency_key=f"race-key-{i}", lines=[CartLine(sku="SKU-1", quantity=1)])
            start.wait()
            return place_order(Deps(session=session, principal=who, now=now, settings=settings), request)

    with ThreadPoolExecutor(SHOPPERS) as pool:
        results = list(pool.map(attempt, range(SHOPPERS)))
    placed = [r for r in results if r.status is PlacementStatus.placed]
    requoted = [r for r in results if r.status is PlacementStatus.requote]
    assert len(placed) == 1 and placed[0].promised_date == SAT
    assert len(requoted) == SHOPPERS - 1
    assert all(r.plan.latest_delivery == MON for r in requoted)
    with Session(engine) as session:
        assert session.get(NodeLoad, ("DC-CDMX-01", FRI)).order_count == 1
        assert session.scalar(select(func.count()).select_from(Order)) == 1
        assert session.get(InventoryPosition, ("DC-CDMX-01", "SKU-1")).reserved == 1
