"""`/v1/me/notices`: a pickup offer in the customer's conversation language, accepted over HTTP."""

from __future__ import annotations

from sqlalchemy.orm import Session

from promesa.domain.deps import Deps
from promesa.domain.orchestration import run
from promesa.principal import SYSTEM
from promesa.settings import Settings
from promesa.store.enums import FulfillmentType
from promesa.store.models import Order
from tests.domain.orchestration_world import NOW
from tests.domain.orchestration_world import world as orchestration_world


def test_a_pickup_offer_is_read_in_english_and_accepted_once(client, engine, token_for) -> None:  # noqa: ANN001
    with Session(engine) as session:
        orchestration_world(session, other_ships=False)  # only a pickup at OTHER keeps the promise
        run.orchestrate(Deps(session=session, principal=SYSTEM, now=NOW,
                             settings=Settings(_env_file=None)))  # type: ignore[call-arg]
        session.commit()
    ana = token_for("customer", "C-1")
    assert client.get("/v1/me/notices", params={"lang": "fr"}, headers=ana).status_code == 422
    shown = client.get("/v1/me/notices", params={"lang": "en"}, headers=ana).json()
    assert len(shown) == 1 and shown[0]["kind"] == "pickup_offer" and shown[0]["offer"] == "open"
    assert shown[0]["language"] == "en" and "ready for pickup at Other on Friday 20 November" in shown[0]["body"]
    assert shown[0]["fields"]["pickup_ready"] == "2026-11-20"
    spanish = client.get("/v1/me/notices", headers=ana).json()[0]  # as sent: the customer's locale
    assert spanish["language"] == "es" and "recoger en Other el viernes 20 de noviembre" in spanish["body"]

    path = f"/v1/me/notices/{shown[0]['id']}/accept"
    assert client.post(path, json={}, headers=token_for("customer", "C-2")).status_code == 404
    assert client.post(path, json={}, headers=token_for("ops", "ops-luis")).status_code == 422
    done = client.post(path, json={}, headers=ana)
    assert done.status_code == 200, done.text
    assert done.json()["store_name"] == "Other" and done.json()["ready_date"] == "2026-11-20"
    assert client.post(path, json={}, headers=ana).json()["replayed"] is True
    with Session(engine) as session:
        assert session.get(Order, "PO-1").fulfillment_type is FulfillmentType.pickup
    assert client.get("/v1/me/notices", headers=ana).json()[0]["offer"] == "accepted"
    actions = client.get("/v1/orchestration/actions", headers=token_for("ops", "ops-luis")).json()
    assert [(a["decision"], a["decided_by"]) for a in actions] == [("accepted", "customer:C-1")]
