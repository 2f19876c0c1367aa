"""The ops console with a long at-risk list (more than the 25 the agent names): every order the
answer's text counts is in the table and reachable, and the text, the table, the heatmap and the
risk totals give the same numbers.

Its own server and world: the shared 400-order world has 22 orders at risk in the next 7 days.
Here the demo world's busy nodes get a thin week (one order a day of capacity), which puts
about 60 orders at risk, most of them in heatmap cells, some already with the carrier.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.web.conftest import DESKTOP, NOW, PHONE, Live, _free_port, assert_accessible, assert_readable

QUESTION = "Which orders will miss their promise in the next 7 days?"


@pytest.fixture(scope="module")
def thin_week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    import uvicorn
    from sqlalchemy.orm import Session

    from api.main import create_app
    from promesa.domain.capacity import scan_risk
    from promesa.domain.deps import Deps
    from promesa.principal import Principal, Role
    from promesa.settings import Settings
    from promesa.store.db import make_engine, migrate
    from promesa.store.models import NodeCapacity
    from promesa.world.demo import build_demo_world

    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("thin-week"),  # type: ignore[call-arg]
                        now=datetime.fromisoformat(NOW), environment="demo", turns_per_minute=1000)
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    build_demo_world(engine, now=settings.now, orders=400, seed=settings.seed)
    ops = Principal(role=Role.ops, subject="ops-demo")
    with Session(engine) as session:
        deps = Deps(session=session, principal=ops, now=settings.now, settings=settings)
        busy = {c.node_id for c in scan_risk(deps, days=7).node_days if c.due_orders > 0}
        for node in busy:  # the world's capacity calendar: one order a day this week
            for offset in range(7):
                day = settings.now.date() + timedelta(days=offset)
                row = session.get(NodeCapacity, (node, day)) or NodeCapacity(node_id=node, day=day)
                row.orders, row.units, row.reason = 1, 3, "a thin week (test world)"
                session.add(row)
        session.commit()
        at_risk = scan_risk(deps, days=7).totals.at_risk_orders
    engine.dispose()
    assert at_risk > 25, f"the test world needs more at-risk orders than the agent lists: {at_risk}"
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


def _count(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in {text!r}"
    return int(match.group(1))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_at_risk_order_is_listed_and_counted_alike(thin_week, page_factory, viewport):
    page = page_factory(locale="en-US", viewport=viewport)
    page.goto(f"{thin_week.url}/ops")
    page.get_by_test_id("demo-signin").click()
    page.get_by_test_id("chat-input").fill(QUESTION)
    page.get_by_test_id("chat-send").click()
    expect(page.get_by_test_id("msg-agent").last).to_contain_text("orders are at risk")
    said = _count(r"(\d+) orders are at risk", page.get_by_test_id("msg-agent").last.inner_text())
    assert said > 25
    # identifiers never break at their hyphens ("PO-" at a line's end, "1000397" on the next)
    spans = page.get_by_test_id("msg-agent").last.locator("span.nobr")
    assert spans.count() >= 5
    heights = spans.evaluate_all("els => els.map(e => [e.textContent, e.getClientRects().length])")
    assert all(lines == 1 for _, lines in heights), [h for h in heights if h[1] != 1]

    # the table lists them all (the agent named 25; the rest load from the same scan)
    title = page.get_by_test_id("answer-title")
    expect(title).to_have_text(f"At-risk orders ({said})")
    table = page.get_by_test_id("answer-table").locator("table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(said)
    ids = [text.strip() for text in table.locator("tbody tr td:first-child").all_inner_texts()]
    assert len(set(ids)) == said and all(re.fullmatch(r"PO-\d+", i) for i in ids), ids
    # every row is reachable: the last one scrolls into view inside its panel
    rows.last.scroll_into_view_if_needed()
    expect(rows.last).to_be_in_viewport()
    text = page.get_by_test_id("answer-table").inner_text()
    assert_readable(text)
    assert "Loading" not in text

    # the heatmap: its line counts the same total, and its cells add up to what it says they hold
    heat = page.get_by_test_id("heat-at-risk").inner_text()
    assert _count(r"(\d+) orders at risk in these 7 days", heat) == said, heat
    in_cells = _count(r": (\d+) in the cells below", heat)
    cells = [int(t.split()[0]) for t in page.get_by_test_id("cell-at-risk").all_inner_texts()]
    assert sum(cells) == in_cells and in_cells > 25, (cells, heat)
    with_carrier = sum(1 for row in table.locator("tbody tr").all_inner_texts() if "With the carrier" in row)
    assert said - in_cells == with_carrier, (heat, with_carrier)
    if with_carrier:
        assert f"{with_carrier} already with the carrier" in heat
    reasons = page.get_by_test_id("risk-reasons").locator("h3").inner_text()
    assert _count(r": (\d+) orders", reasons) == said, reasons
    assert_readable(heat)

    # the busiest cell's drill-down lists as many orders as the cell shows
    busiest = max(page.get_by_test_id("cell-at-risk").all(), key=lambda c: int(c.inner_text().split()[0]))
    shown = int(busiest.inner_text().split()[0])
    busiest.click()
    expect(page.get_by_test_id("cell-title")).to_contain_text(f": {shown} at-risk orders")
    expect(page.get_by_test_id("cell-orders").locator("tbody tr")).to_have_count(shown)

    # the CSV holds every listed order
    with page.expect_download() as download:
        page.get_by_test_id("answer-table").get_by_test_id("csv-export").click()
    lines = download.value.path().read_text(encoding="utf-8").splitlines()
    assert len(lines) == said + 1 and {line.split(",")[0] for line in lines[1:]} == set(ids)

    name = "desktop" if viewport is DESKTOP else "phone"
    page.get_by_test_id("answer-table").scroll_into_view_if_needed()
    page_factory.shot(page, f"ops-long-risk-list-{name}", full=False)
    assert_accessible(page, f"ops console with {said} at-risk orders ({name})")
