"""A validated :class:`WorldFile` → rows in storage form, with its reference problems listed.

Every problem names the entity, its index and id, and the field, e.g.
``orders[3] (PO-9): lines[0].sku: unknown SKU 'SKU-X'``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from promesa.domain.identity import classify, normalise
from promesa.errors import InvalidInput
from promesa.store.enums import RESERVING_LINE_STATES, FulfillmentType, OrderStatus
from promesa.world.allocation import compute_ship_by
from promesa.world.bulk import d, t, ts
from promesa.world.schema import CarrierIn, NodeIn, OrderIn, ServiceIn, WorldFile, service_id

Row = tuple[Any, ...]


@dataclass
class WorldRows:
    tables: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    #: open allocated quantity per (node, sku)
    reserved: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, table: str, row: Row) -> None:
        self.tables.setdefault(table, []).append(row)


def _money(value: Decimal) -> float:
    return float(round(value, 2))


def _duplicates(out: WorldRows, entity: str, ids: list[str]) -> set[str]:
    seen: set[str] = set()
    for index, ident in enumerate(ids):
        if ident in seen:
            out.problems.append(f"{entity}[{index}] ({ident}): id: duplicate id {ident!r}")
        seen.add(ident)
    return seen


def _clock(world: WorldFile, now: datetime | None) -> datetime:
    if now is not None:
        return now
    if world.orders:
        return max(order.created_at for order in world.orders)
    return datetime(2026, 1, 1, tzinfo=UTC)


def _customers(world: WorldFile, now: datetime, out: WorldRows) -> set[str]:
    customer_ids = _duplicates(out, "customers", [c.id for c in world.customers])
    address_ids: list[str] = []
    identity_owner: dict[tuple[str, str], str] = {}
    for ci, customer in enumerate(world.customers):
        where = f"customers[{ci}] ({customer.id})"
        created = customer.created_at or now - timedelta(days=365)
        out.add("customers", (customer.id, customer.name, customer.locale, ts(created)))
        for ii, identity in enumerate(customer.identities):
            try:
                if identity.kind is None:
                    kind, value = classify(identity.value)
                    if kind is None:
                        raise InvalidInput("an order id is not a customer identity")
                else:
                    kind, value = identity.kind, normalise(identity.kind, identity.value)
            except InvalidInput as exc:
                out.problems.append(f"{where}: identities[{ii}].value: {exc.message}")
                continue
            owner = identity_owner.get((kind.value, value))
            if owner is not None:
                out.problems.append(
                    f"{where}: identities[{ii}].value: {value!r} already belongs to {owner}"
                )
                continue
            identity_owner[(kind.value, value)] = customer.id
            out.add(
                "identities",
                (customer.id, kind.value, value, identity.source, int(identity.verified)),
            )
        for address in customer.addresses:
            address_ids.append(address.id)
            out.add("addresses", (
                address.id, customer.id, address.line1, address.city, address.state,
                address.postal_code, address.country, address.lat, address.lon,
            ))
    _duplicates(out, "addresses", address_ids)
    return customer_ids


def _network(world: WorldFile, out: WorldRows) -> None:
    _duplicates(out, "nodes", [n.id for n in world.nodes])
    for ni, node in enumerate(world.nodes):
        out.add("nodes", (
            node.id, node.name, node.type.value, node.city, node.state, node.postal_code,
            node.lat, node.lon, node.timezone, int(node.ships), int(node.pickup),
            node.processing_hours, t(node.cutoff_time), node.ship_weekdays,
            node.capacity_units, node.capacity_orders, int(node.active),
        ))
        days = [o.day.isoformat() for o in node.capacity_overrides]
        for oi, override in enumerate(node.capacity_overrides):
            if override.day.isoformat() in days[:oi]:
                out.problems.append(
                    f"nodes[{ni}] ({node.id}): capacity_overrides[{oi}].day: duplicate day {override.day}"
                )
                continue
            out.add("node_capacity", (
                node.id, d(override.day), override.units, override.orders, override.reason,
            ))
    _duplicates(out, "carriers", [c.id for c in world.carriers])
    for carrier in world.carriers:
        out.add("carriers", (
            carrier.id, carrier.name or carrier.id, carrier.on_time_reliability,
            carrier.delivery_weekdays,
        ))
        for service in carrier.services:
            out.add("carrier_services", (
                service_id(carrier.id, service), carrier.id, service.level.value,
                service.name or f"{carrier.name or carrier.id} {service.level.value}",
                service.transit_local, service.transit_regional, service.transit_national,
                service.transit_remote, t(service.cutoff_time),
            ))
    _duplicates(out, "services", [r[0] for r in out.tables.get("carrier_services", [])])
    _duplicates(out, "products", [p.sku for p in world.products])
    for product in world.products:
        out.add("products", (
            product.sku, product.name, product.category, _money(product.price),
            product.weight_kg, product.online_available, product.marketplace_seller,
            product.product_group, product.variant,
        ))


class _Refs:
    """Look-ups the order checks need."""

    def __init__(self, world: WorldFile, customers: set[str]) -> None:
        self.customers = customers
        self.nodes: dict[str, NodeIn] = {n.id: n for n in world.nodes}
        self.products = {p.sku: p for p in world.products}
        self.services: dict[str, tuple[ServiceIn, CarrierIn]] = {
            service_id(c.id, s): (s, c) for c in world.carriers for s in c.services
        }
        self.addresses = {a.id: a for c in world.customers for a in c.addresses}


def _tracking(number: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", number.upper())


def _order(order: OrderIn, oi: int, refs: _Refs, out: WorldRows) -> None:
    where = f"orders[{oi}] ({order.id})"
    problems = out.problems
    before = len(problems)
    if order.customer not in refs.customers:
        problems.append(f"{where}: customer: unknown customer {order.customer!r}")
    if order.service is not None and order.service not in refs.services:
        problems.append(f"{where}: service: unknown service {order.service!r}")
    if order.ship_to is not None and order.ship_to not in refs.addresses:
        problems.append(f"{where}: ship_to: unknown address {order.ship_to!r}")
    if order.pickup_node is not None and order.pickup_node not in refs.nodes:
        problems.append(f"{where}: pickup_node: unknown node {order.pickup_node!r}")
    if order.fulfillment_type is FulfillmentType.pickup and order.pickup_node is None:
        problems.append(f"{where}: pickup_node: a pickup order needs a pickup node")
    if order.fulfillment_type is not FulfillmentType.pickup and order.ship_to is None:
        problems.append(f"{where}: ship_to: a {order.fulfillment_type.value} order needs ship_to")
    line_nos = [line.line_no or i + 1 for i, line in enumerate(order.lines)]
    for li, line in enumerate(order.lines):
        if line.sku not in refs.products:
            problems.append(f"{where}: lines[{li}].sku: unknown SKU {line.sku!r}")
        if line.node is not None and line.node not in refs.nodes:
            problems.append(f"{where}: lines[{li}].node: unknown node {line.node!r}")
        if line_nos.index(line_nos[li]) != li:
            problems.append(f"{where}: lines[{li}].line_no: duplicate line {line_nos[li]}")
    for si, shipment in enumerate(order.shipments):
        if shipment.node not in refs.nodes:
            problems.append(f"{where}: shipments[{si}].node: unknown node {shipment.node!r}")
        if (shipment.service or order.service) not in refs.services:
            problems.append(
                f"{where}: shipments[{si}].service: unknown or missing service "
                f"{shipment.service or order.service!r}"
            )
        for no in shipment.lines or []:
            if no not in line_nos:
                problems.append(f"{where}: shipments[{si}].lines: no line {no}")
    if len(problems) > before:
        return

    service, carrier = refs.services[order.service] if order.service else (None, None)
    address = refs.addresses[order.ship_to] if order.ship_to else None
    shipment_of: dict[int, str] = {}
    shipment_rows: list[Row] = []
    event_rows: list[Row] = []
    for si, shipment in enumerate(order.shipments):
        sid = shipment.id or f"{order.id}-S{si + 1}"
        for no in shipment.lines or line_nos:
            shipment_of.setdefault(no, sid)
        shipment_rows.append((
            sid, order.id, shipment.node, shipment.service or order.service,
            shipment.tracking_number or _tracking(f"TRK{sid}"),
            ts(shipment.shipped_at), ts(shipment.delivered_at),
        ))
        for event in shipment.events:
            event_rows.append((order.id, sid, *_event(event)))
    event_rows += [(order.id, None, *_event(event)) for event in order.events]

    total = Decimal(0)
    line_rows: list[Row] = []
    for li, line in enumerate(order.lines):
        price = line.unit_price if line.unit_price is not None else refs.products[line.sku].price
        total += price * line.qty
        ship_by = line.ship_by
        # only lines still to leave their node have a ship-by (a pickup that is ready has none)
        if ship_by is None and line.node is not None and line.status in RESERVING_LINE_STATES and (
                order.status is not OrderStatus.ready_for_pickup):
            ship_by = compute_ship_by(
                promised=order.promised_date,
                node=refs.nodes[line.node],
                fulfillment_type=order.fulfillment_type,
                destination=(address.lat, address.lon) if address else None,
                pickup_node_id=order.pickup_node,
                service=service,
                delivery_weekdays=carrier.delivery_weekdays if carrier else None,
            )
        if line.node is not None and line.status in RESERVING_LINE_STATES:
            out.reserved[(line.node, line.sku)] += line.qty
        line_rows.append((
            order.id, line_nos[li], line.sku, line.qty, _money(price), line.status.value,
            line.node, d(ship_by), shipment_of.get(line_nos[li]),
        ))
    out.add("orders", (
        order.id, order.customer, order.channel.value, ts(order.created_at), order.status.value,
        order.fulfillment_type.value, d(order.promised_date), ts(order.promised_window_start),
        ts(order.promised_window_end), order.ship_to, order.pickup_node, order.service,
        _money(order.total if order.total is not None else total), order.currency, order.note,
        d(order.pickup_hold_until),
    ))
    out.tables.setdefault("shipments", []).extend(shipment_rows)
    out.tables.setdefault("order_lines", []).extend(line_rows)
    out.tables.setdefault("tracking_events", []).extend(event_rows)


def _event(event: Any) -> tuple[Any, ...]:
    return (event.type.value, ts(event.at), event.location, event.reason, d(event.revised_eta))


def convert_world(world: WorldFile, *, now: datetime | None = None) -> WorldRows:
    """Rows of every table (storage form) and the world's reference problems."""
    out = WorldRows()
    customers = _customers(world, _clock(world, now), out)
    _network(world, out)
    refs = _Refs(world, customers)
    order_ids = _duplicates(out, "orders", [o.id for o in world.orders])
    for oi, order in enumerate(world.orders):
        _order(order, oi, refs, out)
    tracking = [r[4] for r in out.tables.get("shipments", [])]
    _duplicates(out, "tracking_numbers", tracking)
    pairs: set[tuple[str, str]] = set()
    for ii, item in enumerate(world.inventory):
        where = f"inventory[{ii}] ({item.node}/{item.sku})"
        if item.node not in refs.nodes:
            out.problems.append(f"{where}: node: unknown node {item.node!r}")
        if item.sku not in refs.products:
            out.problems.append(f"{where}: sku: unknown SKU {item.sku!r}")
        if (item.node, item.sku) in pairs:
            out.problems.append(f"{where}: sku: duplicate position")
        pairs.add((item.node, item.sku))
        reserved = item.reserved if item.reserved is not None else out.reserved[(item.node, item.sku)]
        out.add("inventory", (item.node, item.sku, item.on_hand, reserved, item.safety_stock))
    # A line allocated where the file lists no stock still reserves there: record the position
    # (none on hand), so the node shows as short of it like any other stock-out.
    for (node, sku), held in sorted(out.reserved.items()):
        if (node, sku) not in pairs and node in refs.nodes and sku in refs.products:
            out.add("inventory", (node, sku, 0, held, 0))
    for ii, interaction in enumerate(world.interactions):
        where = f"interactions[{ii}]"
        if interaction.customer not in customers:
            out.problems.append(f"{where}: customer: unknown customer {interaction.customer!r}")
        if interaction.order is not None and interaction.order not in order_ids:
            out.problems.append(f"{where}: order: unknown order {interaction.order!r}")
        out.add("interactions", (
            interaction.customer, interaction.channel.value, ts(interaction.at),
            interaction.summary, interaction.order,
        ))
    return out
