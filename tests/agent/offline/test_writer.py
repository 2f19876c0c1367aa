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


@pytest.mark.parametrize("lang,needle", [("en", "no node that has the items"), ("es", "ningún nodo con los artículos")])
def test_proposal_without_options_explains_why_in_words(lang, needle):
    res = ToolResult("propose_reroute", {"order_id": "PO-9"}, True,
                     {"order_id": "PO-9", "options": [], "recommended_option_id": None,
                      "reason": "no node has 1 of SKU-1 available to promise"})
    text, asking = proposal(res, lang)
    assert needle in text and "available to promise" not in text and not asking


def test_proposal_not_needed_says_so():
    res = ToolResult("propose_reroute", {"order_id": "PO-9"}, True, {
        "order_id": "PO-9", "current_node": "DC-CDMX-01", "current_eta": "2026-11-22", "problem": None,
        "promised_date": "2026-11-23", "recommended_option_id": None, "options": [],
        "reason": "no reroute needed: DC-CDMX-01 delivers on 2026-11-22, within the promise 2026-11-23"})
    text, _ = proposal(res, "es")
    assert "no hace falta cambiarlo: desde DC-CDMX-01 llega el domingo 22 de noviembre" in text
    assert "reroute needed" not in text


STAFF_PROPOSAL = {
    "order_id": "PO-5002", "promised_date": "2026-11-22", "profile": "balanced", "current_node": "MTY-STORE-01",
    "current_eta": None, "problem": "MTY-STORE-01 is short of SKU-10002 (on hand 0, needs 1)",
    "recommended_option_id": "ship_from_node:MTY-STORE-02:ESTAFETA-STANDARD", "recommended_node": "MTY-STORE-02",
    "reason": "MTY-STORE-01 is short of SKU-10002 (on hand 0, needs 1). ship_from_node:MTY-STORE-02:ESTAFETA-STANDARD "
              "scores 0.95 under profile 'balanced': leaves MTY-STORE-02 on 2026-11-20",
    "options": [
        {"option_id": "ship_from_node:MTY-STORE-02:ESTAFETA-STANDARD", "kind": "ship_from_node", "nodes": ["MTY-STORE-02"],
         "eta": "2026-11-21", "meets_promise": True, "cost_delta_mxn": 12.5,
         "detail": [{"node_id": "MTY-STORE-02", "service_id": "ESTAFETA-STANDARD", "ship_day": "2026-11-20", "eta": "2026-11-21"}]},
        {"option_id": "ship_from_node:DC-MTY-01:ESTAFETA-STANDARD", "kind": "ship_from_node", "nodes": ["DC-MTY-01"],
         "eta": "2026-11-22", "meets_promise": True, "cost_delta_mxn": 0}]}


@pytest.mark.parametrize("lang,expected", [
    ("en", ["shipping it from MTY-STORE-02", "leave on Friday, November 20 and arrive on Saturday, November 21",
            "which meets the promised Sunday, November 22", "$12.50 MXN", "MTY-STORE-01 can no longer ship it",
            "best of 2 options"]),
    ("es", ["enviarlo desde MTY-STORE-02", "saldría el viernes 20 de noviembre y llegaría el sábado 21 de noviembre",
            "lo que cumple la fecha prometida (domingo 22 de noviembre)", "$12.50 MXN",
            "MTY-STORE-01 ya no puede enviarlo", "la mejor de 2 opciones"]),
])
def test_staff_proposal_in_words_without_option_ids(lang, expected):
    text, asking = proposal(ToolResult("propose_reroute", {"order_id": "PO-5002"}, True, STAFF_PROPOSAL), lang)
    assert asking and all(e in text for e in expected), text
    assert "ship_from_node" not in text and "scores" not in text and "short of" not in text


def test_customer_proposal_has_no_cost_or_internal_why():
    text, _ = proposal(ToolResult("propose_reroute", {"order_id": "PO-5002"}, True, STAFF_PROPOSAL), "en", staff=False)
    assert "MTY-STORE-02" in text and "MXN" not in text and "Why" not in text


LATE = {"order_id": "PO-5001", "status": "in_transit", "carrier": "Estafeta", "promised_date": "2026-11-21",
        "eta": "2026-11-23", "late": True, "reason": "carrier_delay",
        "reason_detail": "Estafeta reported a delay on Fri 20 Nov (weather: highway closure near Saltillo) and revised delivery to Mon 23 Nov.",
        "timeline": [{"type": "in_transit", "occurred_at": "2026-11-19T09:00:00-06:00", "location": "Querétaro, Qro."},
                     {"type": "delay_exception", "occurred_at": "2026-11-20T07:30:00-06:00", "location": "Saltillo, Coahuila",
                      "reason": "weather: highway closure near Saltillo", "revised_eta": "2026-11-23"}]}


def test_late_reason_in_spanish_is_built_from_the_delay_event():
    text = order_status(LATE, "es")
    assert ("Estafeta reportó un retraso en Saltillo, Coahuila el viernes 20 de noviembre "
            "(nota de la paquetería: \"weather: highway closure near Saltillo\") "
            "y cambió la entrega al lunes 23 de noviembre.") in text
    assert "reported" not in text and "revised" not in text and "Fri 20 Nov" not in text


def test_late_reason_without_event_uses_the_reason_label():
    data = {**LATE, "timeline": [], "reason": "over_capacity", "node_id": "DC-GDL-01"}
    assert "Motivo: falta de capacidad en DC-GDL-01." in order_status(data, "es")
    assert "Reason: a capacity shortfall at DC-GDL-01." in order_status(data, "en")


def test_at_risk_without_reason_never_shows_a_placeholder():
    data = {"order_id": "PO-1", "status": "in_transit", "promised_date": "2026-11-21", "eta": "2026-11-21", "at_risk": True}
    text = order_status(data, "en")
    assert "?" not in text and "no margin" in text


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
    assert analytics(res, "en") == "Orders by channel: web 120, store 30. Total across the 2 groups by channel: 150."


def test_a_rate_has_no_total_and_a_long_breakdown_says_how_many_more():
    rows = [{"carrier": f"C{i}", "value": 90.0 + i / 10} for i in range(10)]
    res = ToolResult("run_analytics", {"metric": "on_time_rate", "dimensions": ["carrier"]}, True,
                     {"metric": "on_time_rate", "unit": "percent", "rows": rows})
    text = analytics(res, "es")
    assert text.endswith(" y 2 más.") and "Total" not in text


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
    assert text.startswith("Tienes 30 días.") and text.endswith("Fuente: Devoluciones.")


def test_policy_keeps_a_second_passage_only_when_it_shares_words_with_the_question():
    passages = [{"citation": "returns#window", "locale": "en", "title": "Returns", "text": "Returns within 30 days."},
                {"citation": "refunds#timing", "locale": "en", "title": "Refunds", "text": "Refunds take 5 days."}]
    both = policy(ToolResult("search_policies", {"query": "returns and refunds?"}, True, passages), "en")
    one = policy(ToolResult("search_policies", {"query": "returns?"}, True, passages), "en")
    assert both == "Returns within 30 days. Refunds take 5 days.\nSource: Returns; Refunds."
    assert one == "Returns within 30 days.\nSource: Returns."


@pytest.mark.parametrize("code", ["conflict", "policy_violation"])
def test_spanish_errors_do_not_echo_the_domain_english_message(code):
    ctx = Context(lang="es", results=[ToolResult("execute_reroute", {"order_id": "PO-1"}, False,
                                                 error={"code": code, "message": "line 1 is already shipped"})])
    text, _ = write(ctx, "reroute")
    assert "shipped" not in text and text


def test_an_unshipped_order_names_its_carrier_in_the_future():
    data = {"order_id": "PO-5007", "status": "allocated", "carrier": "Estafeta", "promised_date": "2026-11-23",
            "eta": "2026-11-23"}
    assert "Se enviará con Estafeta." in order_status(data, "es")
    assert "It will ship with Estafeta." in order_status(data, "en")


def test_the_last_carrier_scan_is_labelled_in_the_user_language_and_its_note_quoted_as_written():
    data = {"order_id": "PO-5001", "status": "in_transit", "promised_date": "2026-11-23", "eta": "2026-11-23",
            "late": False, "carrier": "ESTAFETA", "timeline": [
                {"type": "picked_up", "occurred_at": "2026-11-18T09:00:00-06:00", "location": "Monterrey"},
                {"type": "delay_exception", "occurred_at": "2026-11-19T16:00:00-06:00", "location": "Saltillo",
                 "reason": "weather: highway closure"}]}
    text = order_status(data, "es")
    assert 'Última actualización de la paquetería: con retraso en Saltillo' in text
    assert 'Nota de la paquetería: "weather: highway closure".' in text and "delay_exception" not in text


def test_a_late_order_whose_reason_tells_the_scan_does_not_repeat_it():
    from tests.agent.offline.support import LATE_5001

    data = {**LATE_5001, "timeline": [{"type": "delay_exception", "occurred_at": "2026-11-19T16:00:00-06:00",
                                       "location": "Saltillo", "reason": "weather: highway closure near Saltillo"}]}
    text = order_status(data, "en")
    assert text.count("highway closure") <= 1 and "Last carrier update" not in text
