"""The ops console's dead-letter panel: a rejected event appears live, in words; replay and discard."""

from __future__ import annotations

import json
import time
import uuid

import httpx
from playwright.sync_api import expect
from sqlalchemy import update

from promesa.domain.events.sources import sign
from promesa.store.db import make_engine
from promesa.store.models import InventoryPosition
from tests.web.conftest import DESKTOP, LIVE_SOURCES, NOW, assert_accessible, assert_readable
from tests.web.test_live import _sellable_store_position


def _post(live, data: dict) -> httpx.Response:
    event = {"specversion": "1.0", "id": f"dl-{uuid.uuid4()}", "source": "/sources/pos",
             "type": "promesa.inventory.pos_sale.v1", "time": NOW, "data": data}
    body = json.dumps(event).encode()
    pos = LIVE_SOURCES["pos"]
    return httpx.post(f"{live.url}/v1/events", content=body, timeout=10, headers={
        "Content-Type": "application/cloudevents+json", "X-Promesa-Source": "pos",
        "X-Promesa-Source-Key": pos["key"],
        "X-Promesa-Signature": sign(pos["signing_secret"], body, int(time.time()))})


def test_dead_letters_appear_live_in_words_and_replay_or_discard(live_server, page_factory):
    ops = page_factory(viewport=DESKTOP)
    ops.goto(f"{live_server.url}/ops")
    ops.get_by_test_id("demo-signin").click()
    expect(ops.get_by_test_id("live-status")).to_have_text("connected")
    panel = ops.get_by_test_id("dead-letters")
    expect(panel).to_contain_text("Rejected events (dead letters)")
    ops.evaluate("window.__noReload = true")

    unknown = _post(live_server, {"node_id": "MTY-STORE-02", "sku": "SKU-NOPE", "quantity": 1})
    assert unknown.status_code == 404, unknown.text
    row = panel.get_by_test_id("dead-letter").filter(has_text="SKU-NOPE")
    expect(row).to_contain_text("It names something Promesa does not know")  # arrived without a reload
    expect(row).to_contain_text("product SKU-NOPE not found")
    expect(row).to_contain_text("/sources/pos")
    expect(row).to_contain_text("POS sale · inventory (v1)")
    expect(row.get_by_test_id("dead-letter-payload")).to_contain_text('"sku":"SKU-NOPE"')
    assert ops.evaluate("window.__noReload") is True

    node_id, sku, on_hand = _sellable_store_position(live_server)
    too_many = _post(live_server, {"node_id": node_id, "sku": sku, "quantity": on_hand + 5})
    assert too_many.status_code == 409, too_many.text
    short = panel.get_by_test_id("dead-letter").filter(has_text="take")
    expect(short).to_contain_text("It conflicts with the current stock or state")
    assert_readable(panel.inner_text(), allow=("node_id",))  # node_id: the payload preview's own key
    assert_accessible(ops, "ops console with dead letters")
    page_factory.shot(ops, "ops-dead-letters", full=True)

    row.get_by_test_id("dead-letter-replay").click()  # the product still does not exist
    expect(panel.get_by_test_id("dead-letters-result")).to_contain_text("Replayed, still rejected: product SKU-NOPE not found")
    row.get_by_test_id("dead-letter-discard").click()
    expect(panel.get_by_test_id("dead-letters-result")).to_contain_text("Discarded the POS sale · inventory (v1) event")
    expect(row).to_have_count(0)

    engine = make_engine(live_server.settings.sqlalchemy_url)  # the fix: the stock arrived
    with engine.begin() as connection:
        connection.execute(update(InventoryPosition).where(InventoryPosition.node_id == node_id,
                                                           InventoryPosition.sku == sku)
                           .values(on_hand=InventoryPosition.on_hand + 10))
    engine.dispose()
    short.get_by_test_id("dead-letter-replay").click()
    expect(panel.get_by_test_id("dead-letters-result")).to_contain_text("Replayed: the POS sale · inventory (v1) event from /sources/pos was applied")
    expect(short).to_have_count(0)
