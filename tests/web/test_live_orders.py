"""A carrier scan posted to the API updates the customer's open order card in the widget and the
support agent's open profile in the copilot, without a reload (issue #17: "the copilot's open
profile and the widget's order card update without a reload when a relevant event lands").

Its own server (a fresh demo world): the scan moves PO-5000 on, which the shared server's
stories rely on staying in transit.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from playwright.sync_api import expect

from promesa.domain.events.sources import sign
from tests.web.conftest import DESKTOP, NOW, PHONE, Live, _free_port

ORDER, CUSTOMER, TRACKING = "PO-5000", "C-1000", "DHL5000000001"  # in transit with DHL (story on-time-in-transit)
CARRIER = {"key": "web-carrier-key", "signing_secret": "web-carrier-secret", "scopes": ["promesa.tracking.*"]}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    import uvicorn

    from api.main import create_app
    from knowledge.indexer import build_index
    from promesa.settings import Settings
    from promesa.store.db import make_engine, migrate
    from promesa.world.demo import build_demo_world

    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("scanned"),  # type: ignore[call-arg]
                        now=datetime.fromisoformat(NOW), environment="demo", turns_per_minute=1000,
                        event_sources={"carrier": CARRIER})
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    build_demo_world(engine, now=settings.now, orders=400, seed=settings.seed)
    engine.dispose()
    build_index(settings)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=_free_port(),
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    yield Live(f"http://127.0.0.1:{server.config.port}", settings)
    server.should_exit = True
    thread.join(timeout=10)


def _post_scan(live: Live, status: str) -> httpx.Response:
    event = {"specversion": "1.0", "id": f"web-scan-{uuid.uuid4()}", "source": "/sources/carrier",
             "type": "promesa.tracking.scan.v1", "time": NOW,
             "data": {"tracking_number": TRACKING, "status": status, "location": "Polanco, CDMX"}}
    body = json.dumps(event).encode()
    return httpx.post(f"{live.url}/v1/events", content=body, timeout=10, headers={
        "Content-Type": "application/cloudevents+json", "X-Promesa-Source": "carrier",
        "X-Promesa-Source-Key": CARRIER["key"],
        "X-Promesa-Signature": sign(CARRIER["signing_secret"], body, int(time.time()))})


def test_a_scan_updates_the_open_order_card_and_the_open_profile_without_reload(scanned, page_factory):
    shop = page_factory(locale="en-US", viewport=PHONE, has_touch=True, is_mobile=True)
    shop.goto(f"{scanned.url}/shop?customer={CUSTOMER}&lang=en")
    shop.get_by_test_id("promesa-bubble").click()
    widget = shop.frame_locator("[data-testid=promesa-frame]")
    widget.get_by_test_id("chat-input").fill(f"Where is my order {ORDER}?")
    widget.get_by_test_id("chat-send").click()
    card = widget.get_by_test_id("card-order-status").last
    expect(card).to_contain_text(ORDER)
    expect(card.get_by_test_id("card-live-status")).to_have_count(0)
    frame = next(f for f in shop.frames if "/widget" in f.url)

    copilot = page_factory(viewport=DESKTOP)
    copilot.goto(f"{scanned.url}/copilot")
    copilot.get_by_test_id("demo-signin").click()
    copilot.get_by_test_id("customer-search").fill("55 1000 2000")
    copilot.get_by_test_id("customer-search-submit").click()
    expect(copilot.get_by_test_id("profile-name")).to_contain_text(CUSTOMER)
    row = copilot.locator("#profile tr").filter(has_text=ORDER)
    expect(row).to_contain_text("in transit")
    expect(copilot.get_by_test_id("live-status")).to_have_text("connected")
    # the same documents throughout: a marker set now survives only if nothing reloads
    frame.evaluate("window.__noReload = true")
    copilot.evaluate("window.__noReload = true")

    answer = _post_scan(scanned, "out_for_delivery")
    assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text

    expect(card.get_by_test_id("card-live-status")).to_have_text("Now: out for delivery")
    expect(copilot.get_by_test_id("live-change").first).to_contain_text(f"{ORDER}: out_for_delivery")
    expect(copilot.locator("#profile tr").filter(has_text=ORDER)).to_contain_text(re.compile("out for delivery", re.I))
    assert frame.evaluate("window.__noReload") is True
    assert copilot.evaluate("window.__noReload") is True
    page_factory.shot(shop, "widget-order-card-live-phone-en", full=False)
