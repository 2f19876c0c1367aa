"""The buen-fin scenario: a small national network and a seeded week of events.

Every policy replays the same world and the same stream: checkouts arriving per hour with a
peak on the first days (Buen Fin runs Friday to Monday), store sales competing for the same
stock, shrink that leaves reservations uncovered, carrier delay exceptions on 1% of parcels,
and one DC (Guadalajara) losing a shift on day 4 — announced the evening before, after that
day's promises were made. Sizes scale with the order count, so the same pressure holds at
any size.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from promesa.domain.geography import CITY
from promesa.store import maintained
from promesa.store.enums import IdentityKind, NodeType, ServiceLevel
from promesa.store.models import (
    Address,
    Carrier,
    CarrierService,
    Customer,
    Identity,
    InventoryPosition,
    Node,
    Product,
)

TZ = ZoneInfo("America/Mexico_City")
#: Friday 13 Nov 2026, the first day of Buen Fin, at midnight.
START = datetime(2026, 11, 13, 0, 0, tzinfo=TZ)
SCENARIOS = ("buen-fin",)
#: Share of the week's checkouts on each day (a peak Friday–Monday) and of each day per hour.
DAY_WEIGHTS = (1.5, 1.35, 1.2, 1.25, 0.8, 0.75, 0.7)
HOUR_WEIGHTS = tuple(0.3 if h < 7 else 1.0 if h < 18 else 1.8 if h < 23 else 0.8 for h in range(24))
#: Customers by city (share) and the nodes of the network.
CITY_SHARE = {"CDMX": 0.42, "MTY": 0.2, "GDL": 0.18, "PUE": 0.08, "QRO": 0.07, "TOL": 0.05}
DCS = {"DC-CDMX": "CDMX", "DC-MTY": "MTY", "DC-GDL": "GDL"}
STORES = {"ST-CDMX-1": "CDMX", "ST-CDMX-2": "CDMX", "ST-MTY-1": "MTY", "ST-GDL-1": "GDL",
          "ST-PUE-1": "PUE", "ST-QRO-1": "QRO"}
SKUS = 40
CARRIER_DELAY_SHARE = 0.01
SHIFT_LOSS_NODE, SHIFT_LOSS_DAY = "DC-GDL", 3  # day index (0 = Friday): Monday


@dataclass(frozen=True)
class SimEvent:
    at: datetime
    kind: str  # checkout | pos_sale | shrink | capacity
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scenario:
    name: str
    seed: int
    days: int
    orders: int
    start: datetime
    customers: int
    capacity: dict[str, int]
    stream: list[SimEvent]
    delayed: frozenset[int]  # checkout numbers whose parcel the carrier delays

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=self.days)


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def capacities(orders: int, days: int) -> dict[str, int]:
    """Daily order capacity per node: the network ships ~1.15× an average day, less than a peak."""
    daily = orders / days
    cap = {dc: max(2, round(daily * CITY_SHARE[city] * 0.95)) for dc, city in DCS.items()}
    cap["DC-CDMX"] = max(2, round(daily * 0.36))
    for store in STORES:
        cap[store] = max(1, round(daily * 0.045))
    return cap


def build(name: str, *, orders: int, days: int = 7, seed: int = 7) -> Scenario:
    """The named scenario with ``orders`` checkouts over ``days`` days, reproducible by ``seed``."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    rng = random.Random(seed)
    customers = max(50, orders // 4)
    weights = [DAY_WEIGHTS[d % len(DAY_WEIGHTS)] for d in range(days)]
    total_w = sum(weights)
    stream: list[SimEvent] = []
    n = 0
    for day in range(days):
        count = round(orders * weights[day] / total_w) if day < days - 1 else orders - n
        hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=count)
        for hour in sorted(hours):
            at = START + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
            lines = [(f"SKU-{rng.randrange(SKUS):03d}", 1 if rng.random() < 0.85 else 2)]
            if rng.random() < 0.25:
                lines.append((f"SKU-{rng.randrange(SKUS):03d}", 1))
            stream.append(SimEvent(at, "checkout", {"n": n, "customer": rng.randrange(customers),
                                                    "lines": lines}))
            n += 1
        # store sales: about a third of the online volume, spread over opening hours
        for _ in range(max(1, count // 3)):
            at = START + timedelta(days=day, hours=rng.randrange(10, 21), seconds=rng.randrange(3600))
            stream.append(SimEvent(at, "pos_sale", {"node_id": rng.choice(list(STORES)),
                                                    "sku": f"SKU-{rng.randrange(SKUS):03d}", "quantity": 1}))
        # shrink: damaged stock found at a few positions each morning
        for _ in range(3):
            at = START + timedelta(days=day, hours=7, minutes=rng.randrange(60))
            node = rng.choice(list(STORES) + list(DCS))
            stream.append(SimEvent(at, "shrink", {"node_id": node, "sku": f"SKU-{rng.randrange(SKUS):03d}",
                                                  "quantity": 4}))
    cap = capacities(orders, days)
    if days > SHIFT_LOSS_DAY:
        lost = START.date() + timedelta(days=SHIFT_LOSS_DAY)
        stream.append(SimEvent(START + timedelta(days=SHIFT_LOSS_DAY - 1, hours=20), "capacity",
                               {"node_id": SHIFT_LOSS_NODE, "day": lost.isoformat(),
                                "orders": cap[SHIFT_LOSS_NODE] // 2, "units": cap[SHIFT_LOSS_NODE] * 3,
                                "reason": "lost a shift"}))
    stream.sort(key=lambda e: e.at)
    delayed = frozenset(i for i in range(orders) if random.Random(seed * 1_000_003 + i).random() < CARRIER_DELAY_SHARE)
    return Scenario(name, seed, days, orders, START, customers, cap, stream, delayed)


def load(engine: Engine, scenario: Scenario) -> None:
    """Write the scenario's network, products, stock and customers into an empty database."""
    rng = random.Random(scenario.seed + 1)
    with Session(engine) as session:
        session.add(Carrier(id="ESTAFETA", name="Estafeta", on_time_reliability=0.93, delivery_weekdays="012345"))
        session.add(Carrier(id="DHL", name="DHL", on_time_reliability=0.97, delivery_weekdays="012345"))
        session.flush()
        session.add(CarrierService(id="ESTAFETA-STD", carrier_id="ESTAFETA", level=ServiceLevel.standard,
                                   name="Estafeta Terrestre", transit_local=1, transit_regional=2,
                                   transit_national=3, transit_remote=5, cutoff_time=None))
        session.add(CarrierService(id="DHL-EXP", carrier_id="DHL", level=ServiceLevel.express, name="DHL Express",
                                   transit_local=1, transit_regional=1, transit_national=2, transit_remote=3,
                                   cutoff_time=None))
        for node_id, city_code in {**DCS, **STORES}.items():
            city = CITY[city_code]
            is_dc = node_id in DCS
            session.add(Node(id=node_id, name=node_id.replace("-", " ").title(),
                             type=NodeType.distribution_center if is_dc else NodeType.store,
                             city=city.name, state=city.state, postal_code=f"{city.centre_prefix}100",
                             lat=city.lat + rng.uniform(-0.05, 0.05), lon=city.lon + rng.uniform(-0.05, 0.05),
                             timezone="America/Mexico_City", ships=True, pickup=not is_dc,
                             processing_hours=4 if is_dc else 2, cutoff_time=time(15, 0), ship_weekdays="0123456",
                             capacity_orders=scenario.capacity[node_id],
                             capacity_units=scenario.capacity[node_id] * 4, active=True))
        session.flush()
        per_sku = scenario.orders * 1.35 / SKUS
        for s in range(SKUS):
            sku = f"SKU-{s:03d}"
            session.add(Product(sku=sku, name=f"Producto {s}", category="hogar",
                                price=Decimal(rng.choice(["299.00", "499.00", "899.00", "1499.00"])),
                                weight_kg=round(rng.uniform(0.3, 4.0), 1), online_available=0))
        session.flush()
        for s in range(SKUS):
            sku = f"SKU-{s:03d}"
            for dc in DCS:
                session.add(InventoryPosition(node_id=dc, sku=sku, on_hand=round(per_sku * rng.uniform(0.45, 0.7)),
                                              reserved=0, safety_stock=0))
            for store in STORES:
                session.add(InventoryPosition(node_id=store, sku=sku, on_hand=round(per_sku * rng.uniform(0.03, 0.08)) + 2,
                                              reserved=0, safety_stock=1))
        session.flush()
        for c in range(scenario.customers):
            code = _pick(rng, CITY_SHARE)
            city = CITY[code]
            cid = f"C-{c}"
            session.add(Customer(id=cid, name=f"Cliente {c}", locale="en-US" if rng.random() < 0.15 else "es-MX",
                                 created_at=scenario.start - timedelta(days=30)))
            session.flush()
            session.add(Address(id=f"A-{c}", customer_id=cid, line1="Calle 1", city=city.name, state=city.state,
                                postal_code=f"{city.centre_prefix}{rng.randrange(100, 999)}", country="MX",
                                lat=city.lat + rng.uniform(-0.08, 0.08), lon=city.lon + rng.uniform(-0.08, 0.08)))
            session.add(Identity(customer_id=cid, kind=IdentityKind.email, value=f"cliente{c}@example.com",
                                 source="web", verified=True))
        session.commit()
    with engine.begin() as connection:
        maintained.rebuild(connection)


def first_day(scenario: Scenario) -> date:
    """The scenario's first business day."""
    return scenario.start.date()
