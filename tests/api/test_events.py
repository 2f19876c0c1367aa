"""POST /v1/events: signatures, replay window, scopes, batches, dead letters, availability."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.main import create_app
from promesa.domain.events.sources import sign
from promesa.store.enums import OrderStatus
from promesa.store.models import InventoryPosition, Order
from tests.domain.events_helpers import SOURCES, ev, world


@pytest.fixture(params=["per_event", "per_batch"])
def events_client(request, api_settings, engine, agent):
    """A client in each commit mode of ``POST /v1/events``: every test here holds in both."""
    settings = api_settings.model_copy(update={"event_sources": SOURCES, "event_batch_commit": request.param})
    with Session(engine) as session:
        world(session)
    with TestClient(create_app(settings, engine=engine, agent=agent), raise_server_exceptions=False) as client:
        yield client


def post(client: TestClient, body: object, *, source: str = "oms", key: str | None = None,
         secret: str | None = None, at: float | None = None, raw: bytes | None = None,
         headers: dict[str, str] | None = None):
    data = raw if raw is not None else json.dumps(body).encode()
    config = SOURCES[source]
    signature = sign(secret or config.signing_secret.get_secret_value(), data, int(at or time.time()))
    return client.post("/v1/events", content=data, headers={
        "Content-Type": "application/cloudevents+json", "X-Promesa-Source": source,
        "X-Promesa-Source-Key": key or config.key.get_secret_value(), "X-Promesa-Signature": signature,
        **(headers or {})})


def sale(qty: int = 1, **kw):
    return ev("inventory.pos_sale", {"node_id": "MX-STORE-01", "sku": "SKU-1", "quantity": qty},
              source="/sources/pos", **kw)


def test_signed_sale_updates_atp_before_the_response_returns(events_client, token_for):
    before = events_client.get("/v1/availability", params={"sku": "SKU-1", "channel": "store",
                                                            "node_id": "MX-STORE-01"},
                               headers=token_for("ops", "ops-luis")).json()
    assert before["sellable"] == 4
    answer = post(events_client, sale(4), source="pos")
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 1
    after = events_client.get("/v1/availability", params={"sku": "SKU-1", "channel": "store",
                                                           "node_id": "MX-STORE-01"},
                              headers=token_for("ops", "ops-luis")).json()
    assert after["sellable"] == 0
    web = events_client.get("/v1/availability", params={"sku": "SKU-1"},
                            headers=token_for("support", "agent-ana")).json()
    assert {n["node_id"] for n in web["nodes"]} == {"DC-CDMX-01"}


def test_redelivery_answers_200_with_the_original_outcome(events_client):
    event = sale(1)
    first = post(events_client, event, source="pos").json()["results"][0]
    again = post(events_client, event, source="pos")
    assert again.status_code == 200
    assert again.json()["results"][0] == {**first, "status": "duplicate"}


@pytest.mark.parametrize("tamper", ["key", "secret", "old", "future", "body", "source"])
def test_signature_refusals(events_client, tamper):
    event = sale(1)
    body = json.dumps(event).encode()
    kwargs: dict = {}
    if tamper == "key":
        kwargs["key"] = "wrong"
    elif tamper == "secret":
        kwargs["secret"] = "wrong"
    elif tamper == "old":
        kwargs["at"] = time.time() - 310  # clear of the 300 s window (t is whole seconds)
    elif tamper == "future":
        kwargs["at"] = time.time() + 310
    elif tamper == "source":
        kwargs["source"] = "carrier"
    if tamper == "body":
        good = sign("pos-secret", body, int(time.time()))
        answer = events_client.post("/v1/events", content=body + b" ", headers={
            "X-Promesa-Source": "pos", "X-Promesa-Source-Key": "pos-key", "X-Promesa-Signature": good})
    else:
        answer = post(events_client, event, source=kwargs.pop("source", "pos"), raw=body, **kwargs)
    if tamper == "source":  # a valid carrier signature, but the carrier may not send sales
        assert answer.status_code == 403 and answer.json()["results"][0]["error"]["code"] == "forbidden"
    else:
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthorized"


def test_unsigned_request_is_refused(events_client):
    answer = events_client.post("/v1/events", json=sale(1))
    assert answer.status_code == 401


def test_a_batch_with_bad_events_keeps_the_good_ones(events_client, token_for):
    good1, good2 = sale(1), sale(1)
    bad = sale(1)
    bad["data"]["quantity"] = "many"
    oversell = sale(50)
    answer = post(events_client, [good1, bad, oversell, good2], source="pos")
    assert answer.status_code == 207
    body = answer.json()
    assert (body["accepted"], body["rejected"]) == (2, 2)
    assert [r["status"] for r in body["results"]] == ["accepted", "rejected", "rejected", "accepted"]
    assert body["results"][1]["error"]["field"] == "data.quantity"
    assert body["results"][2]["error"]["code"] == "conflict"
    letters = events_client.get("/v1/events/dead-letters", headers=token_for("ops", "ops-luis"))
    assert letters.status_code == 200 and {d["event_id"] for d in letters.json()} == {bad["id"], oversell["id"]}
    support = events_client.get("/v1/events/dead-letters", headers=token_for("support", "agent-ana"))
    assert support.status_code == 403


def test_dead_letter_replay_after_the_fix(events_client, token_for, engine):
    early = ev("tracking.scan", {"tracking_number": "TRK-NEW", "status": "in_transit"}, source="/sources/carrier")
    rejected = post(events_client, early, source="carrier")
    assert rejected.status_code == 404
    ops = token_for("ops", "ops-luis")
    letter = events_client.get("/v1/events/dead-letters", headers=ops).json()[0]
    assert letter["field"] == "data.tracking_number"
    # the fix: the shipment the scan belongs to arrives
    shipped = ev("order.line_shipped", {"order_id": "PO-1", "line_no": 1, "shipment_id": "S-NEW",
                                        "tracking_number": "TRK-NEW"}, minutes=-1)
    assert post(events_client, shipped).status_code == 200
    replayed = events_client.post(f"/v1/events/dead-letters/{letter['id']}/replay", headers=ops)
    assert replayed.status_code == 200 and replayed.json()["status"] == "accepted"
    assert events_client.get("/v1/events/dead-letters", headers=ops).json() == []
    with Session(engine) as session:
        assert session.get(Order, "PO-1").status is OrderStatus.in_transit


def test_binary_mode_event(events_client):
    event = sale(1)
    body = json.dumps(event["data"]).encode()
    headers = {"ce-specversion": "1.0", "ce-id": event["id"], "ce-source": "/sources/pos",
               "ce-type": event["type"], "ce-time": event["time"], "Content-Type": "application/json"}
    answer = post(events_client, None, source="pos", raw=body, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["changes"][0]["on_hand"] == 4


def test_not_json_is_a_422_naming_the_body(events_client):
    answer = post(events_client, None, source="pos", raw=b"{nope")
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "body"


def test_availability_refuses_customers_and_names_bad_fields(events_client, token_for):
    assert events_client.get("/v1/availability", params={"sku": "SKU-1"},
                             headers=token_for("customer", "C-1")).status_code == 403
    store = events_client.get("/v1/availability", params={"sku": "SKU-1", "channel": "store"},
                              headers=token_for("ops", "ops-luis"))
    assert store.status_code == 422 and store.json()["error"]["field"] == "node_id"
    assert events_client.get("/v1/availability", params={"sku": "NOPE"},
                             headers=token_for("ops", "ops-luis")).status_code == 404


def test_discard_closes_a_dead_letter_for_ops_only_and_is_audited(events_client, token_for, engine):
    from sqlalchemy import select

    from promesa.store.models import AuditEntry, DeadLetter

    assert post(events_client, sale(50), source="pos").status_code == 409
    ops = token_for("ops", "ops-luis")
    letter = events_client.get("/v1/events/dead-letters", headers=ops).json()[0]
    support = events_client.post(f"/v1/events/dead-letters/{letter['id']}/discard",
                                 headers=token_for("support", "agent-ana"))
    assert support.status_code == 403
    done = events_client.post(f"/v1/events/dead-letters/{letter['id']}/discard", headers=ops)
    assert done.status_code == 200 and done.json()["discarded_by"] == "ops:ops-luis"
    assert events_client.get("/v1/events/dead-letters", headers=ops).json() == []
    again = events_client.post(f"/v1/events/dead-letters/{letter['id']}/discard", headers=ops)
    assert again.status_code == 409 and "already resolved" in again.json()["error"]["message"]
    missing = events_client.post("/v1/events/dead-letters/999999/discard", headers=ops)
    assert missing.status_code == 404
    with Session(engine) as session:
        assert session.get(DeadLetter, letter["id"]).resolved_at is not None
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == str(letter["id"]))).all() == [
            "event.discarded"]


def test_a_new_dead_letter_is_on_the_live_feed_for_ops_only():
    from api.routes.live import visible
    from promesa.principal import Principal, Role

    change = {"kind": "dead_letter", "id": "ev-1", "reason": "product SKU-X not found"}
    assert visible(Principal(role=Role.ops, subject="ops-luis"), change)
    assert not visible(Principal(role=Role.support, subject="agent-ana"), change)
    assert not visible(Principal(role=Role.customer, subject="C-1"), change)


def test_a_per_batch_commit_keeps_each_result_and_publishes_the_batch_once(api_settings, engine, agent):
    from promesa.events.feed import LocalFeed

    published: list[list[dict]] = []

    class Recording(LocalFeed):
        def publish(self, changes):
            published.append(changes)

    settings = api_settings.model_copy(update={"event_sources": SOURCES, "event_batch_commit": "per_batch"})
    with Session(engine) as session:
        world(session)
    with TestClient(create_app(settings, engine=engine, agent=agent), raise_server_exceptions=False) as client:
        client.app.state.runtime.change_feed.close()  # stands in for the deployment's feed
        client.app.state.runtime.change_feed = Recording()
        good1, good2, oversell = sale(1), sale(1), sale(50)
        answer = post(client, [good1, oversell, good2], source="pos")
    assert answer.status_code == 207
    assert [r["status"] for r in answer.json()["results"]] == ["accepted", "rejected", "accepted"]
    assert len(published) == 1  # one publication for the committed batch
    assert [c["kind"] for c in published[0]] == ["inventory", "dead_letter", "inventory"]
    assert published[0][2]["on_hand"] == 3  # 5 - 1 - 1


def test_a_failing_change_feed_never_turns_a_committed_batch_into_an_error(api_settings, engine, agent, caplog):
    from promesa.events.feed import LocalFeed

    class Broken(LocalFeed):
        def publish(self, changes):
            raise ConnectionError("feed down")

    settings = api_settings.model_copy(update={"event_sources": SOURCES, "event_batch_commit": "per_batch"})
    with Session(engine) as session:
        world(session)
    with TestClient(create_app(settings, engine=engine, agent=agent), raise_server_exceptions=True) as client:
        client.app.state.runtime.change_feed.close()
        client.app.state.runtime.change_feed = Broken()
        answer = post(client, [sale(1), sale(1)], source="pos")
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 2
    with Session(engine) as session:  # the sales committed although nothing was pushed
        assert session.get(InventoryPosition, ("MX-STORE-01", "SKU-1")).on_hand == 3
    assert "the change feed failed" in caplog.text
