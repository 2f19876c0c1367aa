"""A handoff reaches the copilot's open queue by server push, and the support agent's reply
reaches the shopper's open widget, from a person (issue #15). Two browser contexts: the
shopper's and the agent's, as two people on two machines."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.conftest import DESKTOP, PHONE, assert_accessible, assert_readable


def _widget_frame(page):
    return next(f for f in page.frames if "/widget" in f.url)


REPLY = "Hola Juan, soy Ana del equipo de soporte. Ya revisé tu pedido y te escribo en cuanto salga."


def test_a_new_handoff_appears_live_and_the_agents_reply_reaches_the_widget(live_server, page_factory):
    # the agent's copilot is open first, with its live feed connected
    copilot = page_factory(viewport=DESKTOP)
    copilot.goto(f"{live_server.url}/copilot")
    copilot.get_by_test_id("demo-signin").click()
    expect(copilot.get_by_test_id("live-status")).to_have_text("connected")
    expect(copilot.get_by_role("heading", name=re.compile(r"Handoff queue"))).to_be_visible()
    assert copilot.get_by_test_id("handoff").filter(has_text="C-1005").count() == 0
    copilot.evaluate("window.__noReload = true")

    # a shopper on a phone asks for a person (in Spanish)
    shop = page_factory(locale="es-MX", viewport=PHONE)
    shop.goto(f"{live_server.url}/shop?customer=C-1005")
    shop.get_by_test_id("promesa-bubble").click()
    widget = shop.frame_locator("[data-testid=promesa-frame]")
    widget.get_by_test_id("chat-input").fill("Quiero hablar con una persona, por favor")
    widget.get_by_test_id("chat-send").click()
    expect(widget.get_by_test_id("card-handoff")).to_be_visible()

    # the ticket appears in the open queue without a reload (server push, not the refresh button)
    ticket = copilot.get_by_test_id("handoff").filter(has_text="C-1005").first
    expect(ticket).to_contain_text(re.compile(r"#\d+ · Customer asked for a person"))
    assert copilot.evaluate("window.__noReload") is True
    assert_readable(ticket.inner_text())

    # the agent replies from the ticket; replying claims it
    ticket.get_by_test_id("handoff-open").click()
    detail = copilot.get_by_test_id("handoff-detail")
    expect(detail.get_by_test_id("transcript")).to_contain_text("hablar con una persona")
    detail.get_by_test_id("handoff-reply").fill(REPLY)
    detail.get_by_test_id("handoff-send").click()
    expect(detail.get_by_test_id("transcript-staff")).to_contain_text(REPLY)
    expect(detail.get_by_test_id("handoff-state")).to_contain_text("claimed")
    expect(detail.get_by_test_id("handoff-reply")).to_have_value("")
    page_factory.shot(copilot, "copilot-handoff-reply-sent-desktop", full=False)
    assert_accessible(copilot, "copilot after replying to a handoff")

    # the shopper reads it in the same conversation, from a person, without reloading
    staff = widget.get_by_test_id("msg-staff")
    expect(staff).to_contain_text(REPLY)
    expect(staff).to_contain_text("Equipo de soporte")
    assert_readable(widget.get_by_test_id("messages").inner_text(), lang="es")
    page_factory.shot(shop, "widget-staff-reply-phone-es", full=False)
    assert_accessible(_widget_frame(shop), "widget with a staff reply")

    # after a reload it is still there, once; and the conversation goes on
    shop.reload()
    shop.get_by_test_id("promesa-bubble").click()
    widget = shop.frame_locator("[data-testid=promesa-frame]")
    expect(widget.get_by_test_id("msg-staff")).to_have_count(1)
    expect(widget.get_by_test_id("msg-staff")).to_contain_text(REPLY)
    widget.get_by_test_id("chat-input").fill("¿Dónde está mi pedido?")
    widget.get_by_test_id("chat-send").click()
    expect(widget.get_by_test_id("msg-agent").last).not_to_be_empty()
    expect(widget.get_by_test_id("msg-error")).to_have_count(0)

    # the copilot's transcript of the ticket holds the reply where it was sent
    copilot.reload()
    copilot.get_by_test_id("handoff").filter(has_text="C-1005").first.get_by_test_id("handoff-open").click()
    expect(copilot.get_by_test_id("transcript-staff")).to_contain_text(REPLY)
