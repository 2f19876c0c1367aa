"""World files: round trip on every backend, precise errors, nothing written on failure."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from promesa.errors import InvalidInput
from promesa.store.models import (
    Identity,
    InventoryPosition,
    Node,
    NodeCapacity,
    Order,
    OrderLine,
    Shipment,
    TrackingEvent,
)
from promesa.world import WorldError, load_world
from promesa.world.bulk import BulkWriter

EXAMPLE = Path(__file__).parents[2] / "evals" / "worlds" / "example.yaml"


@pytest.fixture
def raw() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def test_example_world_round_trips(engine: Engine) -> None:
    summary = load_world(engine, EXAMPLE)
    assert summary.count("orders") == 2 and summary.count("tracking_events") == 2
    with Session(engine) as s:
        po1 = s.get(Order, "PO-1")
        assert po1 is not None and po1.total == Decimal("1299.00")  # computed from lines
        assert po1.created_at.utcoffset() is not None
        assert po1.created_at.isoformat() == "2026-11-17T18:30:00+00:00"
        assert s.scalar(select(Shipment.tracking_number)) == "1Z0001"
        assert {i.value for i in s.scalars(select(Identity))} == {
            "ana.torres@example.com", "+525512340000"}
        event = s.scalar(select(TrackingEvent).where(TrackingEvent.type == "delay_exception"))
        assert event is not None and event.revised_eta == date(2026, 11, 23)
        line = s.scalar(select(OrderLine).where(OrderLine.order_id == "PO-2"))
        assert line is not None and line.ship_by == date(2026, 11, 21)  # computed
        assert line.unit_price == Decimal("549.00")
        inv = s.get(InventoryPosition, ("DC-CDMX-01", "SKU-2"))
        assert inv is not None and (inv.on_hand, inv.reserved) == (15, 2)  # reserved computed
        assert s.get(NodeCapacity, ("DC-CDMX-01", date(2026, 11, 21))).orders == 300
        assert s.get(Node, "CDMX-STORE-01").pickup is True
        assert s.get(Node, "DC-CDMX-01").cutoff_time.hour == 14


def test_json_and_dict_worlds_load(engine: Engine, raw: dict[str, Any], tmp_path: Path) -> None:
    import json

    path = tmp_path / "w.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert load_world(engine, path).count("customers") == 1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda w: w["orders"][1]["lines"][0].update(sku="SKU-X"),
         "orders[1] (PO-2): lines[0].sku: unknown SKU 'SKU-X'"),
        (lambda w: w["orders"][0].update(service="UPS-GROUND"),
         "orders[0] (PO-1): service: unknown service 'UPS-GROUND'"),
        (lambda w: w["orders"][1].update(customer="C-404"),
         "orders[1] (PO-2): customer: unknown customer 'C-404'"),
        (lambda w: w["orders"][1]["lines"][0].update(node="DC-NOPE"),
         "orders[1] (PO-2): lines[0].node: unknown node 'DC-NOPE'"),
        (lambda w: w["orders"][1].update(id="PO-1"), "orders[1] (PO-1): id: duplicate id 'PO-1'"),
        (lambda w: w["orders"][1]["lines"][0].update(qty=0),
         "orders[1] (PO-2): lines[0].qty: Input should be greater than 0"),
        (lambda w: w["orders"][0].update(created_at="yesterday"),
         "orders[0] (PO-1): created_at: Input should be a valid datetime"),
        (lambda w: w["nodes"][1].update(ship_weekdays="9"),
         "nodes[1] (CDMX-STORE-01): ship_weekdays: String should match pattern"),
        (lambda w: w["customers"][0]["identities"][0].update(value="not-an-email@"),
         "customers[0] (C-1): identities[0].value: not an email"),
        (lambda w: w["inventory"][0].update(sku="SKU-9"),
         "inventory[0] (DC-CDMX-01/SKU-9): sku: unknown SKU 'SKU-9'"),
        (lambda w: w["orders"][0].update(colour="red"),
         "orders[0] (PO-1): colour: Extra inputs are not permitted"),
    ],
)
def test_errors_name_entity_index_id_and_field(
    engine: Engine, raw: dict[str, Any], edit: Any, message: str
) -> None:
    world = copy.deepcopy(raw)
    edit(world)
    with pytest.raises(WorldError) as caught:
        load_world(engine, world)
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.message.startswith(message), caught.value.message
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 0


def test_missing_file_and_bad_yaml(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(WorldError, match="cannot read"):
        load_world(engine, tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("orders: [unclosed", encoding="utf-8")
    with pytest.raises(WorldError, match="not valid YAML"):
        load_world(engine, bad)


def test_failure_mid_write_leaves_nothing(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    original = BulkWriter.write

    def failing(self: BulkWriter, table: str, rows: Any) -> int:
        if table == "order_lines":
            raise RuntimeError("disk full")
        return original(self, table, rows)

    monkeypatch.setattr(BulkWriter, "write", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        load_world(engine, EXAMPLE)
    with Session(engine) as s:
        for model in (Order, Node, Identity, Shipment):
            assert s.scalar(select(func.count()).select_from(model)) == 0


def test_loading_into_a_database_that_holds_the_world_fails_cleanly(engine: Engine) -> None:
    load_world(engine, EXAMPLE)
    with pytest.raises(WorldError, match="database: the world conflicts"):
        load_world(engine, EXAMPLE)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 2


def test_newer_format_versions_are_refused(engine: Engine, raw: dict[str, Any]) -> None:
    with pytest.raises(WorldError, match="^version: Input should be less than or equal to 1"):
        load_world(engine, dict(raw, version=2))
