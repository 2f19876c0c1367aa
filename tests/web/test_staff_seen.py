"""The support copilot and the ops console, checked on what staff read and can do (issue #15)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.conftest import DESKTOP, PHONE, assert_accessible, assert_readable


def _ask(page, text: str) -> None:
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-send").click()


def test_copilot_rejection_handoff_queue_and_reload(live_server, page_factory):
    # a customer asks for a person in the widget: that is the ticket the agent works
    shop = page_factory(locale="en-US", viewport=DESKTOP)
    shop.goto(f"{live_server.url}/shop?customer=C-1004")
    shop.get_by_test_id("promesa-bubble").click()
    widget = shop.frame_locator("[data-testid=promesa-frame]")
    widget.get_by_test_id("talk-to-person").click()
    expect(widget.get_by_test_id("card-handoff")).to_be_visible()

    page = page_factory(viewport=DESKTOP)
    page.goto(f"{live_server.url}/copilot")
    page.get_by_test_id("demo-signin").click()
    # "Propose reroute" with no order in context says what to do instead of nothing
    page.locator("#ask-reroute").click()
    expect(page.get_by_test_id("msg-agent").last).to_contain_text("Open an order first")

    # the queue: ticket id, customer, reason in words, summary; the transcript; claim, resolve
    ticket = page.get_by_test_id("handoff").filter(has_text="C-1004").first
    expect(ticket).to_contain_text(re.compile(r"#\d+ · Customer asked for a person"))
    assert_readable(ticket.inner_text())
    ticket.get_by_test_id("handoff-open").click()
    detail = page.get_by_test_id("handoff-detail")
    expect(detail.get_by_test_id("transcript")).to_contain_text("I'd like to talk to a person")
    expect(page.get_by_test_id("profile-name")).to_contain_text("C-1004")
    detail.get_by_test_id("handoff-claim").click()
    expect(page.get_by_test_id("handoff-state")).to_contain_text("claimed")
    page.get_by_test_id("handoff-detail").get_by_test_id("handoff-resolve").click()
    expect(page.get_by_test_id("handoff-state")).to_contain_text("closed")
    expect(page.get_by_test_id("handoff-detail").get_by_test_id("handoff-resolve")).to_be_disabled()
    # column names are words, money is money
    orders = page.get_by_test_id("profile").locator("table")
    assert_readable(orders.locator("thead").inner_text())
    expect(orders.locator("tbody tr").first).to_contain_text(re.compile(r"\$[\d,]+\.\d\d"))

    # rejecting is an answer, not "Something went wrong on our side"
    page.get_by_test_id("customer-search").fill("81 1234 5678")
    page.get_by_test_id("customer-search-submit").click()
    expect(page.get_by_test_id("profile-name")).to_contain_text("C-1002")
    _ask(page, "Can PO-5002 ship from another store?")
    expect(page.get_by_test_id("card-reroute-proposal")).to_contain_text("MTY-STORE-02")
    _ask(page, "Go ahead with the recommended option")
    approval = page.get_by_test_id("card-approval")
    expect(approval).to_contain_text("Ship from another store")
    approval.locator("input").fill("Customer prefers to wait")
    approval.get_by_test_id("reject").click()
    expect(approval.get_by_test_id("approve")).to_be_disabled()
    expect(approval.get_by_test_id("reject")).to_be_disabled()
    answer = page.get_by_test_id("msg-agent").last
    expect(answer).to_contain_text("I won't change anything")
    assert "Something went wrong" not in page.get_by_test_id("messages").inner_text()
    expect(page.get_by_test_id("card-refusal").last).to_contain_text("Rejected: nothing was changed")
    # the action comes from the refusal's typed tool name, in words, with the reason given
    expect(page.get_by_test_id("card-refusal").last).to_contain_text("Ship from another store: Customer prefers to wait")
    assert "execute_reroute" not in page.get_by_test_id("card-refusal").last.inner_text()
    assert "ship_from_node:" not in approval.inner_text()
    # the draft is written for the customer (Spanish for María), not the agent's internal text
    draft = page.get_by_test_id("draft").input_value()
    assert draft.startswith("Hola") and "score" not in draft and "MTY-STORE" not in draft, draft
    page_factory.shot(page, "copilot-rejected-and-handoff-desktop", full=False)
    assert_accessible(page, "copilot after a rejection and a resolved handoff")

    # the thread and the order in context survive a reload; "New thread" forgets the order
    page.reload()
    expect(page.get_by_test_id("card-reroute-proposal")).to_contain_text("MTY-STORE-02")
    expect(page.get_by_test_id("msg-user").first).to_contain_text("Can PO-5002 ship from another store?")
    page.locator("#new-thread").click()
    page.locator("#ask-reroute").click()
    expect(page.get_by_test_id("msg-agent").last).to_contain_text("Open an order first")


def test_no_change_needed_is_not_a_failed_search(live_server, page_factory):
    page = page_factory(viewport=DESKTOP)
    page.goto(f"{live_server.url}/copilot")
    page.get_by_test_id("demo-signin").click()
    _ask(page, "Can PO-5101 ship from another store?")
    card = page.get_by_test_id("card-reroute-proposal")
    expect(card).to_contain_text("No change needed")
    assert "No option meets the promise" not in card.inner_text()


def test_ops_grouped_answer_is_labelled_formatted_and_cleared_when_unanswerable(live_server, page_factory):
    page = page_factory(viewport=DESKTOP)
    page.goto(f"{live_server.url}/ops")
    page.get_by_test_id("demo-signin").click()
    # the empty state suggests questions; the heatmap has a legend and Today/Tomorrow
    expect(page.get_by_test_id("suggestion").first).to_be_visible()
    expect(page.get_by_test_id("heat-legend")).to_contain_text("120% or more")
    heat_head = page.get_by_test_id("heatmap").locator("thead").inner_text()
    assert "Today" in heat_head and "Tomorrow" in heat_head
    # only nodes with load by default; unticking shows every node
    shown = page.get_by_test_id("heatmap").locator("tbody tr").count()
    page.get_by_test_id("only-load").uncheck()
    assert page.get_by_test_id("heatmap").locator("tbody tr").count() > shown
    assert_readable(page.get_by_test_id("risk-reasons").inner_text())

    _ask(page, "On-time rate by carrier this week")
    answer = page.get_by_test_id("answer-table")
    expect(answer.locator("table tbody tr").first).to_be_visible()
    title = page.get_by_test_id("answer-title").inner_text()
    assert "On-time rate by carrier" in title and "November" in title, title
    text = answer.inner_text()
    assert_readable(text)
    assert "Carrier" in answer.locator("thead").inner_text()
    values = answer.locator("tbody tr td:last-child").all_inner_texts()
    assert values and all(re.fullmatch(r"\d{1,3}(\.\d)?%", v) for v in values), values
    expect(page.get_by_test_id("answer-chart")).to_be_visible()
    assert page.get_by_test_id("history").inner_text().startswith("On-time rate by carrier")
    page_factory.shot(page, "ops-grouped-answer-desktop", full=False)
    assert_accessible(page, "ops console with a grouped answer")

    _ask(page, "What's the weather in Paris?")
    expect(page.get_by_test_id("answer-title")).to_have_text("I can't answer that")
    expect(page.get_by_test_id("answer-chart")).to_have_count(0)
    expect(answer.locator("table")).to_have_count(0)
    page_factory.shot(page, "ops-unanswerable-desktop", full=False)


def test_ops_console_on_a_phone(live_server, page_factory):
    page = page_factory(viewport=PHONE)
    page.goto(f"{live_server.url}/ops")
    page.get_by_test_id("demo-signin").click()
    expect(page.get_by_test_id("heatmap")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page_factory.shot(page, "ops-phone")
    assert_accessible(page, "ops console on a phone")


def test_docs_and_redoc_work_offline(live_server, page_factory):
    page = page_factory(viewport=DESKTOP)
    # the machine is offline: anything not served by Promesa fails (ReDoc's footer logo is the
    # only thing that asks, and the page does not need it)
    page_factory.allow("cdn.redoc.ly", "ERR_INTERNET_DISCONNECTED", "favicon.png")
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort("internetdisconnected"))
    page.goto(f"{live_server.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Promesa API")
    page.goto(f"{live_server.url}/redoc")
    expect(page.locator("redoc, [role=navigation], .menu-content").first).to_be_attached()
    expect(page.get_by_text("Promesa API").first).to_be_visible()
    expect(page.get_by_text("/v1/chat").first).to_be_attached()
