"""Many threads race to reroute orders onto the last units of one node (PostgreSQL only)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from promesa.domain.deps import Deps
from promesa.domain.fulfillment.execution import execute_reroute
from promesa.errors import Conflict
from promesa.settings import Settings
from promesa.store.models import InventoryPosition
from tests.domain.ops_world import NOW, last_units_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("PROMESA_TEST_DATABASE_URL"), reason="needs PostgreSQL"),
]
THREADS = 8
UNITS = 3


def test_no_oversell_under_races(engine, ops):
    if engine.dialect.name != "postgresql":
        pytest.skip("the race runs on PostgreSQL")
    with Session(engine) as session:
        last_units_world(session, orders=THREADS, units=UNITS)

    def attempt(i: int) -> str:
        with Session(engine) as session, session.begin():
            deps = Deps(session=session, principal=ops, now=NOW, settings=Settings(_env_file=None))
            try:
                execute_reroute(deps, order_id=f"PO-{i}", option_id="ship_from_node:LAST:ESTAFETA-STD",
                                idempotency_key=f"race-{i}", approved_by="ops")
                return "ok"
            except Conflict:
                return "conflict"

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(attempt, range(THREADS)))
    assert outcomes.count("ok") == UNITS
    with Session(engine) as session:
        last = session.get(InventoryPosition, ("LAST", "SKU-1"))
        assert last.reserved == UNITS and last.on_hand - last.reserved - last.safety_stock == 0
        for pos in session.scalars(select(InventoryPosition)):
            assert pos.reserved >= 0 and pos.on_hand >= 0
