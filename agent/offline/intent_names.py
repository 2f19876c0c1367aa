"""The offline NLU's intent names: one closed vocabulary for the corpus, the model and the planner.

Its own module (importing nothing) so that the corpus loader, the trained model and the
dialogue layers all share it without importing each other. The corpus files keep plain strings
(``corpus/<intent>.yaml``, ``intent:`` and ``also:`` of a row); the loader validates them into
:class:`Intent`. Being a ``StrEnum``, a member equals its string and serialises as it.
"""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    """Every intent the offline model knows (the NLU corpus has one file per intent)."""

    where_is_order = "where_is_order"
    order_late = "order_late"
    list_my_orders = "list_my_orders"
    pickup_conversion = "pickup_conversion"
    reroute = "reroute"
    approve = "approve"
    reject = "reject"
    policy_question = "policy_question"
    customer_lookup = "customer_lookup"
    risk_scan = "risk_scan"
    analytics = "analytics"
    availability = "availability"
    handoff = "handoff"
    greeting = "greeting"
    thanks = "thanks"
    out_of_scope = "out_of_scope"
    cancel_order = "cancel_order"
    change_address = "change_address"
    start_return = "start_return"
    exchange_item = "exchange_item"
    refund_status = "refund_status"
    report_claim = "report_claim"
    complaint = "complaint"
    data_request = "data_request"


def intent_or_none(value: object) -> Intent | None:
    """``value`` as an :class:`Intent` when it names one (e.g. read back from message metadata), else None."""
    return Intent(value) if isinstance(value, str) and value in Intent.__members__.values() else None
