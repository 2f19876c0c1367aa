"""The explicit, ordered list of the agent's tools, and which of them a principal gets.

Adding a tool: write its module (arguments, return model, decisions, ``@tool``), add its
``ToolName`` and list the spec here. Tool modules import :mod:`tools.registry`; only this module
imports the tool modules, so there is no import circle and the order below is the order the
model sees.
"""

from __future__ import annotations

from types import MappingProxyType

from promesa.principal import Principal, Role
from tools import actions, customers, fulfillment, handoff, knowledge, ops, orders
from tools.names import ToolName
from tools.registry import ToolSpec

#: Every tool, in the order the model is offered them.
TOOLS: tuple[ToolSpec, ...] = (
    orders.get_order_status,
    orders.list_my_orders,
    customers.find_customer,
    customers.get_customer_profile,
    fulfillment.check_availability,
    fulfillment.propose_pickup,
    fulfillment.convert_to_pickup,
    fulfillment.propose_reroute,
    fulfillment.execute_reroute,
    ops.scan_risk,
    ops.run_analytics,
    knowledge.search_policies,
    handoff.request_handoff,
    actions.propose_cancel,
    actions.cancel_order,
    actions.propose_address_change,
    actions.change_address,
    actions.propose_return,
    actions.start_return,
    actions.get_refund_status,
    actions.propose_claim,
    actions.open_claim,
    actions.file_complaint,
    actions.propose_exchange,
    actions.exchange_item,
)

_BY_NAME: MappingProxyType[str, ToolSpec] = MappingProxyType({spec.name: spec for spec in TOOLS})

#: What an unverified visitor gets: policies and a human, nothing about orders.
VISITOR_TOOLS = frozenset({ToolName.search_policies, ToolName.request_handoff})


def all_tools() -> dict[str, ToolSpec]:
    """Every tool by name, in catalog order."""
    return dict(_BY_NAME)


def spec(name: ToolName | str) -> ToolSpec:
    """One tool's spec by name.

    Raises:
        KeyError: no tool has that name.
    """
    return _BY_NAME[ToolName(name)]


def tools_for(principal: Principal) -> list[ToolSpec]:
    """The tools a principal's role may use, in catalog order."""
    role = principal.role
    if role is Role.anonymous and not principal.order_scope:
        return [t for t in TOOLS if t.name in VISITOR_TOOLS]
    return [t for t in TOOLS if role in t.roles]
