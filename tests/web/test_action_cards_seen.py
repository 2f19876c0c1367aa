"""The self-service cards (issue #14) in real Chromium, on what a shopper and an agent read.

One test drives a real return in the widget (PO-5004 of Ana, C-1004: delivered inside its
window): the proposal card, the approval card, the RMA label after the confirmation. The others
render every self-service decision type from fixed records — eligible and refused, in English
and Spanish, for a shopper (widget) and for staff (copilot) — assert the rendered words, run
axe-core and save screenshots to artifacts/screenshots.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.web.conftest import DESKTOP, PHONE, assert_accessible, assert_readable

REFUND = {"refund_amount": 2397.0, "refund_method": "original_payment", "refund_expected_by": "2026-12-04"}
DECISIONS = [
    {"type": "cancel_proposal", "order_id": "PO-101", "eligible": True, "whole_order": True, "line_nos": [1, 2],
     "refund_amount": 2397.0, "refund_expected_by": "2026-12-04", "refusals": []},
    {"type": "cancel_proposal", "order_id": "PO-103", "eligible": False, "refusals": [
        {"code": "line_shipped", "line_no": 1, "reason": "line 1 has shipped"}]},
    {"type": "order_cancelled", "order_id": "PO-101", "order_status": "cancelled", "line_nos": [1, 2],
     "refund_id": "RF-PO-101-1", "refund_amount": 2397.0, "idempotency_key": "k1", "approved_by": "customer:C-1"},
    {"type": "address_change_proposal", "order_id": "PO-110", "eligible": True, "city": "Tijuana",
     "eta": "2026-11-26", "previous_promised_date": "2026-11-24", "promised_date": "2026-11-26", "keeps_promise": False},
    {"type": "address_changed", "order_id": "PO-110", "address_id": "A-PO-110-1", "promised_date": "2026-11-26",
     "eta": "2026-11-26", "idempotency_key": "k2", "approved_by": "customer:C-2"},
    {"type": "return_proposal", "order_id": "PO-104", "eligible": True, "line_nos": [1], "method": "store_dropoff",
     "dropoff_node_id": "CDMX-STORE-01", "refund_amount": 1098.0, "refund_method": "store_credit",
     "refund_expected_by": "2026-11-23", "seller": None, "refusals": []},
    {"type": "return_started", "order_id": "PO-104", "rma_id": "RMA-PO-104-1", "method": "carrier_pickup",
     "line_nos": [1], "refund_id": "RF-PO-104-1", "refund_amount": 1098.0, "refund_method": "original_payment",
     "refund_expected_by": "2026-12-07", "idempotency_key": "k3", "approved_by": "support:agent-ana"},
    {"type": "exchange_proposal", "order_id": "PO-111", "line_no": 1, "from_sku": "SKU-5", "to_sku": "SKU-7",
     "eligible": False, "refusals": [{"code": "out_of_stock", "line_no": 1}]},
    {"type": "exchange_created", "order_id": "PO-111", "line_no": 1, "rma_id": "RMA-PO-111-1",
     "new_order_id": "PO-111-X1", "to_sku": "SKU-6", "node_id": "DC-CDMX-01", "eta": "2026-11-23",
     "idempotency_key": "k4", "approved_by": "customer:C-1"},
    {"type": "refund_status", "customer_id": "C-1", "total": 3495.0, "refunds": [
        {"refund_id": "RF-PO-101-1", "order_id": "PO-101", "amount": 2397.0, "method": "original_payment",
         "status": "issued", "expected_by": "2026-12-04"},
        {"refund_id": "RF-PO-104-1", "order_id": "PO-104", "amount": 1098.0, "method": "store_credit",
         "status": "pending", "expected_by": "2026-11-23"}]},
    {"type": "claim_proposal", "order_id": "PO-107", "kind": "damaged", "eligible": False,
     "missing_facts": ["photos"], "refusals": []},
    {"type": "case_opened", "case_id": "CS-PO-104-1", "kind": "damaged", "order_id": "PO-104", "status": "open",
     "resolution": "reship", "replacement_order_id": "PO-104-X1", "idempotency_key": "k5",
     "approved_by": "customer:C-1"},
]
TYPES = {d["type"] for d in DECISIONS}
EXPECTED = {
    "en": ["Cancellation", "Possible", "Not possible", "already shipped", "Order cancelled", "Confirmed by you",
           "New promised date", "Tijuana", "Return label (RMA)", "RMA-PO-104-1", "The carrier picks it up",
           "store credit", "that variant is out of stock", "Replacement order", "PO-111-X1", "Refunds",
           "pending", "photos of the package and the item", "we send it again", "PO-104-X1", "December 4"],
    "es": ["Cancelación", "Posible", "No es posible", "ya se envió", "Pedido cancelado", "Confirmado por ti",
           "Nueva fecha prometida", "Tijuana", "Etiqueta de devolución (RMA)", "RMA-PO-104-1",
           "La paquetería pasa por él", "saldo en tienda", "esa variante no tiene existencias",
           "Pedido de reposición", "PO-111-X1", "Reembolsos", "pendiente", "fotos del paquete y del artículo",
           "te lo enviamos de nuevo", "PO-104-X1", "4 de diciembre"],
}


def _render(page, lang: str, audience: str) -> str:
    """Every decision above rendered by the page's own card code into a labelled region."""
    return page.evaluate(
        """([decisions, lang, audience]) => {
            // where the page shows an agent's cards: its conversation log
            const log = document.querySelector("[data-testid=messages]");
            const box = document.createElement("div");
            box.className = "msg agent"; box.setAttribute("data-testid", "gallery"); box.setAttribute("lang", lang);
            decisions.forEach((d) => { const c = Promesa.renderDecision(d, { lang, audience }); if (c) box.appendChild(c); });
            log.appendChild(box);
            return box.querySelectorAll("article").length;
        }""",
        [DECISIONS, lang, audience],
    )


def _unroll(page) -> None:
    """Let the whole conversation log show, so the screenshot holds every card."""
    page.evaluate("""() => { for (const n of [document.documentElement, document.body, ...document.querySelectorAll(
        ".chat, [data-testid=messages]")]) { n.style.height = "auto"; n.style.maxHeight = "none"; n.style.overflow = "visible"; } }""")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_self_service_card_reads_well_for_a_shopper(live_server, page_factory, lang):
    page = page_factory(locale="es-MX" if lang == "es" else "en-US", viewport=PHONE)
    page.goto(f"{live_server.url}/widget")
    page.wait_for_function("() => !!(window.Promesa && window.Promesa.renderActionDecision)")
    assert sorted(page.evaluate("Promesa.actionTypes")) == sorted(TYPES)
    assert _render(page, lang, "customer") == len(DECISIONS)
    gallery = page.get_by_test_id("gallery")
    text = gallery.inner_text()
    for words in EXPECTED[lang]:
        assert words in text, (words, text)
    assert_readable(text, lang=lang)
    # shoppers never read the approver's label or the domain's English prose
    assert "customer:C-1" not in text and "support:agent-ana" not in text and "line 1 has shipped" not in text
    refused = page.get_by_test_id("card-cancel-proposal").nth(1)
    expect(refused).to_have_attribute("data-eligible", "false")
    expect(refused.locator("[data-code=line_shipped]")).to_be_visible()
    assert_accessible(page, f"self-service cards for a shopper ({lang})")
    _unroll(page)
    page_factory.shot(page, f"action-cards-shopper-{lang}")


def test_staff_read_who_approved_in_the_copilot(live_server, page_factory):
    page = page_factory(locale="es-MX", viewport=DESKTOP)
    page.goto(f"{live_server.url}/copilot")
    page.get_by_test_id("demo-signin").click()
    expect(page.get_by_test_id("messages")).to_be_visible()
    page.wait_for_function("() => !!(window.Promesa && window.Promesa.renderActionDecision)")
    _render(page, "es", "staff")
    text = page.get_by_test_id("gallery").inner_text()
    assert "support:agent-ana" in text and "Aprobado por" in text
    assert_readable(text, lang="es", allow=("agent-ana",))
    assert_accessible(page, "self-service cards for staff (es)")
    _unroll(page)
    page_factory.shot(page, "action-cards-staff-es")


def test_a_real_return_in_the_widget_shows_proposal_approval_and_label(live_server, page_factory):
    page = page_factory(locale="en-US", viewport=DESKTOP)
    page.goto(f"{live_server.url}/shop?customer=C-1004")
    page.get_by_test_id("promesa-bubble").click()
    frame = page.frame_locator("[data-testid=promesa-frame]")
    frame.get_by_test_id("chat-input").fill("I want to return my order PO-5004")
    frame.get_by_test_id("chat-input").press("Enter")
    proposal = frame.get_by_test_id("card-return-proposal")
    expect(proposal).to_be_visible()
    expect(proposal).to_have_attribute("data-eligible", "true")
    approval = frame.get_by_test_id("card-approval")
    expect(approval).to_contain_text("Start a return")
    assert_readable(proposal.inner_text())
    approval.get_by_test_id("approve").click()
    started = frame.get_by_test_id("card-return-started")
    expect(started).to_contain_text("Return label (RMA)")
    expect(started.get_by_test_id("rma-label")).to_contain_text("RMA-PO-5004-1")
    expect(started).to_contain_text("Confirmed by you")
    assert_readable(started.inner_text())
    page_factory.shot(page, "widget-return-started-desktop")
    assert json.dumps(started.inner_text()).count("customer:") == 0
