"""The decision union of DESIGN rule 2, as the agent, the API and the evals import it.

The records live in :mod:`tools.decisions` (a tool declares the decisions its typed result
supports, and tools sit below the agent); this module re-exports them and reads the list of
decision types from the union itself, so adding a member to the union is the only edit.
"""

from __future__ import annotations

from typing import Any

from tools.decisions import (
    DECISION_ADAPTER,
    DECISIONS_ADAPTER,
    PROPOSAL_TYPES,
    REFUSAL_CODES,
    AddressChangedDecision,
    AddressChangeProposalDecision,
    AnalyticsResultDecision,
    AvailabilityDecision,
    BaseDecision,
    CancelProposalDecision,
    CaseOpenedDecision,
    ClaimProposalDecision,
    ClarificationDecision,
    CustomerProfileDecision,
    Decision,
    ExchangeCreatedDecision,
    ExchangeProposalDecision,
    HandoffDecision,
    OrderCancelledDecision,
    OrderStatusDecision,
    PolicyAnswerDecision,
    RefundStatusDecision,
    RefusalDecision,
    RerouteExecutedDecision,
    RerouteProposalDecision,
    ReturnProposalDecision,
    ReturnStartedDecision,
    RiskFlagDecision,
    _Decision,
    dump,
    union_types,
)

__all__ = [
    "DECISIONS_ADAPTER", "DECISION_ADAPTER", "PROPOSAL_TYPES", "REFUSAL_CODES", "AddressChangeProposalDecision",
    "AddressChangedDecision", "AnalyticsResultDecision", "AvailabilityDecision", "BaseDecision",
    "CancelProposalDecision", "CaseOpenedDecision", "ClaimProposalDecision", "ClarificationDecision",
    "CustomerProfileDecision", "Decision", "ExchangeCreatedDecision", "ExchangeProposalDecision",
    "HandoffDecision", "OrderCancelledDecision", "OrderStatusDecision", "PolicyAnswerDecision",
    "RefundStatusDecision", "RefusalDecision", "RerouteExecutedDecision", "RerouteProposalDecision",
    "ReturnProposalDecision", "ReturnStartedDecision", "RiskFlagDecision", "_Decision", "decision_types",
    "dump", "parse_decisions",
]


def decision_types() -> frozenset[str]:
    """Every ``type`` of the decision union, read from the union itself (the eval loader uses it).

    It reads this module's ``Decision`` each time, so a member added to the union (even by a
    test) is accepted without a list of its own anywhere.
    """
    return union_types(Decision)


def parse_decisions(raw: list[dict[str, Any]]) -> list[Decision]:
    """Typed decisions from the JSON dicts kept in the graph state."""
    return DECISIONS_ADAPTER.validate_python(raw)
