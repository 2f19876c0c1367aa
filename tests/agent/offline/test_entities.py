from datetime import date

import pytest

from agent.offline.entities import extract, resolve_dates

TODAY = date(2026, 11, 20)  # a Friday


@pytest.mark.parametrize(
    "text",
    ["PO-5001", "po 5001", "#5001", "pedido 5001", "order number 5001", "mi orden #5001",
     "Order No. 5001 please", "5001", "where is po5001?"],
)
def test_order_id_forms(text):
    assert extract(text).order_ids == ["PO-5001"]


def test_several_orders_in_order_of_appearance():
    assert extract("PO-5002 and PO-5001 and po 5002").order_ids == ["PO-5002", "PO-5001"]


def test_skus_customers_and_phones_are_not_orders():
    ent = extract("SKU-10042 for C-1002, call 81 1234 5678")
    assert ent.order_ids == []
    assert ent.skus == ["SKU-10042"] and ent.customer_ids == ["C-1002"]
    assert ent.phones == ["+528112345678"]


@pytest.mark.parametrize("text", ["+52 81 1234 5678", "8112345678", "(81) 1234-5678"])
def test_phones_normalised_to_e164(text):
    assert extract(f"find {text}").phones == ["+528112345678"]


def test_emails_lowercased():
    assert extract("busca a Maria.Lopez@Example.com").emails == ["maria.lopez@example.com"]


def test_names_after_lookup_words():
    assert extract("busca al cliente Juan Pérez García").names == ["Juan Pérez García"]


@pytest.mark.parametrize(
    "text,start,end",
    [
        ("tomorrow", date(2026, 11, 21), date(2026, 11, 21)),
        ("mañana", date(2026, 11, 21), date(2026, 11, 21)),
        ("manana temprano", date(2026, 11, 21), date(2026, 11, 21)),
        ("today", TODAY, TODAY),
        ("hoy", TODAY, TODAY),
        ("yesterday", date(2026, 11, 19), date(2026, 11, 19)),
        ("next week", date(2026, 11, 23), date(2026, 11, 29)),
        ("la próxima semana", date(2026, 11, 23), date(2026, 11, 29)),
        ("this week", date(2026, 11, 16), date(2026, 11, 22)),
        ("esta semana", date(2026, 11, 16), date(2026, 11, 22)),
        ("on Tuesday", date(2026, 11, 24), date(2026, 11, 24)),
        ("el viernes", date(2026, 11, 27), date(2026, 11, 27)),  # next Friday, not today
        ("pasado mañana", date(2026, 11, 22), date(2026, 11, 22)),
        ("next 3 days", TODAY, date(2026, 11, 22)),
    ],
)
def test_relative_dates(text, start, end):
    found = extract(text, TODAY).dates
    assert found is not None and (found.start, found.end) == (start, end)


def test_morning_is_not_tomorrow():
    assert resolve_dates("en la manana", TODAY) is None


def test_no_clock_no_dates():
    assert extract("tomorrow").dates is None


@pytest.mark.parametrize(
    "text,cities,nodes",
    [
        ("is it in stock in Monterrey?", ["Monterrey"], []),
        ("la tienda de Polanco", [], ["CDMX-STORE-01"]),
        ("ship from mty-store-02", [], ["MTY-STORE-02"]),
        ("en CDMX o Guadalajara", ["Ciudad de México", "Guadalajara"], []),
        ("risk at DC-GDL-01", [], ["DC-GDL-01"]),
    ],
)
def test_places(text, cities, nodes):
    ent = extract(text)
    assert ent.cities == cities and ent.node_ids == nodes


@pytest.mark.parametrize(
    "text,metric,dims",
    [
        ("on-time rate by carrier", "on_time_rate", ["carrier"]),
        ("tasa de puntualidad por paquetería", "on_time_rate", ["carrier"]),
        ("utilisation by node", "utilisation", ["node"]),
        ("utilización por tienda", "utilisation", ["node"]),
        ("ocupación por nodo", "utilisation", ["node"]),
        ("orders by channel", "orders", ["channel"]),
    ],
)
def test_metrics_and_dimensions(text, metric, dims):
    ent = extract(text)
    assert ent.metric == metric and ent.dimensions == dims


@pytest.mark.parametrize("text,ref", [("and the other one?", "other"), ("¿y el otro?", "other"),
                                      ("the second one", "second"), ("el primero", "first")])
def test_references(text, ref):
    assert extract(text).ref == ref
