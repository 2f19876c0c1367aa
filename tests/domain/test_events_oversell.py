"""POS sales, web reservations and reroute executions race for the last units (PostgreSQL).

Every writer takes one unit of the 3 the store has; exactly 3 win, every loser gets a typed
Conflict, and no position goes below zero.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from promesa.domain.deps import Deps
from promesa.domain.events.ingest import ingest
from promesa.domain.fulfillment.execution import execute_reroute
from promesa.errors import Conflict
from promesa.principal import SYSTEM
from promesa.store.models import InventoryPosition
from tests.domain.events_helpers import NOW, ev, settings
from tests.domain.ops_world import last_units_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("PROMESA_TEST_DATABASE_URL"), reason="needs PostgreSQL"),
]
UNITS = 3
PER_KIND = 4


def test_pos_sales_reservations_and_reroutes_never_oversell(engine, ops):
    if engine.dialect.name != "postgresql":
        pytest.skip("the race runs on PostgreSQL")
    with Session(engine) as session:
        last_units_world(session, orders=PER_KIND, units=UNITS)
    start = threading.Barrier(3 * PER_KIND)

    def attempt(job: tuple[str, int]) -> str:
        kind, i = job
        with Session(engine) as session, session.begin():
            deps = Deps(session=session, principal=ops if kind == "reroute" else SYSTEM, now=NOW,
                        settings=settings())
            start.wait()
            if kind == "reroute":
                try:
                    execute_reroute(deps, order_id=f"PO-{i}", option_id="ship_from_node:LAST:ESTAFETA-STD",
                                    idempotency_key=f"race-{i}", approved_by="ops")
                    return "ok"
                except Conflict:
                    return "conflict"
            kind_name = "inventory.pos_sale" if kind == "sale" else "inventory.reserved"
            result = ingest(deps, ev(kind_name, {"node_id": "LAST", "sku": "SKU-1", "quantity": 1}))
            if result.status == "accepted":
                return "ok"
            assert result.error is not None and result.error.code == "conflict", result.error
            return "conflict"

    jobs = [(kind, i) for i in range(PER_KIND) for kind in ("sale", "reserve", "reroute")]
    with ThreadPoolExecutor(len(jobs)) as pool:
        outcomes = list(pool.map(attempt, jobs))
    assert outcomes.count("ok") == UNITS and outcomes.count("conflict") == len(jobs) - UNITS
    with Session(engine) as session:
        last = session.get(InventoryPosition, ("LAST", "SKU-1"))
        sold = sum(1 for (kind, _), o in zip(jobs, outcomes, strict=True) if kind == "sale" and o == "ok")
        assert last.on_hand == UNITS - sold and last.reserved == UNITS - sold
        assert last.on_hand - last.reserved == 0
        for pos in session.scalars(select(InventoryPosition)):
            assert pos.on_hand >= 0 and pos.reserved >= 0 and pos.reserved <= max(pos.on_hand, PER_KIND)
