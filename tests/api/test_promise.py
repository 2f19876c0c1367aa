"""`/v1/promise`: quotes and plans for anyone, placement for the signed-in customer."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.domain.test_promising import world


def test_quote_plan_and_place_then_the_next_quote_moves(client, engine, token_for) -> None:  # noqa: ANN001
    with Session(engine) as session:
        world(session)
    shown = client.get("/v1/promise", params={"sku": "SKU-1", "qty": 1, "postal_code": "06700"})
    assert shown.status_code == 200
    std = next(o for o in shown.json()["options"] if o["service_level"] == "standard")
    assert (std["node_id"], std["delivery_date"]) == ("DC-CDMX-01", "2026-11-21")
    cart = {"lines": [{"sku": "SKU-1", "quantity": 1}], "postal_code": "06700"}
    plan = client.post("/v1/promise/checkout", json=cart)
    assert plan.status_code == 200 and plan.json()["latest_delivery"] == "2026-11-21"
    body = {"lines": cart["lines"], "ship_to_id": "A-1", "accepted_delivery_date": "2026-11-21",
            "idempotency_key": "web-cart-0001"}
    assert client.post("/v1/promise/orders", json=body).status_code == 401
    placed = client.post("/v1/promise/orders", json=body, headers=token_for("customer", "C-1"))
    assert placed.status_code == 200 and placed.json()["status"] == "placed"
    order_id = placed.json()["order_id"]
    mine = client.get(f"/v1/orders/{order_id}", headers=token_for("customer", "C-1"))
    assert mine.status_code == 200 and mine.json()["promised_date"] == "2026-11-21"
    # the slot is gone: the same quote now says Monday, and a stale acceptance is re-quoted
    again = client.get("/v1/promise", params={"sku": "SKU-1", "qty": 1, "postal_code": "06700"})
    assert next(o for o in again.json()["options"] if o["service_level"] == "standard")["delivery_date"] == "2026-11-23"
    stale = client.post("/v1/promise/orders", json={**body, "idempotency_key": "web-cart-0002"},
                        headers=token_for("customer", "C-1"))
    assert stale.json()["status"] == "requote" and stale.json()["plan"]["latest_delivery"] == "2026-11-23"


def test_bad_input_is_a_422_naming_the_field(client, engine, token_for) -> None:  # noqa: ANN001
    with Session(engine) as session:
        world(session)
    bad = client.get("/v1/promise", params={"sku": "SKU-1", "qty": 1, "postal_code": "99"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "postal_code"
    missing = client.get("/v1/promise", params={"sku": "NOPE", "postal_code": "06700"})
    assert missing.status_code == 404 and "NOPE" in missing.json()["error"]["message"]
    body = {"lines": [{"sku": "SKU-1", "quantity": 1}], "ship_to_id": "A-2",
            "accepted_delivery_date": "2026-11-21", "idempotency_key": "web-cart-0003", "customer_id": "C-2"}
    other = client.post("/v1/promise/orders", json=body, headers=token_for("customer", "C-1"))
    assert other.status_code == 403
    staff = client.post("/v1/promise/orders", json={**body, "customer_id": None},
                        headers=token_for("support", "agent-ana"))
    assert staff.status_code == 422 and staff.json()["error"]["field"] == "customer_id"


def test_orchestration_queue_and_customer_notices_over_http(client, engine, token_for) -> None:  # noqa: ANN001
    from promesa.domain.deps import Deps
    from promesa.domain.orchestration import run
    from promesa.domain.orchestration.config import AutonomyPolicy
    from promesa.principal import SYSTEM
    from promesa.settings import Settings
    from tests.domain.orchestration_world import NOW
    from tests.domain.orchestration_world import world as orchestration_world

    with Session(engine) as session:
        orchestration_world(session)
        settings = Settings(_env_file=None, autonomy=AutonomyPolicy(enabled=False))  # type: ignore[call-arg]
        run.orchestrate(Deps(session=session, principal=SYSTEM, now=NOW, settings=settings))
        session.commit()
    ops = token_for("ops", "ops-luis")
    assert client.get("/v1/orchestration/pending", headers=token_for("customer", "C-1")).status_code == 403
    queued = client.get("/v1/orchestration/pending", headers=ops).json()
    assert [q["order_id"] for q in queued] == ["PO-1"] and queued[0]["proposal"]["order_id"] == "PO-1"
    bad = client.post(f"/v1/orchestration/actions/{queued[0]['id']}/explode", json={}, headers=ops)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "verb"
    rejected = client.post(f"/v1/orchestration/actions/{queued[0]['id']}/reject", json={"note": "no"}, headers=ops)
    assert rejected.status_code == 200 and rejected.json()["decision"] == "rejected"
    again = client.post(f"/v1/orchestration/actions/{queued[0]['id']}/approve", json={}, headers=ops)
    assert again.status_code == 409
    mine = client.get("/v1/me/notices", headers=token_for("customer", "C-1")).json()
    assert len(mine) == 1 and mine[0]["order_id"] == "PO-1" and mine[0]["language"] == "es"
    assert client.get("/v1/me/notices", headers=token_for("customer", "C-2")).json() == []
