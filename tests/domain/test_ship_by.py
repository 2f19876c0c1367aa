"""compute_ship_by, checked by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from promesa.domain.ship_by import compute_ship_by
from promesa.store.enums import FulfillmentType


@dataclass
class Node:
    id: str
    lat: float
    lon: float
    ship_weekdays: str


@dataclass
class Service:
    transit_local: int
    transit_regional: int
    transit_national: int
    transit_remote: int


DC_CDMX = Node("DC-CDMX-01", 19.4890, -99.1600, "01234")  # ships Monday–Friday
MONTERREY = (25.6866, -100.3161)  # ~700 km: national band
STANDARD = Service(1, 2, 3, 5)


def test_ship_by_across_a_weekend() -> None:
    # Promise Tuesday 24 Nov 2026, 3 national transit days, carrier delivers Mon–Sat.
    # Counting back 3 delivery days from Tuesday: Mon 23, Sat 21, Fri 20 → ship Friday 20.
    ship_by = compute_ship_by(
        promised=date(2026, 11, 24), node=DC_CDMX, fulfillment_type=FulfillmentType.ship,
        destination=MONTERREY, service=STANDARD, delivery_weekdays="012345")
    assert ship_by == date(2026, 11, 20)
    # Carrier delivering Mon–Fri only: Mon 23, Fri 20, Thu 19 → ship Thursday 19.
    ship_by = compute_ship_by(
        promised=date(2026, 11, 24), node=DC_CDMX, fulfillment_type=FulfillmentType.ship,
        destination=MONTERREY, service=STANDARD, delivery_weekdays="01234")
    assert ship_by == date(2026, 11, 19)


def test_ship_by_when_the_node_does_not_ship_on_saturday() -> None:
    # Local (same city), 1 day, promise Monday 23: Saturday would do, but the DC is closed
    # on weekends, so it must ship Friday 20.
    ship_by = compute_ship_by(
        promised=date(2026, 11, 23), node=DC_CDMX, fulfillment_type=FulfillmentType.ship,
        destination=(19.43, -99.13), service=STANDARD, delivery_weekdays="012345")
    assert ship_by == date(2026, 11, 20)


def test_pickup_ship_by() -> None:
    store = Node("CDMX-STORE-01", 19.43, -99.2, "012345")
    same = compute_ship_by(promised=date(2026, 11, 23), node=store,
                           fulfillment_type=FulfillmentType.pickup, pickup_node_id=store.id)
    assert same == date(2026, 11, 23)
    # from the DC: the last shipping day before Monday 23 is Friday 20 (DC closed weekends)
    transfer = compute_ship_by(promised=date(2026, 11, 23), node=DC_CDMX,
                               fulfillment_type=FulfillmentType.pickup, pickup_node_id=store.id)
    assert transfer == date(2026, 11, 20)


def test_same_day_ships_on_the_promised_day() -> None:
    courier = Service(0, 1, 3, 5)
    ship_by = compute_ship_by(
        promised=date(2026, 11, 20), node=DC_CDMX, fulfillment_type=FulfillmentType.same_day,
        destination=(19.43, -99.13), service=courier, delivery_weekdays="0123456")
    assert ship_by == date(2026, 11, 20)
