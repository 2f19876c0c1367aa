"""Any interleaving and redelivery of event streams that keeps each source's own order ends in
the state the streams delivered once, in order, reach (for streams that order accepts whole)."""

from __future__ import annotations

import shutil

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promesa.store.db import make_engine
from promesa.store.models import (
    AuditEntry,
    IngestedEvent,
    InventoryPosition,
    Node,
    NodeCapacity,
    Order,
    TrackingEvent,
)
from tests.domain.events_helpers import ev, send, world

STORE, SKU = "MX-STORE-01", "SKU-1"


@st.composite
def streams(draw) -> dict[str, list[dict]]:
    """Per-source event lists in each source's order, times strictly increasing per source."""
    clocks = {"pos": 0.1, "wms": 0.2, "carrier": 0.3, "ops": 0.4}  # offsets: no cross-source ties

    def at(source: str) -> float:  # each source's own clock: the streams overlap in time
        clocks[source] += draw(st.integers(1, 4))
        return clocks[source]
    pos = [ev("inventory.pos_sale", {"node_id": STORE, "sku": SKU, "quantity": q}, minutes=at("pos"),
              source="/sources/pos", sequence=i)
           for i, q in enumerate(draw(st.lists(st.integers(1, 2), max_size=8)))]
    wms_kinds = draw(st.lists(st.sampled_from(["receipt", "count"]), max_size=6))
    wms = []
    for i, kind in enumerate(wms_kinds):
        data = ({"node_id": STORE, "sku": SKU, "quantity": draw(st.integers(1, 5))} if kind == "receipt"
                else {"node_id": STORE, "sku": SKU, "counted": draw(st.integers(30, 60))})
        wms.append(ev("inventory.receipt" if kind == "receipt" else "inventory.cycle_count", data,
                      minutes=at("wms"), source="/sources/wms", sequence=i))
    scans = draw(st.lists(st.sampled_from(["in_transit", "failure", "out_for_delivery", "delivered"]),
                          max_size=5))
    carrier = [ev("tracking.scan", {"tracking_number": "TRK-S-2", "status": s}, minutes=at("carrier"),
                  source="/sources/carrier", sequence=i) for i, s in enumerate(scans)]
    ops_kinds = draw(st.lists(st.sampled_from(["override", "close", "open"]), max_size=5))
    ops = []
    for i, kind in enumerate(ops_kinds):
        if kind == "override":
            ops.append(ev("capacity.override", {"node_id": "DC-CDMX-01", "day": "2026-11-23",
                                                "orders": draw(st.integers(0, 50)), "units": 100},
                          minutes=at("ops"), source="/sources/oms", sequence=i))
        else:
            ops.append(ev(f"capacity.node_{'closed' if kind == 'close' else 'opened'}",
                          {"node_id": "DC-MTY-01"}, minutes=at("ops"), source="/sources/oms", sequence=i))
    return {"pos": pos, "wms": wms, "carrier": carrier, "ops": ops}


@st.composite
def deliveries(draw, per_source: dict[str, list[dict]]) -> list[dict]:
    """An interleaving keeping each source's order, with redeliveries after the originals."""
    queues = {name: list(events) for name, events in per_source.items() if events}
    order: list[dict] = []
    while queues:
        name = draw(st.sampled_from(sorted(queues)))
        order.append(queues[name].pop(0))
        if not queues[name]:
            del queues[name]
    for _ in range(draw(st.integers(0, 6)) if order else 0):
        original = draw(st.integers(0, len(order) - 1))
        order.insert(draw(st.integers(original + 1, len(order))), dict(order[original]))
    return order


def _state(session: Session) -> dict:
    session.expire_all()
    return {
        "positions": sorted(session.execute(select(InventoryPosition.node_id, InventoryPosition.sku,
                                                   InventoryPosition.on_hand, InventoryPosition.reserved)).all()),
        "order": session.get(Order, "PO-2").status,
        "timeline": sorted(session.execute(select(TrackingEvent.type, TrackingEvent.occurred_at)
                                           .where(TrackingEvent.order_id == "PO-2")).all()),
        "capacity": sorted(session.execute(select(NodeCapacity.node_id, NodeCapacity.day,
                                                  NodeCapacity.orders)).all()),
        "active": sorted(session.execute(select(Node.id, Node.active)).all()),
        "ingested": session.scalar(select(func.count()).select_from(IngestedEvent)),
        "audited": session.scalar(select(func.count()).select_from(AuditEntry)),
    }


def _run(template, tmp_path, name: str, events: list[dict]) -> dict:
    path = tmp_path / f"{name}.db"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:
            world(session)
            session.execute(InventoryPosition.__table__.update()
                            .where(InventoryPosition.node_id == STORE).values(on_hand=100))
            session.commit()
            for raw in events:
                result = send(session, raw)
                assert result.status != "rejected", result.error
            return _state(session)
    finally:
        engine.dispose()
        path.unlink()


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_any_interleaving_with_redelivery_ends_in_the_in_order_state(data, sqlite_template, tmp_path):
    per_source = data.draw(streams())
    in_order = sorted((e for events in per_source.values() for e in events),
                      key=lambda e: (e["time"], e["source"]))
    shuffled = data.draw(deliveries(per_source))
    assert _run(sqlite_template, tmp_path, "shuffled", shuffled) == _run(sqlite_template, tmp_path,
                                                                         "ordered", in_order)

