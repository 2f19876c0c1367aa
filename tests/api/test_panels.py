"""Support and ops panel endpoints: role checks, the services' answers, fields named on errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.routes.ops import split_ids


def test_support_searches_and_reads_profiles(client: TestClient, world, token_for) -> None:  # noqa: ANN001
    support = token_for("support", "agent-ana")
    found = client.get("/v1/customers/search", params={"q": "+52 81 3333 4444"}, headers=support)
    assert found.status_code == 200
    assert [m["customer_id"] for m in found.json()] == ["C-1001"]
    profile = client.get("/v1/customers/C-1001", headers=support).json()
    assert profile["name"] == "Carlos Mendoza"
    assert [o["order_id"] for o in profile["orders"]] == ["PO-5001"]
    assert client.get("/v1/customers/C-9999", headers=support).status_code == 404
    empty = client.get("/v1/customers/search?q=", headers=support)
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "q"


def test_customers_may_not_use_the_copilot_endpoints(client: TestClient, world, token_for) -> None:  # noqa: ANN001
    ana = token_for("customer", "C-1000")
    assert client.get("/v1/customers/search?q=carlos", headers=ana).status_code == 403
    assert client.get("/v1/customers/C-1000", headers=ana).status_code == 403
    assert client.get("/v1/ops/risk", headers=ana).status_code == 403
    assert client.get("/v1/ops/risk", headers=token_for("support", "agent-ana")).status_code == 403


def test_ops_risk_report(client: TestClient, world, token_for) -> None:  # noqa: ANN001
    ops = token_for("ops", "ops-luis")
    report = client.get("/v1/ops/risk", params={"days": 3, "nodes": "DC-CDMX-01"}, headers=ops)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["days"] == 3 and body["start"] == "2026-11-20"
    assert {row["node_id"] for row in body["node_days"]} <= {"DC-CDMX-01"}
    too_long = client.get("/v1/ops/risk?days=90", headers=ops)
    assert too_long.status_code == 422 and too_long.json()["error"]["field"] == "days"
    bad_day = client.get("/v1/ops/risk?start=tomorrow", headers=ops)
    assert bad_day.status_code == 422 and bad_day.json()["error"]["field"] == "start"
    for query, field in (("limit=0", "limit"), ("limit=5000", "limit"), ("offset=-1", "offset")):
        bad_page = client.get(f"/v1/ops/risk?{query}", headers=ops)
        assert bad_page.status_code == 422 and bad_page.json()["error"]["field"] == field, query
    page = client.get("/v1/ops/risk", params={"limit": 1}, headers=ops).json()
    assert len(page["at_risk"]) <= 1 and page["offset"] == 0
    assert page["next_offset"] == (1 if page["totals"]["at_risk_orders"] > 1 else None)


def test_split_ids() -> None:
    assert split_ids(["A, B", "C", ""]) == ["A", "B", "C"]
    assert split_ids(None) is None and split_ids([" , "]) is None


def test_stories_list_the_demo_world(client: TestClient) -> None:
    stories = client.get("/v1/stories").json()
    late = next(s for s in stories if s["id"] == "late-carrier-delay")
    assert late["principal"] == "C-1001" and "PO-5001" in late["ids"]


def test_ops_analytics(client: TestClient, world, token_for) -> None:  # noqa: ANN001
    ops = token_for("ops", "ops-luis")
    result = client.post("/v1/ops/analytics", json={"metric": "orders", "dimensions": ["channel"]},
                         headers=ops)
    assert result.status_code == 200, result.text
    assert result.json()["unit"] == "count"
    assert sum(row["value"] for row in result.json()["rows"]) == 2
    bad_metric = client.post("/v1/ops/analytics", json={"metric": "vibes"}, headers=ops)
    assert bad_metric.status_code == 422 and bad_metric.json()["error"]["field"] == "metric"
    backwards = client.post("/v1/ops/analytics", headers=ops,
                            json={"metric": "orders", "start": "2026-11-20", "end": "2026-11-01"})
    assert backwards.status_code == 422 and backwards.json()["error"]["field"] == "start"
    not_object = client.post("/v1/ops/analytics", json=["orders"], headers=ops)
    assert not_object.status_code == 422
    refused = client.post("/v1/ops/analytics", json={"metric": "orders"},
                          headers=token_for("customer", "C-1000"))
    assert refused.status_code == 403
