"""The demo world: a deterministic Mexican retailer of any size, with the stories built in."""

from __future__ import annotations

import os
import random
import time as clock
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from promesa.store.enums import NodeType
from promesa.world import orders as order_chunks
from promesa.world import people as people_chunks
from promesa.world.bulk import bulk_load
from promesa.world.catalog import STORY_PRODUCTS, build_catalog
from promesa.world.convert import convert_world
from promesa.world.loader import WorldSummary
from promesa.world.network import build_carriers, build_nodes
from promesa.world.orders import OrderGenerator
from promesa.world.parallel import ordered_map
from promesa.world.people import People, people_rows, place_people
from promesa.world.schema import CapacityOverrideIn, NodeIn, WorldFile
from promesa.world.stories import story_entities
from promesa.world.timeline import Timeline, buen_fin

#: Story situations that need one inventory position to be what a cycle count found.
STOCK_LOST = ("MTY-STORE-01", "SKU-10002")
NEARBY_STOCK = ("MTY-STORE-02", "SKU-10002")
BASE_TABLES = ("carriers", "customers", "nodes", "products", "addresses", "carrier_services",
               "identities", "node_capacity")
STORY_ORDER_TABLES = ("orders", "shipments", "order_lines", "tracking_events", "interactions")


def scale_for(orders: int) -> tuple[int, int]:
    """Default (nodes, SKUs) for a number of orders: 35/300 for demos up to 500/10,000."""
    if orders >= 200_000:
        return 500, 10_000
    if orders <= 20_000:
        return 35, 300
    share = (orders - 20_000) / 180_000
    return int(35 + share * 465), int(300 + share * 9_700)


def _stock_plan(rng: random.Random, nodes: list[NodeIn], n_skus: int
                ) -> tuple[dict[int, list[int]], dict[tuple[int, int], int]]:
    """Which SKUs each store carries (DCs carry all) and the free stock at each position."""
    story = list(range(len(STORY_PRODUCTS)))
    generated = range(len(STORY_PRODUCTS), n_skus)
    per_store = min(len(generated), max(60, int(len(generated) * 0.6)), 800)
    carried: dict[int, list[int]] = {}
    stock: dict[tuple[int, int], int] = {}
    for i, node in enumerate(nodes):
        rand = rng.random
        if node.type is NodeType.distribution_center:
            for s in range(n_skus):
                stock[(i, s)] = 20 + int(rand() * 381)
            continue
        skus = story + sorted(rng.sample(generated, per_store))
        carried[i] = skus
        dark = node.type is NodeType.dark_store
        for s in skus:
            stock[(i, s)] = 5 + int(rand() * 56) if dark else (
                0 if rand() < 0.08 else 1 + int(rand() * 25))
    return carried, stock


def build_demo_world(
    engine: Engine,
    *,
    now: datetime,
    orders: int = 2000,
    seed: int = 7,
    nodes: int | None = None,
    skus: int | None = None,
    progress: bool = False,
    workers: int | None = None,
) -> WorldSummary:
    """Build the demo world into a migrated, empty database (one transaction).

    Args:
        engine: the database.
        now: the world's clock; "today" is its date in Mexico City.
        orders: generated orders (besides the stories'), created over the last 90 days.
        seed: the same seed and ``now`` give identical data.
        nodes: network size (nodes); default scales with ``orders``.
        skus: catalogue size (products); default scales with ``orders``.
        progress: show a progress bar.
        workers: processes generating orders while this one writes; default 2 from 100,000
            orders (when the machine has 2 cores), else 1.
    """
    started = clock.perf_counter()
    default_nodes, default_skus = scale_for(orders)
    n_nodes = max(nodes or default_nodes, 35)
    n_skus = max(skus or default_skus, len(STORY_PRODUCTS) + 20)
    timeline = Timeline(now)
    daily = max(orders, 1) / 90
    products = build_catalog(random.Random(f"{seed}:catalog"), n_skus)
    node_specs = build_nodes(random.Random(f"{seed}:nodes"), n_nodes, daily)
    carried, stock = _stock_plan(random.Random(f"{seed}:stock"), node_specs, n_skus)
    safety = [2 if n.type is NodeType.distribution_center else 0 for n in node_specs]

    online = Counter[int]()
    for (i, s), free in stock.items():
        if node_specs[i].type is NodeType.distribution_center:
            online[s] += max(0, free - safety[i])
    products = [p.model_copy(update={"online_available": online[s]})
                for s, p in enumerate(products)]
    stories = story_entities(now)
    node_specs = [_with_capacity(n, stories.capacity.get(n.id, []), timeline) for n in node_specs]
    base = WorldFile(now=now, customers=stories.customers, nodes=node_specs,
                     carriers=build_carriers(), products=products, orders=stories.orders,
                     interactions=stories.interactions)
    rows = convert_world(base, now=now)
    if rows.problems:  # the stories are code: a problem here is a bug, not bad input
        raise RuntimeError(f"demo stories are inconsistent: {rows.problems[0]}")

    n_people = max(100, orders // 3)
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if orders >= 100_000 else 1
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn()]
    with Progress(*columns, disable=not progress) as bar, bulk_load(
        engine, fast=orders >= 20_000
    ) as writer:
        for table in BASE_TABLES + STORY_ORDER_TABLES:  # the stories' own customers come first
            writer.write(table, rows.tables.get(table, []))
        people = place_people(random.Random(f"{seed}:people"), n_people)
        generator = OrderGenerator(seed, timeline, node_specs, carried, base.carriers, products,
                                   people, first_sku=len(STORY_PRODUCTS))
        generator.plan(orders)
        people_task = bar.add_task("customers", total=n_people)
        orders_task = bar.add_task("orders", total=orders)
        tasks = [("people", c) for c in range(-(-n_people // people_chunks.PEOPLE_CHUNK))]
        tasks += [("orders", c) for c in range(-(-orders // order_chunks.CHUNK))]
        reserved: Counter[tuple[int, int]] = Counter()
        job = _Job(seed, now, people, generator, orders)
        for kind, result in ordered_map(_generate, job, tasks, workers):
            if kind == "people":
                for table, table_rows in zip(("customers", "addresses", "identities"), result, strict=True):
                    writer.write(table, table_rows)
                bar.advance(people_task, len(result[0]))
                continue
            chunk, chunk_reserved = result
            for table in STORY_ORDER_TABLES:
                writer.write(table, chunk[table])
            reserved.update(chunk_reserved)
            bar.advance(orders_task, len(chunk["orders"]))
        task = bar.add_task("inventory + indexes", total=None)
        index = {n.id: i for i, n in enumerate(node_specs)}
        sku_index = {p.sku: s for s, p in enumerate(products)}
        for (node_id, sku), qty in rows.reserved.items():
            reserved[(index[node_id], sku_index[sku])] += qty
        lost = (index[STOCK_LOST[0]], sku_index[STOCK_LOST[1]])
        nearby = (index[NEARBY_STOCK[0]], sku_index[NEARBY_STOCK[1]])
        stock[nearby] = max(stock[nearby], 6)

        def inventory() -> Iterator[tuple[str, str, int, int, int]]:
            for (i, s), free in stock.items():
                held = reserved.get((i, s), 0)
                on_hand = 0 if (i, s) == lost else free + held  # a cycle count found none
                yield node_specs[i].id, products[s].sku, on_hand, held, safety[i]

        writer.write("inventory", inventory())
        bar.update(task, completed=1, total=1)
    return WorldSummary(dict(writer.counts), now, clock.perf_counter() - started)


@dataclass
class _Job:
    """What forked workers need to generate people and order chunks."""

    seed: int
    now: datetime
    people: People
    generator: OrderGenerator
    orders: int


def _generate(job: _Job, task: tuple[str, int]) -> tuple[str, Any]:
    kind, number = task
    if kind == "people":
        return kind, people_rows(job.seed, number, job.people, job.now)
    return kind, job.generator.chunk(number, job.orders)


def _with_capacity(node: NodeIn, story: list[CapacityOverrideIn], timeline: Timeline) -> NodeIn:
    """Story overrides, plus extra staffed capacity at distribution centres for Buen Fin."""
    overrides = list(story)
    if node.type is NodeType.distribution_center:
        start, end = buen_fin(timeline.today_date.year)
        taken = {o.day for o in overrides}
        day = start
        while day <= end:
            if day not in taken:
                overrides.append(CapacityOverrideIn(
                    day=day, orders=int(node.capacity_orders * 1.5),
                    units=int(node.capacity_units * 1.5), reason="Buen Fin: extra shifts"))
            day = day.fromordinal(day.toordinal() + 1)
    return node.model_copy(update={"capacity_overrides": overrides}) if overrides else node


__all__ = ["build_demo_world", "scale_for"]
