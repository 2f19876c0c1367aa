"""The customer widget, checked on what a shopper reads and can do (issue #15).

Every flow asserts on rendered text (no ``undefined``, raw keys, ISO dates or English in a
Spanish conversation), on buttons that are disabled once used, on what survives a reload,
and runs axe-core on the widget in that state. Screenshots go to artifacts/screenshots.
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.web.conftest import DESKTOP, PHONE, assert_accessible, assert_readable


def _open(page):
    page.get_by_test_id("promesa-bubble").click()
    frame = page.frame_locator("[data-testid=promesa-frame]")
    return frame


def _widget_frame(page):
    return next(f for f in page.frames if "/widget" in f.url)


def _ask(frame, text: str) -> None:
    frame.get_by_test_id("chat-input").fill(text)
    frame.get_by_test_id("chat-input").press("Enter")


def test_pickup_switch_on_a_phone_in_spanish(live_server, page_factory):
    """PO-5008: pick a store by name, confirm, and the order is a pickup everywhere (also after reload)."""
    page = page_factory(locale="es-MX", viewport=PHONE, has_touch=True, is_mobile=True)
    page.goto(f"{live_server.url}/shop?customer=C-1008")
    frame = _open(page)
    # a full-screen sheet on the phone, the page never wider than the screen
    box = page.get_by_test_id("promesa-frame").bounding_box()
    assert box["x"] == 0 and box["width"] == PHONE["width"] and box["height"] == PHONE["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(frame.get_by_test_id("msg-agent").first).to_contain_text("Sofía")

    sent: list[str] = []
    page.on("request", lambda r: sent.append(json.loads(r.post_data or "{}").get("message", ""))
            if r.url.endswith("/v1/chat") else None)
    _ask(frame, "Quiero cambiar mi pedido PO-5008 a recoger en tienda")
    card = frame.get_by_test_id("card-reroute-proposal")
    expect(card).to_be_visible()
    text = card.inner_text()
    assert_readable(text, lang="es")
    # shoppers see store names, never scores, cost deltas or node codes
    assert "Tienda" in text and not re.search(r"[A-Z]{2,4}-STORE-\d\d", text)
    for internal in ("Puntajes", "Diferencia de costo", "Envíos", "speed", "0.9"):
        assert internal not in text
    # the card fits the phone: its choose buttons are on screen
    choose = card.get_by_test_id("choose-option")
    second = choose.nth(1)
    button_box = second.bounding_box()
    assert button_box["x"] + button_box["width"] <= PHONE["width"]
    store = card.locator(".option").nth(1).locator("strong").inner_text()
    second.click()
    expect(choose.first).to_be_disabled()
    approval = frame.get_by_test_id("card-approval")
    expect(approval).to_be_visible()
    assert "undefined" not in sent[-1] and re.search(r"\[CDMX-STORE-\d\d\]", sent[-1]), sent
    approval_text = approval.inner_text()
    assert_readable(approval_text, lang="es")
    assert store in approval_text and "Cambiar a recoger en tienda" in approval_text
    approval.get_by_test_id("approve").click()
    expect(approval.get_by_test_id("approve")).to_be_disabled()
    expect(approval.get_by_test_id("reject")).to_be_disabled()
    executed = frame.get_by_test_id("card-reroute-executed")
    expect(executed).to_contain_text("Cambiado a recoger en tienda")
    expect(executed).to_contain_text(store)
    assert "customer:" not in executed.inner_text() and "C-1008" not in executed.inner_text()
    assert_readable(executed.inner_text(), lang="es")

    # the order really is a pickup now: status, ready day, no courier
    _ask(frame, "¿Dónde está mi pedido PO-5008?")
    status = frame.get_by_test_id("card-order-status").last
    expect(status).to_contain_text("Recoger en")
    expect(status).to_contain_text(store)
    status_text = status.inner_text()
    assert "Paquetería" not in status_text and "Estafeta" not in status_text
    assert "Lista para recoger" in status_text and "viernes" in status_text.lower()
    assert_readable(status_text, lang="es")
    page_factory.shot(page, "widget-pickup-switch-phone")
    assert_accessible(_widget_frame(page), "widget after a pickup switch (phone)")

    # the conversation survives a reload, in the same language
    page.reload()
    frame = _open(page)
    expect(frame.get_by_test_id("card-reroute-executed")).to_contain_text(store)
    expect(frame.get_by_test_id("chat-input")).to_have_attribute("placeholder", re.compile("Pregunta"))
    page_factory.shot(page, "widget-pickup-after-reload-phone")


def test_spanish_question_in_an_english_browser_is_answered_in_spanish(live_server, page_factory):
    page = page_factory(locale="en-US", viewport=DESKTOP)
    page.goto(f"{live_server.url}/shop?customer=C-1001")
    frame = _open(page)
    _ask(frame, "¿Dónde está mi pedido PO-5001?")
    card = frame.get_by_test_id("card-order-status")
    expect(card).to_contain_text("Retrasado")
    text = card.inner_text()
    assert_readable(text, lang="es")
    # tracking events and their reasons in Spanish too (the carrier wrote "weather: …")
    assert "Retraso" in text and "Clima en la ruta" in text and "highway" not in text
    expect(frame.get_by_test_id("chat-input")).to_have_attribute("placeholder", re.compile("Pregunta"))
    expect(frame.locator("html")).to_have_attribute("lang", "es")
    page_factory.shot(page, "widget-spanish-in-english-browser-desktop", full=False)
    assert_accessible(_widget_frame(page), "widget with a Spanish order card (desktop)")


def test_verification_errors_are_words_a_shopper_understands(live_server, page_factory):
    page = page_factory(locale="en-US", viewport=DESKTOP)
    page_factory.allow("/v1/auth/verify-order", "status of 429", "429")
    page.goto(f"{live_server.url}/shop")
    frame = _open(page)
    # nothing to chat with before verifying: no "a valid bearer token is required"
    expect(frame.get_by_test_id("chat-input")).to_be_disabled()
    frame.get_by_test_id("verify-submit").click()
    error = frame.get_by_test_id("verify-error")
    expect(error).to_have_text("Enter your order number (for example PO-5000).")
    frame.get_by_test_id("verify-order").fill("PO-5000")
    frame.get_by_test_id("verify-submit").click()
    expect(error).to_have_text("Enter the email or phone of the order.")
    # a rate limit is not "details don't match"
    page.route("**/v1/auth/verify-order", lambda route: route.fulfill(
        status=429, content_type="application/json",
        body=json.dumps({"error": {"code": "rate_limited", "message": "too many requests"}})))
    frame.get_by_test_id("verify-contact").fill("someone@example.com")
    frame.get_by_test_id("verify-submit").click()
    expect(error).to_contain_text("Too many attempts")
    page_factory.shot(page, "widget-verify-rate-limited-desktop", full=False)
    assert_accessible(_widget_frame(page), "widget verification error")


def test_a_refused_token_offers_verification_again(live_server, page_factory):
    page = page_factory(locale="en-US", viewport=PHONE)
    page_factory.allow("/v1/auth/me", "/v1/live", "status of 401")
    page.goto(f"{live_server.url}/widget#token=not-a-token")
    expect(page.get_by_test_id("verify-form")).to_be_visible()
    expect(page.get_by_test_id("verify-error")).to_contain_text("verify your order again")
    expect(page.get_by_test_id("auth-status")).not_to_contain_text("Signed in")
    page_factory.shot(page, "widget-bad-token-phone")


def test_offline_and_long_messages_say_what_happened(live_server, page_factory):
    page = page_factory(locale="en-US", viewport=DESKTOP)
    page_factory.allow("/v1/chat", "ERR_INTERNET_DISCONNECTED", "ERR_FAILED")
    page.goto(f"{live_server.url}/shop?customer=C-1000")
    frame = _open(page)
    # a message longer than the limit is refused in words, not cut silently
    frame.get_by_test_id("chat-input").fill("a" * 4100)
    frame.get_by_test_id("chat-input").press("Enter")
    expect(frame.get_by_test_id("chat-counter")).to_contain_text("too long")
    expect(frame.get_by_test_id("msg-user")).to_have_count(0)
    # offline: no "Failed to fetch", and a retry that works once back online
    page.route("**/v1/chat", lambda route: route.abort("internetdisconnected"))
    _ask(frame, "Where is my order PO-5000?")
    error = frame.get_by_test_id("msg-error")
    expect(error).to_contain_text("offline")
    assert "Failed to fetch" not in error.inner_text()
    page_factory.shot(page, "widget-offline-desktop", full=False)
    page.unroute("**/v1/chat")
    error.get_by_test_id("retry").click()
    expect(frame.get_by_test_id("card-order-status")).to_contain_text("PO-5000")
    expect(frame.get_by_test_id("msg-user")).to_have_count(1)
    # "talk to a person" is one tap away
    expect(frame.get_by_test_id("talk-to-person")).to_have_text("Talk to a person")


def test_not_found_is_not_a_permission_error(live_server, page_factory):
    page = page_factory(locale="en-US", viewport=DESKTOP)
    page.goto(f"{live_server.url}/shop?customer=C-1000")
    frame = _open(page)
    _ask(frame, "Where is my order PO-9999999?")
    expect(frame.get_by_test_id("msg-agent").last).not_to_be_empty()
    frame.get_by_test_id("chat-input").wait_for()
    expect(frame.locator(".card.refusal")).to_have_count(0)
    messages = frame.get_by_test_id("messages").inner_text()
    assert "Not allowed" not in messages
    assert_readable(messages)


def test_keyboard_opens_focuses_and_closes_the_widget(live_server, page_factory):
    page = page_factory(locale="en-US", viewport=DESKTOP)
    page.goto(f"{live_server.url}/shop?customer=C-1000")
    bubble = page.get_by_test_id("promesa-bubble")
    bubble.focus()
    page.keyboard.press("Enter")
    frame = page.frame_locator("[data-testid=promesa-frame]")
    # the cursor is in the message box at once: typing needs no extra Tab
    expect(frame.get_by_test_id("chat-input")).to_be_focused()
    page.keyboard.type("hello")
    expect(frame.get_by_test_id("chat-input")).to_have_value("hello")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("promesa-frame")).to_be_hidden()
    expect(bubble).to_be_focused()
    expect(bubble).to_have_attribute("aria-expanded", "false")
    assert_accessible(page, "demo shop with the widget closed")
