"""Order endpoints: the services' authorization shows through as 404s, never as data."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_customer_reads_own_order_and_not_another(client: TestClient, world, token_for) -> None:  # noqa: ANN001
    ana = token_for("customer", "C-1000")
    own = client.get("/v1/orders/PO-5000", headers=ana)
    assert own.status_code == 200
    assert own.json()["order_id"] == "PO-5000" and own.json()["customer_id"] == "C-1000"
    other = client.get("/v1/orders/PO-5001", headers=ana)
    missing = client.get("/v1/orders/PO-9999", headers=ana)
    assert other.status_code == missing.status_code == 404
    assert other.json()["error"]["code"] == "not_found"
    assert "C-1001" not in other.text


def test_me_orders_lists_only_the_callers(client: TestClient, world, token_for) -> None:  # noqa: ANN001
    mine = client.get("/v1/me/orders", headers=token_for("customer", "C-1001"))
    assert [o["order_id"] for o in mine.json()] == ["PO-5001"]
    bad_limit = client.get("/v1/me/orders?limit=0", headers=token_for("customer", "C-1001"))
    assert bad_limit.status_code == 422 and bad_limit.json()["error"]["field"] == "limit"


def test_staff_reads_any_order(client: TestClient, world, token_for) -> None:  # noqa: ANN001
    response = client.get("/v1/orders/PO-5001", headers=token_for("support", "agent-ana"))
    assert response.status_code == 200 and response.json()["customer_id"] == "C-1001"
