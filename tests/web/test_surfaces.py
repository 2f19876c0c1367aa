"""The main flow of each web surface, end to end in headless Chromium against a live server."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from promesa.store.db import make_engine
from promesa.store.enums import IdentityKind
from promesa.store.models import Identity


def _email_of(live, customer_id: str) -> str:
    engine = make_engine(live.settings.sqlalchemy_url)
    with engine.connect() as connection:
        email = connection.execute(
            select(Identity.value).where(
                Identity.customer_id == customer_id, Identity.kind == IdentityKind.email
            )
        ).scalar_one()
    engine.dispose()
    return email


def _open_widget(page):
    page.get_by_test_id("promesa-bubble").click()
    return page.frame_locator("[data-testid=promesa-frame]")


def test_customer_asks_in_spanish_about_the_late_order(live_server, page_factory):
    page = page_factory(locale="es-MX", viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/shop?customer=C-1001")
    frame = _open_widget(page)
    expect(frame.get_by_test_id("auth-status")).to_contain_text("Sesión iniciada")
    frame.get_by_test_id("chat-input").fill("¿Dónde está mi pedido PO-5001?")
    frame.get_by_test_id("chat-input").press("Enter")
    card = frame.get_by_test_id("card-order-status")
    expect(card).to_be_visible()
    expect(card).to_have_attribute("data-state", "late")
    expect(card).to_contain_text("Retrasado")
    expect(frame.get_by_test_id("msg-agent").last).to_contain_text(re.compile("noviembre", re.I))
    page_factory.shot(page, "widget-late-order-es")


def test_anonymous_visitor_verifies_an_order(live_server, page_factory):
    page = page_factory(locale="en-US")
    # the first attempt uses wrong details on purpose: its 401 is the expected refusal
    page_factory.allow("401: http://127.0.0.1", "status of 401")
    page.goto(f"{live_server.url}/shop")
    frame = _open_widget(page)
    frame.get_by_test_id("verify-order").fill("po 5000")
    frame.get_by_test_id("verify-contact").fill("wrong@example.com")
    frame.get_by_test_id("verify-submit").click()
    expect(frame.get_by_role("alert")).to_contain_text("don't match")
    frame.get_by_test_id("verify-contact").fill(_email_of(live_server, "C-1000").upper())
    frame.get_by_test_id("verify-submit").click()
    expect(frame.get_by_test_id("auth-status")).to_contain_text("PO-5000")
    frame.get_by_test_id("chat-input").fill("where's my package?")
    frame.get_by_test_id("chat-send").click()
    card = frame.get_by_test_id("card-order-status")
    expect(card).to_contain_text("PO-5000")
    expect(card).to_have_attribute("data-state", "on-time")
    page_factory.shot(page, "widget-anonymous-verified")


def test_support_agent_approves_a_reroute_for_the_two_identity_customer(live_server, page_factory):
    page = page_factory(viewport={"width": 1440, "height": 1000})
    page.goto(f"{live_server.url}/copilot")
    page.get_by_test_id("demo-signin").click()
    page.get_by_test_id("customer-search").fill("81 1234 5678")
    page.get_by_test_id("customer-search-submit").click()
    expect(page.get_by_test_id("profile-name")).to_contain_text("C-1002")
    identities = page.get_by_test_id("identities")
    expect(identities).to_contain_text("maria.lopez@example.com")
    expect(identities).to_contain_text("+528112345678")
    page.get_by_test_id("chat-input").fill("Can PO-5002 ship from another store?")
    page.get_by_test_id("chat-send").click()
    proposal = page.get_by_test_id("card-reroute-proposal")
    expect(proposal).to_contain_text("MTY-STORE-02")
    page.get_by_test_id("chat-input").fill("Go ahead with the recommended option")
    page.get_by_test_id("chat-send").click()
    approval = page.get_by_test_id("card-approval")
    expect(approval).to_be_visible()
    approval.locator("input").fill("Customer agreed on the phone")
    approval.get_by_test_id("approve").click()
    expect(page.get_by_test_id("card-reroute-executed")).to_contain_text("PO-5002")
    # who approved, in words: the role's name and the subject, never the raw principal label
    expect(page.get_by_test_id("card-reroute-executed")).to_contain_text("Approved bySupport agent agent-demo")
    assert "support:agent-demo" not in page.get_by_test_id("card-reroute-executed").inner_text()
    entry = page.get_by_test_id("audit-entry").first
    expect(entry).to_contain_text("execute reroute → MTY-STORE-02")
    # the audit trail names who acted in words too (it read the raw "support:agent-demo")
    expect(entry).to_contain_text("Support agent agent-demo")
    assert "support:agent-demo" not in entry.inner_text()
    expect(entry).to_contain_text("Customer agreed on the phone")
    page_factory.shot(page, "copilot-reroute-approved")


def test_ops_lead_sees_tomorrows_at_risk_orders_as_table_and_chart(live_server, page_factory):
    page = page_factory(viewport={"width": 1440, "height": 1100})
    page.goto(f"{live_server.url}/ops")
    page.get_by_test_id("demo-signin").click()
    expect(page.get_by_test_id("heatmap")).to_be_visible()
    # the reasons table counts every at-risk order of the week, from the scan's totals
    reasons = page.get_by_test_id("risk-reasons")
    expect(reasons.locator("table tbody tr").first).to_be_visible()
    expect(reasons).to_contain_text("Node over capacity")  # was the raw key "over_capacity"
    page.get_by_test_id("chat-input").fill("Which orders will miss their promise tomorrow?")
    page.get_by_test_id("chat-send").click()
    table = page.get_by_test_id("answer-table")
    expect(table.locator("table tbody tr").first).to_be_visible()
    expect(table).to_contain_text("DC-GDL-01")
    expect(page.get_by_test_id("answer-chart")).to_be_visible()
    # the busiest cell of DC-GDL-01 lists its late orders, fetched from the node's own scan
    cells = page.locator("[data-testid=heat-cell][data-node='DC-GDL-01']")
    busiest = max(range(cells.count()), key=lambda i: int(re.match(r"\d+", cells.nth(i).inner_text()).group()))
    cells.nth(busiest).click()
    expect(page.get_by_test_id("cell-title")).to_contain_text("DC-GDL-01")
    expect(page.get_by_test_id("cell-orders").locator("table tbody tr").first).to_be_visible()
    page_factory.shot(page, "ops-at-risk-tomorrow", full=False)


def test_policy_answer_cites_a_page_that_opens_at_the_section(live_server, page_factory):
    page = page_factory(locale="es-MX")
    page.goto(f"{live_server.url}/shop?customer=C-1004")
    frame = _open_widget(page)
    frame.get_by_test_id("chat-input").fill("¿Cuántos días tengo para devolver un producto?")
    frame.get_by_test_id("chat-input").press("Enter")
    link = frame.get_by_test_id("card-policy-answer").get_by_test_id("citation").first
    expect(link).to_have_attribute("href", re.compile(r"^/policies/returns\?lang=es#"))
    # the link reads as the policy's title and section, not its citation key (returns#return-window)
    expect(link).to_contain_text("Devoluciones y cambios — ")
    expect(link).not_to_contain_text("#")
    with page.context.expect_page() as opened:
        link.click()
    policy = opened.value
    policy.wait_for_load_state()
    anchor = policy.url.split("#", 1)[1]
    expect(policy.locator(f"section#{anchor}")).to_be_visible()
    expect(policy.locator("html")).to_have_attribute("lang", "es")
    page_factory.shot(policy, "policy-page-from-citation", full=False)


def test_customer_asks_for_their_data_rights_in_the_widget(live_server, page_factory):
    """Issue #16: the widget's "My data" sends an erasure request to staff as a handoff."""
    page = page_factory(locale="en-US")
    page.goto(f"{live_server.url}/shop?customer=C-1003")
    frame = _open_widget(page)
    frame.get_by_test_id("privacy").locator("summary").click()
    frame.get_by_test_id("privacy-erasure").click()
    expect(frame.get_by_test_id("privacy-status")).to_contain_text("with our team")
    engine = make_engine(live_server.settings.sqlalchemy_url)
    from promesa.store.models import Handoff

    # the request's transaction commits as the response goes out: look for a few seconds
    reasons: list[str] = []
    for _ in range(50):
        with engine.connect() as connection:
            reasons = list(connection.execute(
                select(Handoff.reason).where(Handoff.customer_id == "C-1003")
            ).scalars().all())
        if "privacy_erasure_request" in reasons:
            break
        page.wait_for_timeout(100)
    engine.dispose()
    assert "privacy_erasure_request" in reasons
