"""Role scoping, READ/WRITE marking and the model-visible schemas of the tools."""

from __future__ import annotations

import pytest

from promesa.principal import Principal, Role
from tools.catalog import all_tools, tools_for
from tools.registry import Access

#: The self-service tools customers and support share (tools/actions.py, issue #14).
SELF_SERVICE_READS = {"propose_cancel", "propose_address_change", "propose_return", "propose_exchange",
                      "get_refund_status", "propose_claim"}
SELF_SERVICE_WRITES = {"cancel_order", "change_address", "start_return", "exchange_item", "open_claim",
                       "file_complaint"}
EXPECTED = {
    Role.customer: {"get_order_status", "list_my_orders", "propose_pickup", "convert_to_pickup",
                    "search_policies", "request_handoff"} | SELF_SERVICE_READS | SELF_SERVICE_WRITES,
    Role.support: {"get_order_status", "find_customer", "get_customer_profile", "check_availability",
                   "propose_pickup", "convert_to_pickup", "propose_reroute", "execute_reroute",
                   "search_policies", "request_handoff"} | SELF_SERVICE_READS | SELF_SERVICE_WRITES,
    Role.ops: {"scan_risk", "run_analytics", "propose_reroute", "execute_reroute", "check_availability",
               "get_order_status", "search_policies", "request_handoff"},
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_gets_its_tools(role: Role) -> None:
    assert {t.name for t in tools_for(Principal(role=role, subject="x"))} == EXPECTED[role]


def test_anonymous_sees_orders_only_when_verified() -> None:
    verified = {t.name for t in tools_for(Principal(role=Role.anonymous, order_scope="PO-5000"))}
    assert verified == {"get_order_status", "search_policies", "request_handoff"}
    assert {t.name for t in tools_for(Principal(role=Role.anonymous))} == {"search_policies", "request_handoff"}


def test_writes_are_marked_and_approved_by_the_right_roles() -> None:
    tools = all_tools()
    writes = {name for name, t in tools.items() if t.access is Access.write}
    assert writes == {"execute_reroute", "convert_to_pickup"} | SELF_SERVICE_WRITES
    assert tools["execute_reroute"].approvers == {Role.support, Role.ops}
    assert tools["convert_to_pickup"].approvers == {Role.customer, Role.support}
    for name in SELF_SERVICE_WRITES:  # the customer confirms their own order, or support approves
        assert tools[name].approvers == {Role.customer, Role.support}, name


@pytest.mark.parametrize("name", sorted(all_tools()))
def test_model_visible_schema_has_no_principal_or_clock(name: str) -> None:
    tool = all_tools()[name].as_langchain_tool()
    schema = tool.tool_call_schema.model_json_schema()
    assert not {"principal", "now", "deps", "env", "config", "idempotency_key", "approved_by"} & set(
        schema.get("properties", {})
    )
    assert len(tool.description) > 30  # the docstring is the model's instruction
