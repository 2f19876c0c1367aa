"""Each page in each of its states — empty, loading, answer, card, error, handoff, approval —
is readable and has no serious or critical axe violation, with a screenshot of each (#15).
The ops console's counts for one thing agree across the text, the table and the heatmap."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.conftest import DESKTOP, PHONE, assert_accessible, assert_readable


def _widget_frame(page):
    return next(f for f in page.frames if "/widget" in f.url)


class Held:
    """Requests to ``pattern`` wait until released: the page shows its loading state meanwhile."""

    def __init__(self, page, pattern: str) -> None:
        self.page, self.pattern, self.routes = page, pattern, []
        page.route(pattern, lambda route: self.routes.append(route))

    def release(self) -> None:
        for route in self.routes:
            route.continue_()
        self.page.unroute(self.pattern)


def _state(page_factory, page, target, name: str, readable=None, lang: str = "en") -> None:
    page_factory.shot(page, f"state-{name}", full=False)
    assert_accessible(target, name)
    if readable is not None:
        assert_readable(readable.inner_text(), lang=lang)


def _ask(target, text: str) -> None:
    target.get_by_test_id("chat-input").fill(text)
    target.get_by_test_id("chat-send").click()


def test_widget_in_every_state(live_server, page_factory):
    page_factory.allow("/v1/chat", "ERR_INTERNET_DISCONNECTED", "ERR_FAILED")
    page = page_factory(locale="es-MX", viewport=PHONE, has_touch=True, is_mobile=True)
    page.goto(f"{live_server.url}/shop?customer=C-1008")
    page.get_by_test_id("promesa-bubble").click()
    widget = page.frame_locator("[data-testid=promesa-frame]")
    messages = widget.get_by_test_id("messages")
    expect(widget.get_by_test_id("msg-agent").first).to_contain_text("Sofía")
    _state(page_factory, page, _widget_frame(page), "widget-empty-phone", messages, "es")

    held = Held(page, "**/v1/chat")
    _ask(widget, "¿Dónde está mi pedido PO-5008?")
    expect(widget.locator(".msg.typing")).to_be_visible()
    _state(page_factory, page, _widget_frame(page), "widget-loading-phone")
    held.release()
    expect(widget.get_by_test_id("card-order-status")).to_be_visible()
    _state(page_factory, page, _widget_frame(page), "widget-answer-card-phone", messages, "es")

    page.route("**/v1/chat", lambda route: route.abort("internetdisconnected"))
    _ask(widget, "¿Puedo recogerlo en tienda?")
    expect(widget.get_by_test_id("msg-error")).to_be_visible()
    _state(page_factory, page, _widget_frame(page), "widget-error-phone", messages, "es")
    page.unroute("**/v1/chat")

    _ask(widget, "Quiero cambiar mi pedido PO-5008 a recoger en tienda")
    widget.get_by_test_id("choose-option").first.click()
    expect(widget.get_by_test_id("card-approval")).to_be_visible()
    _state(page_factory, page, _widget_frame(page), "widget-approval-phone", messages, "es")

    # a message while the change waits says what to do (it was "something went wrong")
    widget.get_by_test_id("talk-to-person").click()
    expect(widget.get_by_test_id("msg-error").last).to_contain_text("Primero aprueba o rechaza el cambio")
    _state(page_factory, page, _widget_frame(page), "widget-error-pending-phone", messages, "es")
    widget.get_by_test_id("card-approval").get_by_test_id("reject").click()
    refusal = widget.get_by_test_id("card-refusal").last
    expect(refusal).to_be_visible()
    assert "customer:" not in refusal.inner_text() and "convert_to_pickup" not in refusal.inner_text()

    widget.get_by_test_id("talk-to-person").click()
    expect(widget.get_by_test_id("card-handoff")).to_contain_text("te responderá aquí")
    _state(page_factory, page, _widget_frame(page), "widget-handoff-phone", messages, "es")


def test_copilot_in_every_state(live_server, page_factory):
    page_factory.allow("/v1/chat", "ERR_INTERNET_DISCONNECTED", "ERR_FAILED")
    # a ticket to open: a shopper asks for a person
    shop = page_factory(locale="en-US", viewport=DESKTOP)
    shop.goto(f"{live_server.url}/shop?customer=C-1006")
    shop.get_by_test_id("promesa-bubble").click()
    shop.frame_locator("[data-testid=promesa-frame]").get_by_test_id("talk-to-person").click()
    expect(shop.frame_locator("[data-testid=promesa-frame]").get_by_test_id("card-handoff")).to_be_visible()

    page = page_factory(viewport=DESKTOP)
    page.goto(f"{live_server.url}/copilot")
    page.get_by_test_id("demo-signin").click()
    expect(page.get_by_test_id("live-status")).to_have_text("connected")
    _state(page_factory, page, page, "copilot-empty-desktop", page.locator("main"))

    held = Held(page, "**/v1/chat")
    _ask(page, "Can PO-5002 ship from another store?")
    expect(page.locator(".msg.typing")).to_be_visible()
    _state(page_factory, page, page, "copilot-loading-desktop")
    held.release()
    card = page.get_by_test_id("card-reroute-proposal")
    expect(card).to_contain_text("MTY-STORE-02")
    # the proposal says its option in words, and its table rows stay one line high
    assert "ship_from_node" not in card.inner_text()
    heights = [r.bounding_box()["height"] for r in card.locator("tbody tr").all()]
    assert heights and max(heights) < 60, heights
    # nothing of the options table is cut off on the right: it fits its card, or scrolls inside it
    table = card.locator("table")
    box, frame = table.bounding_box(), card.bounding_box()
    wrap = card.locator(".table-wrap")
    assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 1, (box, frame)
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the options table scrolls sideways"
    _state(page_factory, page, page, "copilot-answer-card-desktop", page.get_by_test_id("messages"),)

    _ask(page, "Go ahead with the recommended option")
    approval = page.get_by_test_id("card-approval")
    expect(approval).to_contain_text("Ship from MTY-STORE-02 · Tienda Cumbres, Estafeta standard")
    expect(approval.get_by_test_id("approval-requested-by")).to_have_text("Asked by support agent agent-demo")
    # what changes is worded from typed records: dates per locale ("21 Nov"), never ISO dates
    changes = approval.get_by_test_id("approval-changes")
    expect(changes).to_contain_text("New ETA 21 Nov (promise 22 Nov)")
    expect(changes).to_contain_text("Line 1: from MTY-STORE-01")
    assert not re.search(r"\d{4}-\d{2}-\d{2}", changes.inner_text()), changes.inner_text()
    _state(page_factory, page, page, "copilot-approval-desktop")

    page.route("**/v1/chat", lambda route: route.abort("internetdisconnected"))
    page.locator("#new-thread").click()
    _ask(page, "Where is PO-5000?")
    expect(page.get_by_test_id("msg-error")).to_be_visible()
    _state(page_factory, page, page, "copilot-error-desktop")
    page.unroute("**/v1/chat")

    ticket = page.get_by_test_id("handoff").filter(has_text="C-1006").first
    ticket.get_by_test_id("handoff-open").click()
    expect(page.get_by_test_id("handoff-detail").get_by_test_id("transcript")).to_be_visible()
    _state(page_factory, page, page, "copilot-handoff-desktop", page.get_by_test_id("handoff-detail"))
    # the live status is a styled pill in the top bar, not a block under the columns
    live = page.get_by_test_id("live-feed")
    assert live.evaluate("e => e.closest('header.topbar') !== null")


def test_ops_console_in_every_state_and_one_number_for_one_thing(live_server, page_factory):
    page = page_factory(viewport=DESKTOP)
    page.goto(f"{live_server.url}/ops")
    page.get_by_test_id("demo-signin").click()
    expect(page.get_by_test_id("suggestion").first).to_be_visible()
    expect(page.get_by_test_id("heatmap")).to_be_visible()
    _state(page_factory, page, page, "ops-empty-desktop", page.get_by_test_id("answer-table"))
    # the Ask panel too: an empty history once read "nullnull" under the input
    assert_readable(page.get_by_role("region", name="Ask").inner_text())

    held = Held(page, "**/v1/chat")
    _ask(page, "Which orders will miss their promise tomorrow?")
    expect(page.locator(".msg.typing")).to_be_visible()
    _state(page_factory, page, page, "ops-loading-desktop")
    held.release()
    title = page.get_by_test_id("answer-title")
    expect(title).to_contain_text("At-risk orders")
    said = int(re.search(r"(\d+) orders are at risk", page.get_by_test_id("msg-agent").last.inner_text()).group(1))
    listed = int(re.search(r"\((\d+)\)", title.inner_text()).group(1))
    rows = page.get_by_test_id("answer-table").locator("tbody tr")
    assert said == listed == rows.count(), (said, listed, rows.count())
    _state(page_factory, page, page, "ops-risk-answer-desktop", page.get_by_test_id("answer-table"))

    # tomorrow's busiest cell: its badge, its drill-down and the answer's rows for that node agree
    cell = page.get_by_test_id("heatmap").locator("tbody tr").first.get_by_test_id("heat-cell").nth(1)
    node = cell.get_attribute("data-node")
    badge = int(re.match(r"(\d+) at risk", cell.get_by_test_id("cell-at-risk").inner_text()).group(1))
    cell.click()
    expect(page.get_by_test_id("cell-title")).to_contain_text(f"{badge} at-risk orders")
    drill = page.get_by_test_id("cell-orders").locator("tbody tr").count()
    in_answer = rows.filter(has_text=node).count()
    assert badge == drill == in_answer, (node, badge, drill, in_answer)
    _state(page_factory, page, page, "ops-heatmap-cell-desktop", page.get_by_test_id("cell-orders"))

    # utilisation this week: the busiest node first, at its busiest day (not a weekly average)
    _ask(page, "Utilisation by node this week")
    expect(page.get_by_test_id("answer-title")).to_contain_text("Peak utilisation by node")
    first = page.get_by_test_id("answer-table").locator("tbody tr").first
    expect(first).to_contain_text(node)
    assert "Busiest day" in page.get_by_test_id("answer-table").locator("thead").inner_text()
    assert re.search(r"1[0-9]{2}%", first.inner_text()), first.inner_text()
    _state(page_factory, page, page, "ops-utilisation-week-desktop", page.get_by_test_id("answer-table"))

    _ask(page, "What's the weather in Paris?")
    expect(page.get_by_test_id("answer-title")).to_have_text("I can't answer that")
    _state(page_factory, page, page, "ops-cant-answer-desktop", page.get_by_test_id("answer-table"))
