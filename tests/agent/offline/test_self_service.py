"""The offline model on self-service requests, at message level with the real tools' schemas.

The phrasings here are not the eval cases' (those are in evals/cases-self-service): they check
that the slots come from the message's structure — which order and lines, an item named in the
other language, a new address, how to return, what happened — and that an eligible proposal
becomes the WRITE call (the approval card), an ineligible one an answer, a question a policy.
"""

from __future__ import annotations

import pytest

from agent.offline.action_slots import read, read_address
from agent.tool_calls import lc_tool
from promesa.principal import Principal, Role
from promesa.store.enums import CaseKind, ItemCondition, RefundMethod, ReturnMethod
from tests.agent.offline.support import Chat, err, ok
from tools.catalog import tools_for

CUSTOMER_TOOLS = [lc_tool(s) for s in tools_for(Principal(role=Role.customer, subject="C-7"))]
STATUS_104 = {"order_id": "PO-204", "status": "delivered", "lines": [
    {"line_no": 1, "sku": "SKU-11", "name": "Sartén de hierro 24 cm", "quantity": 1, "status": "delivered"},
    {"line_no": 2, "sku": "SKU-12", "name": "Audífonos de diadema", "quantity": 1, "status": "delivered"},
    {"line_no": 3, "sku": "SKU-13", "name": "Licuadora de vaso", "quantity": 1, "status": "delivered"}]}


def chat() -> Chat:
    return Chat(CUSTOMER_TOOLS, "customer", "C-7")  # type: ignore[arg-type]


def test_an_address_is_read_from_its_parts_whatever_comes_before_it():
    a = read_address("could you ship PO-77 to Calle Morelos 45, Puebla, Puebla, C.P. 72000 please")
    assert (a.line1, a.city, a.state, a.postal_code) == ("Calle Morelos 45", "Puebla", "Puebla", "72000")
    b = read_address("mejor mándalo a Av. Juárez 12, Querétaro, Querétaro, 76000")
    assert (b.line1, b.city, b.state, b.postal_code) == ("Av. Juárez 12", "Querétaro", "Querétaro", "76000")
    assert read_address("where is PO-77?") is None
    assert read_address("send PO-77 to Calle Morelos 45, Puebla").missing() == ["state", "postal_code"]


@pytest.mark.parametrize(("text", "expected"), [
    ("I'd like to send back lines 1 and 3 of PO-90", {"line_nos": [1, 3]}),
    ("regreso el renglón 2 del PO-90 porque ya lo usé", {"line_nos": [2], "condition": ItemCondition.used}),
    ("return PO-90, please arrange a courier pickup", {"return_method": ReturnMethod.carrier_pickup}),
    ("devuelvo PO-90 y lo quiero como saldo a favor", {"refund_method": RefundMethod.store_credit}),
    ("my parcel PO-90 got lost, it never came", {"claim_kind": CaseKind.not_arrived}),
    ("el PO-90 vino incompleto", {"claim_kind": CaseKind.missing_item}),
    ("PO-90 came cracked, I took pictures", {"claim_kind": CaseKind.damaged, "has_photos": True}),
    ("PO-90 came cracked but I have no photos", {"claim_kind": CaseKind.damaged, "has_photos": False}),
])
def test_slots_of_unseen_phrasings(text, expected):
    slots = read(text)
    assert slots.order_ids == ["PO-90"]
    for key, value in expected.items():
        assert getattr(slots, key) == value, key


def test_a_possibility_question_is_not_a_request():
    assert read("Can I send back something I bought on sale?").asks_rule
    assert read("¿Se puede cambiar la dirección después de pagar?").asks_rule
    assert not read("Can you cancel PO-90 for me?").asks_rule
    assert not read("¿Puedes cancelar el PO-90?").asks_rule


def test_cancel_request_proposes_then_asks_for_the_write_on_the_card():
    c = chat()
    call = c.say("please call off order PO-301, I ordered it by mistake")
    assert [(t["name"], t["args"]) for t in call.tool_calls] == [("propose_cancel", {"order_id": "PO-301"})]
    proposal = {"order_id": "PO-301", "eligible": True, "whole_order": True, "lines": [{"line_no": 1}],
                "refund": {"amount": "450.00", "method": "original_payment", "expected_by": "2026-12-04"}}
    write = c.answer(ok(proposal))
    assert [(t["name"], t["args"]) for t in write.tool_calls] == [("cancel_order", {"order_id": "PO-301"})]
    assert "$450.00 MXN" in write.content and "card" in write.content  # what changes, beside the card
    done = c.answer(ok({"order_id": "PO-301", "order_status": "cancelled", "cancelled": [{"line_no": 1}],
                        "refund_id": "RF-PO-301-1", "refund": proposal["refund"]}))
    assert not done.tool_calls and "RF-PO-301-1" in done.content


def test_an_ineligible_proposal_is_answered_with_its_reason_in_spanish_and_nothing_is_asked():
    c = chat()
    c.say("ya no quiero el pedido PO-302, anúlalo")
    answer = c.answer(ok({"order_id": "PO-302", "eligible": False, "whole_order": True, "lines": [],
                          "refusals": [{"code": "line_shipped", "line_no": 1, "reason": "line 1 shipped"}]}))
    assert not answer.tool_calls
    assert "No puedo cancelar PO-302" in answer.content and "rechazar la entrega" in answer.content
    assert "line 1 shipped" not in answer.content  # the domain's English prose is not shown


def test_an_item_named_in_english_finds_its_spanish_product_line():
    c = chat()
    first = c.say("I want to return the blender from PO-204")
    assert [t["name"] for t in first.tool_calls] == ["get_order_status"]
    propose = c.answer(ok({**STATUS_104, "order_id": "PO-204"}))
    assert [(t["name"], t["args"]) for t in propose.tool_calls] == [
        ("propose_return", {"order_id": "PO-204", "items": [{"line_no": 3}]})]


def test_another_customers_order_is_answered_without_its_details():
    c = chat()
    c.say("cancel PO-999")
    answer = c.answer(err("not_found", "order PO-999 not found"))
    assert not answer.tool_calls and "couldn't find" in answer.content


def test_a_claim_read_as_a_status_question_also_asks_the_domain_about_the_claim():
    c = chat()
    call = c.say("where is PO-305? the tracking says delivered but I did not receive it")
    assert [t["name"] for t in call.tool_calls] == ["get_order_status", "propose_claim"]
    assert call.tool_calls[1]["args"]["kind"] == "not_arrived"


def test_an_address_change_without_the_new_address_asks_for_it_and_the_answer_completes_it():
    c = chat()
    ask = c.say("I need to change the delivery address of PO-310")
    assert not ask.tool_calls and "postal code" in ask.content
    call = c.say("Av. Reforma 222, Ciudad de México, Ciudad de México, 06600")
    assert [(t["name"], t["args"]) for t in call.tool_calls] == [("propose_address_change", {
        "order_id": "PO-310", "line1": "Av. Reforma 222", "city": "Ciudad de México",
        "state": "Ciudad de México", "postal_code": "06600"})]


@pytest.mark.parametrize("text", [
    "what are my options to have PO-310 go to Calle Hidalgo 8, León, Guanajuato, 37000 instead?",
    "¿qué alternativas tengo para que el PO-310 llegue a Calle Hidalgo 8, León, Guanajuato, 37000?",
])
def test_a_full_destination_address_beside_an_order_is_an_address_change_whatever_else_the_words_suggest(text):
    # "options"/"alternativas" lean to a reroute, which changes where an order ships FROM; a
    # complete new destination in the message says the request is where it goes
    call = chat().say(text)
    assert [(t["name"], t["args"]) for t in call.tool_calls] == [("propose_address_change", {
        "order_id": "PO-310", "line1": "Calle Hidalgo 8", "city": "León", "state": "Guanajuato",
        "postal_code": "37000"})]


@pytest.mark.parametrize("text", [
    "what's the delivery address on PO-310?",
    "dime a qué dirección va a llegar el PO-310",
])
def test_asking_what_the_address_is_is_a_status_question_not_a_change(text):
    call = chat().say(text)
    names = [t["name"] for t in call.tool_calls]
    assert names[0] == "get_order_status" and "propose_address_change" not in names


def test_a_change_word_without_the_address_still_asks_for_the_new_one():
    ask = chat().say("quiero cambiar la dirección de entrega del PO-310")
    assert not ask.tool_calls and "código postal" in ask.content
