"""The writer: locale formats, error phrasing, defensive reading of partial results."""

import pytest

from agent.offline.dialogue import Context, ToolResult
from agent.offline.fmt import fmt_date, fmt_money, fmt_number
from agent.offline.writer import order_status, proposal, write
from agent.offline.writer_ops import analytics, policy, risk, stock


def test_dates_and_money():
    assert fmt_date("2026-11-24", "es") == "martes 24 de noviembre"
    assert fmt_date("2026-11-24", "en") == "Tuesday, November 24"
    assert fmt_date("2026-11-24T10:00:00-06:00", "en") == "Tuesday, November 24"
    assert fmt_money(1234.5) == "$1,234.50 MXN" and fmt_money(-20) == "-$20.00 MXN"
    assert fmt_number(0.5, "ratio") == "50.0%" and fmt_number(87.25, "%") == "87.2%" and fmt_number(12, "orders") == "12"


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("data", [{}, {"order_id": "PO-1"}, {"status": "weird_new_status"},
                                  {"order_id": "PO-1", "eta": "2026-11-22"}, {"late": True, "eta": "x", "promised_date": "y"}])
def test_order_status_with_missing_keys_does_not_crash(data, lang):
    assert isinstance(order_status(data, lang), str)


def test_pickup_ready_and_delivered():
    ready = {"order_id": "PO-5003", "status": "ready_for_pickup", "pickup_node_id": "CDMX-STORE-01",
             "pickup_hold_until": "2026-11-25", "promised_date": "2026-11-19"}
    assert "CDMX-STORE-01 hasta el miércoles 25 de noviembre" in order_status(ready, "es")
    delivered = {"order_id": "PO-5004", "status": "delivered", "return_window_ends": "2026-12-14"}
    assert "return it until Monday, December 14" in order_status(delivered, "en")


@pytest.mark.parametrize("code,needle", [
    ("forbidden", "can't share"), ("conflict", "changed in the meantime"), ("policy_violation", "policy"),
    ("invalid_input", "(order_id)"), ("internal_error", "went wrong"), ("something_new", "went wrong")])
def test_error_codes(code, needle):
    ctx = Context(lang="en", results=[ToolResult("get_order_status", {"order_id": "PO-1"}, False,
                                                 error={"code": code, "message": "stale proposal", "field": "order_id"})])
    text, pending = write(ctx, "where_is_order")
    assert needle in text and pending is None


def test_proposal_without_options_explains_why():
    res = ToolResult("propose_reroute", {"order_id": "PO-9"}, True,
                     {"order_id": "PO-9", "options": [], "recommended_option_id": None, "reason": "no node has stock"})
    text, asking = proposal(res, "en")
    assert "no node has stock" in text and not asking


def test_pickup_proposal_in_spanish():
    res = ToolResult("propose_pickup", {"order_id": "PO-5001"}, True, {
        "order_id": "PO-5001", "promised_date": "2026-11-21", "recommended_option_id": "pickup:MTY-STORE-02",
        "options": [{"option_id": "pickup:MTY-STORE-02", "kind": "pickup", "nodes": ["MTY-STORE-02"],
                     "eta": "2026-11-21", "meets_promise": True, "cost_delta_mxn": 0}]})
    text, asking = proposal(res, "es")
    assert "recolección en MTY-STORE-02" in text and "sábado 21 de noviembre" in text and asking


@pytest.mark.parametrize("fn,name", [(risk, "scan_risk"), (analytics, "run_analytics"), (policy, "search_policies"),
                                     (stock, "check_availability")])
@pytest.mark.parametrize("result", [None, {}, [], {"rows": None}, "text", [{"x": 1}]])
def test_ops_writers_are_defensive(fn, name, result):
    assert isinstance(fn(ToolResult(name, {}, True, result), "es"), str)


def test_analytics_english_with_counts():
    res = ToolResult("run_analytics", {"metric": "orders", "dimensions": ["channel"]}, True,
                     {"metric": "orders", "unit": "orders", "rows": [{"channel": "web", "value": 120}, {"channel": "store", "value": 30}]})
    assert analytics(res, "en") == "Orders by channel: web 120, store 30."


def test_stock_lists_nodes_with_atp():
    res = ToolResult("check_availability", {"sku": "SKU-10042", "city": "Monterrey"}, True, {
        "sku": "SKU-10042", "total_atp": 5, "nodes": [
            {"node_id": "MTY-STORE-01", "city": "Monterrey", "atp": 0, "distance_km": 3.2},
            {"node_id": "MTY-STORE-02", "city": "Monterrey", "atp": 5, "distance_km": 8.1}]})
    text = stock(res, "en")
    assert "5 units" in text and "MTY-STORE-02 (Monterrey, 8 km): 5" in text and "MTY-STORE-01" not in text


def test_policy_prefers_passages_in_the_user_language():
    res = ToolResult("search_policies", {}, True, [
        {"citation": "returns#window", "locale": "en", "title": "Returns", "text": "30 days."},
        {"citation": "devoluciones#plazo", "locale": "es", "title": "Devoluciones", "text": "Tienes 30 días."}])
    text = policy(res, "es")
    assert text.startswith('Según "Devoluciones": Tienes 30 días. [devoluciones#plazo]')
    assert text.endswith("[returns#window]")
