"""The name of every agent tool, one enum shared by the registry, the agent and the JS (api/static/js/enums.js)."""

from __future__ import annotations

from enum import StrEnum


class ToolName(StrEnum):
    """Every tool the catalog registers; a tool function is named after its member."""

    get_order_status = "get_order_status"
    list_my_orders = "list_my_orders"
    find_customer = "find_customer"
    get_customer_profile = "get_customer_profile"
    check_availability = "check_availability"
    propose_pickup = "propose_pickup"
    convert_to_pickup = "convert_to_pickup"
    propose_reroute = "propose_reroute"
    execute_reroute = "execute_reroute"
    scan_risk = "scan_risk"
    run_analytics = "run_analytics"
    search_policies = "search_policies"
    request_handoff = "request_handoff"
    propose_cancel = "propose_cancel"
    cancel_order = "cancel_order"
    propose_address_change = "propose_address_change"
    change_address = "change_address"
    propose_return = "propose_return"
    start_return = "start_return"
    get_refund_status = "get_refund_status"
    propose_claim = "propose_claim"
    open_claim = "open_claim"
    file_complaint = "file_complaint"
    propose_exchange = "propose_exchange"
    exchange_item = "exchange_item"
