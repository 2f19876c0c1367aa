"""The answer written from decisions speaks to the person, never in tool names or principal labels."""

from __future__ import annotations

import pytest

from agent.fallback_answer import answer_from


@pytest.mark.parametrize(("lang", "words"), [("en", "picked up in store"), ("es", "se recoge en tienda")])
def test_an_executed_pickup_is_said_in_words(lang: str, words: str) -> None:
    said = answer_from([{"type": "reroute_executed", "action": "convert_to_pickup", "order_id": "PO-5008",
                         "approved_by": "customer:C-1008"}], lang)
    assert said is not None and words in said and "PO-5008" in said
    assert "convert_to_pickup" not in said and "customer:" not in said
