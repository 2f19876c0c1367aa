"""The reply's facts checked against the turn's tool results (agent.text_check)."""

from __future__ import annotations

import json

import pytest

from agent.text_check import Evidence, facts, unsupported

RESULT = json.dumps({"ok": True, "result": {
    "order_id": "PO-7001", "status": "in_transit", "promised_date": "2026-11-24", "eta": "2026-11-23",
    "carrier": "DHL", "tracking_number": "JD014600003828", "total": 1299.5, "lines": [{"sku": "SKU-1", "quantity": 2}],
}})
EVIDENCE = Evidence.of([RESULT], ["Where is PO-7001?"])


@pytest.mark.parametrize("reply", [
    "Your order PO-7001 is in transit with DHL (tracking JD014600003828) and should arrive on November 23.",
    "Tu pedido PO-7001 va en camino; llega el lunes 23 de noviembre, antes de lo prometido (24 de noviembre).",
    "The order total is $1,299.50 for 2 units of SKU-1.",
    "Hello! How can I help you today?",
])
def test_supported_replies_stand(reply: str) -> None:
    assert unsupported(reply, EVIDENCE) == []


@pytest.mark.parametrize(("reply", "kind"), [
    ("Your order PO-5001 is on its way.", "id"),
    ("Tracking number 1Z999AA10123456784.", "code"),
    ("It will arrive on November 30.", "date"),
    ("Llegará el 2 de diciembre.", "date"),
    ("The total is $499.00.", "amount"),
    ("You ordered 7 units.", "quantity"),
    ("Your order was delivered.", "status"),
    ("Tu pedido fue cancelado.", "status"),
])
def test_invented_facts_are_found(reply: str, kind: str) -> None:
    assert [f.kind for f in unsupported(reply, EVIDENCE)] == [kind]


def test_a_status_the_user_asked_about_is_not_evidence() -> None:
    evidence = Evidence.of([], ["Was PO-7001 delivered?"])
    assert [f.kind for f in unsupported("Yes, PO-7001 was delivered.", evidence)] == ["status"]


def test_facts_lists_each_kind_once() -> None:
    said = "PO-7001: shipped on 2026-11-20, $10 for 3 pieces, tracking 12345678901"
    assert [f.kind for f in facts(said)] == ["id", "code", "date", "amount", "quantity", "status"]
