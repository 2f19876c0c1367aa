"""The demo world's fulfillment network: nodes (scaled to a size) and carriers with services."""

from __future__ import annotations

import random
from datetime import time

from promesa.store.enums import NodeType, ServiceLevel
from promesa.world.geography import CITIES, CITY, EXTRA_DC_CITIES, NAMED_NODES
from promesa.world.schema import CarrierIn, NodeIn, ServiceIn


def _service(level: ServiceLevel, transit: tuple[int, int, int, int], cutoff: time | None = None) -> ServiceIn:
    local, regional, national, remote = transit
    return ServiceIn(level=level, transit_local=local, transit_regional=regional,
                     transit_national=national, transit_remote=remote, cutoff_time=cutoff)


def build_carriers() -> list[CarrierIn]:
    """ESTAFETA, DHL, FEDEX, PAQUETEXPRESS and the same-day courier 99MIN."""
    std, exp = ServiceLevel.standard, ServiceLevel.express
    return [
        CarrierIn(id="ESTAFETA", name="Estafeta", on_time_reliability=0.91, services=[
            _service(std, (1, 2, 3, 5)), _service(exp, (1, 1, 2, 3))]),
        CarrierIn(id="DHL", name="DHL Express", on_time_reliability=0.95, services=[
            _service(std, (2, 2, 3, 4)), _service(exp, (1, 1, 1, 2), time(18, 0))]),
        CarrierIn(id="FEDEX", name="FedEx", on_time_reliability=0.94, delivery_weekdays="01234",
                  services=[_service(std, (1, 2, 3, 4)),
                            _service(ServiceLevel.next_day, (1, 1, 1, 2))]),
        CarrierIn(id="PAQUETEXPRESS", name="Paquetexpress", on_time_reliability=0.9, services=[
            _service(std, (1, 2, 4, 6))]),
        CarrierIn(id="99MIN", name="99 Minutos", on_time_reliability=0.97,
                  delivery_weekdays="0123456", services=[
                      _service(ServiceLevel.same_day, (0, 1, 3, 5), time(15, 0)),
                      _service(ServiceLevel.next_day, (1, 1, 2, 4))]),
    ]


def _node(
    node_id: str, name: str, kind: NodeType, city_code: str, lat: float, lon: float,
    postal: str, daily_orders: float,
) -> NodeIn:
    city = CITY[city_code]
    if kind is NodeType.distribution_center:
        orders = max(300, int(daily_orders * 0.35))
        # distribution centres run seven days a week in the peak season
        pickup, hours, cutoff, weekdays = False, 4, time(16, 0), "0123456"
    elif kind is NodeType.dark_store:
        orders = max(120, int(daily_orders * 0.05))
        pickup, hours, cutoff, weekdays = False, 1, time(17, 0), "0123456"
    else:
        orders = max(40, int(daily_orders * 0.02))
        pickup, hours, cutoff, weekdays = True, 2, time(14, 0), "012345"
    return NodeIn(id=node_id, name=name, type=kind, city=city.name, state=city.state,
                  postal_code=postal, lat=lat, lon=lon, timezone=city.timezone, pickup=pickup,
                  processing_hours=hours, cutoff_time=cutoff, ship_weekdays=weekdays,
                  capacity_orders=orders, capacity_units=orders * 3)


def build_nodes(rng: random.Random, count: int, daily_orders: float) -> list[NodeIn]:
    """The named nodes, then extra DCs and stores spread over cities by population."""
    nodes = [
        _node(n.id, n.name, NodeType(n.kind), n.city, n.lat, n.lon, n.postal_code, daily_orders)
        for n in NAMED_NODES
    ]
    taken = {n.id for n in nodes}
    extra = count - len(nodes)
    for code in EXTRA_DC_CITIES[: max(0, min(len(EXTRA_DC_CITIES), extra // 40))]:
        city = CITY[code]
        nodes.append(_node(f"DC-{code}-01", f"CEDIS {city.name}", NodeType.distribution_center,
                           code, city.lat + 0.05, city.lon + 0.05, city.centre_prefix + "100",
                           daily_orders))
        taken.add(nodes[-1].id)
    weights = [c.weight for c in CITIES]
    while len(nodes) < count:
        city = rng.choices(CITIES, weights)[0]
        number = 1
        while f"{city.code}-STORE-{number:02d}" in taken:
            number += 1
        node_id = f"{city.code}-STORE-{number:02d}"
        taken.add(node_id)
        nodes.append(_node(
            node_id, f"Tienda {city.name} {number}", NodeType.store, city.code,
            round(city.lat + rng.uniform(-0.08, 0.08), 5),
            round(city.lon + rng.uniform(-0.08, 0.08), 5),
            f"{city.centre_prefix}{rng.randint(100, 999)}", daily_orders,
        ))
    return nodes
