"""The self-service cases (evals/cases-self-service): they load, are in the default suite, cover
what the issue asks, and the hand-worked numbers they expect hold in their world."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from evals.cases import DECISION_TYPES, load_cases
from evals.cli import DEFAULT_CASES, DEFAULT_SUITE
from promesa.domain.actions.address import propose_address_change
from promesa.domain.actions.cancel import propose_cancel
from promesa.domain.actions.claims import propose_claim
from promesa.domain.actions.exchange import propose_exchange
from promesa.domain.actions.records import AddressIn, ReturnItem
from promesa.domain.actions.returns import propose_return
from promesa.domain.deps import Deps
from promesa.principal import Principal, Role
from promesa.settings import Settings
from promesa.store.enums import CaseKind, RefundMethod, ReturnMethod
from promesa.world.loader import load_world

ROOT = Path(__file__).resolve().parents[2] / "evals" / "cases-self-service"
WORLD = ROOT / "worlds" / "self-service.yaml"
NOW = datetime.fromisoformat("2026-11-20T10:00:00-06:00")
ANA = Principal(role=Role.customer, subject="C-1")
MARK = Principal(role=Role.customer, subject="C-2")


def test_cases_load_and_cover_the_issue():
    cases = load_cases([ROOT])
    assert len(cases) >= 80
    tags = Counter(t for c in cases for t in c.tags)
    assert tags["es"] >= 30 and tags["en"] >= 30
    for tag in ("cancel", "address", "return", "refund", "claim", "complaint", "exchange", "refusal", "security",
                "no-confirmation", "replay", "change-of-mind", "support", "happy"):
        assert tags[tag] > 0, tag
    assert all(c.expect.state is not None for c in cases if "happy" in c.tags)
    assert ROOT.resolve() in {Path(p).resolve() for p in DEFAULT_SUITE}  # `promesa eval` runs them
    others = {c.id for c in load_cases([DEFAULT_CASES])}
    assert not others & {c.id for c in cases}  # ids stay unique across the default suite


def test_every_decision_type_is_scored_by_some_case():
    cases = load_cases([DEFAULT_CASES, ROOT])
    assert {d["type"] for c in cases for d in c.expect.decisions} == DECISION_TYPES


@pytest.fixture
def world(engine: Engine) -> Engine:
    load_world(engine, WORLD, now=NOW)
    return engine


def test_the_numbers_the_cases_expect(world):
    with Session(world) as session:
        def d(principal: Principal) -> Deps:
            return Deps(session=session, principal=principal, now=NOW, settings=Settings(_env_file=None))

        whole = propose_cancel(d(ANA), "PO-101")
        assert whole.eligible and whole.refund.amount == Decimal("2397.00")
        assert whole.refund.expected_by == date(2026, 12, 4)
        assert propose_cancel(d(ANA), "PO-102").refusals[0].code == "line_picked"
        assert propose_cancel(d(ANA), "PO-102", line_nos=[2]).refund.amount == Decimal("1299.00")
        assert propose_cancel(d(ANA), "PO-103").refusals[0].code == "line_shipped"
        assert propose_cancel(d(ANA), "PO-109").refund.amount == Decimal("549.00")
        ret = propose_return(d(ANA), "PO-104", items=[ReturnItem(line_no=1)])
        assert (ret.dropoff_node_id, ret.refund.amount, ret.refund.expected_by) == (
            "CDMX-STORE-01", Decimal("1098.00"), date(2026, 12, 4))
        assert propose_return(d(ANA), "PO-104", items=[ReturnItem(line_no=1)], method=ReturnMethod.carrier_pickup
                              ).refund.expected_by == date(2026, 12, 7)
        assert propose_return(d(ANA), "PO-104", items=[ReturnItem(line_no=1)],
                              refund_method=RefundMethod.store_credit).refund.expected_by == date(2026, 11, 23)
        assert propose_return(d(ANA), "PO-104", items=[ReturnItem(line_no=2)]).lines[0].window_ends == date(2026, 12, 2)
        assert propose_return(d(ANA), "PO-104", items=[ReturnItem(line_no=3)]).refusals[0].code == "category_excluded"
        assert propose_return(d(ANA), "PO-104", items=[ReturnItem(line_no=4)]).seller == "SonidoMX"
        assert propose_return(d(ANA), "PO-105").refusals[0].code == "window_closed"
        dmg = propose_claim(d(ANA), "PO-104", kind=CaseKind.damaged, line_nos=[2], has_photos=True)
        assert dmg.resolution.value == "reship"
        assert propose_claim(d(ANA), "PO-104", kind=CaseKind.not_arrived).refusals[0].code == "claim_window_closed"
        assert propose_claim(d(MARK), "PO-107", kind=CaseKind.not_arrived).needs_staff
        assert propose_claim(d(MARK), "PO-108", kind=CaseKind.not_arrived).eligible
        assert propose_claim(d(ANA), "PO-103", kind=CaseKind.not_arrived).refusals[0].code == "too_early"
        mty = AddressIn(line1="Av. Constitución 100", city="Monterrey", state="Nuevo León", postal_code="64000")
        tij = AddressIn(line1="Blvd. Agua Caliente 5", city="Tijuana", state="Baja California", postal_code="22000")
        assert propose_address_change(d(MARK), "PO-110", mty).keeps_promise
        late = propose_address_change(d(MARK), "PO-110", tij)
        assert not late.keeps_promise and late.promised_date == date(2026, 11, 26)
        swap = propose_exchange(d(ANA), "PO-111", line_no=1, to_sku="SKU-6")
        assert (swap.node_id, swap.eta, swap.price_difference) == ("DC-CDMX-01", date(2026, 11, 23), 0)
        assert propose_exchange(d(ANA), "PO-111", line_no=1, to_sku="SKU-7").refusals[0].code == "out_of_stock"
