"""The copilot's profile column shows every column of a customer's orders at 1366x900 and on a
phone: the Total was cut at 1366 px (four nowrap columns needed 299-334 px of a 286 px column)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.web.conftest import DESKTOP, PHONE, assert_accessible, assert_readable

_MONEY = re.compile(r"^MX\$\d{1,3}(,\d{3})*\.\d\d$")

# every cell's box against the visible box of its pane and of the table's own scroller
_GEOMETRY = """table => {
  const pane = table.closest('.panel'), wrap = table.closest('.table-wrap');
  const inner = (e) => { const b = e.getBoundingClientRect();
    return { left: b.left + e.clientLeft, right: b.left + e.clientLeft + e.clientWidth }; };
  const p = inner(pane), w = inner(wrap);
  const cut = [];
  for (const cell of table.querySelectorAll('th, td')) {
    const b = cell.getBoundingClientRect();
    if (b.left < Math.max(p.left, w.left) - 0.5 || b.right > Math.min(p.right, w.right) + 0.5)
      cut.push(`${cell.innerText} [${Math.round(b.left)}-${Math.round(b.right)}] outside ${Math.round(w.left)}-${Math.round(w.right)}`);
  }
  return { cut, scrolls: wrap.scrollWidth > wrap.clientWidth + 1 };
}"""


def _biggest_order(settings) -> tuple[str, str]:
    """The order with the largest total in the live world (the widest Total cell) and its customer."""
    from promesa.store.db import make_engine
    from promesa.store.models import Order

    engine = make_engine(settings.sqlalchemy_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(select(Order.id, Order.customer_id).order_by(Order.total.desc()).limit(1)).one()
    finally:
        engine.dispose()
    return row.id, row.customer_id


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_profile_orders_table_shows_every_column(live_server, page_factory, viewport):
    biggest, owner = _biggest_order(live_server.settings)
    page = page_factory(viewport=viewport)
    page.goto(f"{live_server.url}/copilot")
    page.get_by_test_id("demo-signin").click()
    for query, customer in (("81 1234 5678", "C-1002"), (biggest, owner)):
        page.get_by_test_id("customer-search").fill(query)
        page.get_by_test_id("customer-search-submit").click()
        expect(page.get_by_test_id("profile-name")).to_contain_text(customer)
        table = page.get_by_test_id("profile").locator("table")
        expect(table.locator("tbody tr").first).to_be_visible()
        geometry = table.evaluate(_GEOMETRY)
        assert not geometry["cut"], geometry["cut"]
        assert not geometry["scrolls"], "the orders table scrolls sideways in its column"
        headers = table.locator("thead th").all_inner_texts()
        assert headers == ["Order", "Promised", "Total"], headers
        for row in table.locator("tbody tr").all():
            order, _promised, total = row.locator("td").all_inner_texts()
            assert _MONEY.match(total.strip()), total
            order_id, status = order.split("\n")
            assert re.fullmatch(r"PO-\d+", order_id) and status.strip(), order
            assert_readable(order)
        if customer == owner:
            assert biggest in table.inner_text()
    # the CSV still carries the status as its own column
    with page.expect_download() as download:
        page.get_by_test_id("profile").get_by_test_id("csv-export").click()
    csv = download.value.path().read_text(encoding="utf-8")
    assert csv.splitlines()[0].split(",") == ["order_id", "status", "promised_date", "total"], csv
    assert biggest in csv
    name = "desktop" if viewport is DESKTOP else "phone"
    page_factory.shot(page, f"copilot-profile-orders-{name}", full=False)
    assert_accessible(page, f"copilot profile with orders ({name})")
