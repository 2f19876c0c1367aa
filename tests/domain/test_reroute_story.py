"""Story checks on the demo world: PO-5002 goes to MTY-STORE-02; DC-GDL-01 is over capacity tomorrow."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from promesa.domain.capacity import scan_risk
from promesa.domain.deps import Deps
from promesa.domain.fulfillment.proposals import propose_reroute
from promesa.domain.reference import invalidate
from promesa.settings import Settings
from promesa.world.demo import build_demo_world
from tests.domain.ops_world import NOW


def test_demo_stories(engine, ops):
    build_demo_world(engine, now=NOW, orders=200, seed=7)
    invalidate()
    with Session(engine) as session:
        deps = Deps(session=session, principal=ops, now=NOW, settings=Settings(_env_file=None))
        proposal = propose_reroute(deps, "PO-5002")
        assert proposal.recommended_node == "MTY-STORE-02"
        assert proposal.problem and proposal.problem.startswith("MTY-STORE-01 is short of")
        report = scan_risk(deps)
        gdl = next(r for r in report.node_days if r.node_id == "DC-GDL-01" and r.day == date(2026, 11, 21))
        assert gdl.capacity_orders == 40 and gdl.backlog_orders >= 20
        late = {r.order_id for r in report.at_risk if r.reason == "over_capacity"}
        assert len(late & {f"PO-{n}" for n in range(5100, 5160)}) >= 20
        assert any(r.order_id == "PO-5001" and r.reason == "carrier_delay" for r in report.at_risk)
