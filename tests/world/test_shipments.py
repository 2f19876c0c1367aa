"""A generated parcel's trip: its tracking events and shipment row, as of the clock."""

from __future__ import annotations

from datetime import datetime

from promesa.store.enums import FulfillmentType, NodeType, ServiceLevel
from promesa.world.schema import NodeIn, ServiceIn
from promesa.world.shipments import CarrierService, Parcel, track
from promesa.world.timeline import DAY, Timeline

NOW = datetime.fromisoformat("2026-11-20T10:00:00-06:00")  # a Friday; day 90 of the timeline
TL = Timeline(NOW, days=90)
TUE, THU, FRI = 87, 89, 90
NODE = NodeIn(id="DC-X", name="DC X", type=NodeType.distribution_center, city="Ciudad de México",
              state="CDMX", postal_code="01000", lat=19.43, lon=-99.13)
SERVICE = CarrierService(
    ServiceIn(level=ServiceLevel.standard, transit_local=1, transit_regional=2,
              transit_national=3, transit_remote=5),
    "DHL-STANDARD", "DHL", frozenset(range(6)), "012345",
)


def run(outcome: str) -> tuple[tuple[str, str, str], list[tuple], dict[str, list[tuple]]]:
    parcel = Parcel(1_000_007, "PO-1000007", "C-100001", NODE, SERVICE, FulfillmentType.ship,
                    ship_day=TUE, ship_moment=TUE * DAY + 13 * 3600, transit=2, promised=THU,
                    outcome=outcome)
    events: list[tuple] = []
    rows: dict[str, list[tuple]] = {"shipments": [], "interactions": []}
    return track(parcel, lambda: 0.5, TL, events, rows), events, rows


def test_on_time_parcel_is_delivered_on_the_planned_day() -> None:
    result, events, rows = run("ok")
    assert result == ("delivered", "delivered", "S-1000007")
    assert [e[2] for e in events] == [
        "label_created", "picked_up", "in_transit", "out_for_delivery", "delivered"]
    assert events[-1][3] == TL.stamp(THU * DAY + 12 * 3600 + int(0.5 * 7 * 3600))
    (shipment,) = rows["shipments"]
    assert shipment == ("S-1000007", "PO-1000007", "DC-X", "DHL-STANDARD", "DHL0001000007",
                        TL.stamp(TUE * DAY + 13 * 3600), events[-1][3])


def test_failed_attempt_then_out_for_delivery_today() -> None:
    result, events, rows = run("failed")
    assert result == ("out_for_delivery", "shipped", "S-1000007")  # delivery at noon: not yet
    assert [e[2] for e in events] == [
        "label_created", "picked_up", "in_transit", "out_for_delivery", "failed_attempt",
        "out_for_delivery"]
    assert events[4][5] == "recipient not at home" and events[-1][3] == TL.stamp(FRI * DAY + 8 * 3600)
    assert rows["shipments"][0][-1] is None


def test_exception_stops_the_trip() -> None:
    result, events, rows = run("exception")
    assert result == ("exception", "shipped", "S-1000007")
    assert events[-1][2:] == ("delay_exception", TL.stamp(THU * DAY + 7 * 3600 - DAY // 2),
                              "En ruta", "address not found", None)
    assert rows["interactions"] == []  # 0.5 is not below the 40 % chance of a chat
    assert rows["shipments"][0][-1] is None
