"""A "where is my order?" answer after a notice continues from that notice (issue #18)."""

from agent.offline.writer import order_status

LATE = {"order_id": "PO-1", "status": "allocated", "promised_date": "2026-11-21", "eta": "2026-11-24",
        "late": True, "carrier": "Estafeta"}


def test_a_late_order_with_an_open_pickup_offer_points_to_it_instead_of_offering_again():
    data = {**LATE, "notice": {"kind": "pickup_offer", "sent_on": "2026-11-20", "store_name": "Cumbres",
                               "pickup_ready": "2026-11-20", "offer_open": True}}
    es = order_status(data, "es")
    assert "Como te escribimos el viernes 20 de noviembre, aún puedes recogerlo en Cumbres el viernes 20 de noviembre" in es
    assert "puedo revisar si se puede enviar desde otra tienda" not in es  # the notice already offers it
    en = order_status(data, "en")
    assert "As we wrote to you on Friday, November 20, you can still pick it up at Cumbres" in en


def test_a_delay_notice_is_mentioned_and_an_answered_offer_is_not_offered_again():
    delay = order_status({**LATE, "notice": {"kind": "delay", "sent_on": "2026-11-20", "new_date": "2026-11-24"}}, "en")
    assert "We already wrote to you about this delay on Friday, November 20." in delay
    closed = {**LATE, "notice": {"kind": "pickup_offer", "sent_on": "2026-11-20", "store_name": "Cumbres",
                                 "pickup_ready": "2026-11-20", "offer_open": False}}
    assert "pick it up at Cumbres" not in order_status(closed, "en")
    assert "already wrote to you" in order_status(closed, "en")


def test_no_notice_no_sentence_and_a_delivered_order_is_past_it():
    assert "wrote to you" not in order_status(LATE, "en")
    delivered = {"order_id": "PO-1", "status": "delivered", "notice": {"kind": "delay", "sent_on": "2026-11-20"}}
    assert "wrote to you" not in order_status(delivered, "en")
