"""A POS sale posted to the API updates the open ops console and copilot without a reload."""

from __future__ import annotations

import json
import time
import uuid

import httpx
from playwright.sync_api import expect
from sqlalchemy import select

from promesa.domain.events.sources import sign
from promesa.store.db import make_engine
from promesa.store.enums import NodeType
from promesa.store.models import InventoryPosition, Node
from tests.web.conftest import LIVE_SOURCES, NOW


def _sellable_store_position(live) -> tuple[str, str, int]:
    engine = make_engine(live.settings.sqlalchemy_url)
    with engine.connect() as connection:
        row = connection.execute(
            select(InventoryPosition.node_id, InventoryPosition.sku, InventoryPosition.on_hand)
            .join(Node, Node.id == InventoryPosition.node_id)
            .where(Node.type == NodeType.store, Node.active.is_(True),
                   InventoryPosition.on_hand - InventoryPosition.reserved >= 1)
            .order_by(InventoryPosition.node_id, InventoryPosition.sku).limit(1)
        ).one()
    engine.dispose()
    return row.node_id, row.sku, row.on_hand


def _post_sale(live, node_id: str, sku: str) -> httpx.Response:
    event = {"specversion": "1.0", "id": f"web-{uuid.uuid4()}", "source": "/sources/pos",
             "type": "promesa.inventory.pos_sale.v1", "time": NOW,
             "data": {"node_id": node_id, "sku": sku, "quantity": 1}}
    body = json.dumps(event).encode()
    pos = LIVE_SOURCES["pos"]
    return httpx.post(f"{live.url}/v1/events", content=body, timeout=10, headers={
        "Content-Type": "application/cloudevents+json", "X-Promesa-Source": "pos",
        "X-Promesa-Source-Key": pos["key"],
        "X-Promesa-Signature": sign(pos["signing_secret"], body, int(time.time()))})


def test_pos_sale_updates_open_ops_console_and_copilot_without_reload(live_server, page_factory):
    node_id, sku, on_hand = _sellable_store_position(live_server)
    ops = page_factory(viewport={"width": 1440, "height": 1000})
    ops.goto(f"{live_server.url}/ops")
    ops.get_by_test_id("demo-signin").click()
    expect(ops.get_by_test_id("heatmap")).to_be_visible()
    expect(ops.get_by_test_id("live-status")).to_have_text("connected")
    copilot = page_factory(viewport={"width": 1440, "height": 1000})
    copilot.goto(f"{live_server.url}/copilot")
    copilot.get_by_test_id("demo-signin").click()
    copilot.get_by_test_id("customer-search").fill("81 1234 5678")
    copilot.get_by_test_id("customer-search-submit").click()
    expect(copilot.get_by_test_id("profile-name")).to_contain_text("C-1002")
    expect(copilot.get_by_test_id("live-status")).to_have_text("connected")
    # both pages stay the same documents: a marker set now survives only if nothing reloads
    for page in (ops, copilot):
        page.evaluate("window.__noReload = true")

    answer = _post_sale(live_server, node_id, sku)
    assert answer.status_code == 200, answer.text

    expected = f"{node_id} · {sku}: on hand {on_hand - 1}"
    for page in (ops, copilot):
        expect(page.get_by_test_id("live-change").first).to_contain_text(expected)
        assert page.evaluate("window.__noReload") is True
    expect(ops.locator("body")).to_have_attribute("data-live-refreshes", "1")
    expect(ops.get_by_test_id("heatmap")).to_be_visible()  # redrawn from the live positions
    expect(copilot.get_by_test_id("profile-name")).to_contain_text("C-1002")
    page_factory.shot(ops, "ops-live-pos-sale", full=False)
