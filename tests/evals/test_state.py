"""`expect.state`: the end state graded on the database, including "nothing else changed", and
the loader's decision types taken from the decision union."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import Field
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from agent.contract import TurnResult
from evals.cases import CaseError, parse_case
from evals.runner import RunConfig, Runner
from evals.state import check, snapshot
from evals.worlds import WorldFactory
from promesa.domain.actions.cancel import cancel_order
from tests.domain.actions.world import ANA, build, deps
from tests.evals.fakes import FakeTurnResult


def make(expect: dict[str, Any], turns=None) -> Any:
    return parse_case({"id": "s-1", "persona": "customer", "principal": {"subject": "C-1"},
                       "now": "2026-11-20T10:00:00-06:00", "turns": turns or [{"user": "cancel PO-1"}],
                       "expect": expect}, Path("case.yaml"))


@pytest.fixture
def world(engine: Engine) -> Engine:
    with Session(engine) as session:
        build(session)
        session.commit()
    return engine


def _cancel(engine: Engine, line_nos=None) -> None:
    with Session(engine) as session, session.begin():
        cancel_order(deps(session, ANA), order_id="PO-1", line_nos=line_nos, idempotency_key="k")


def test_asserted_changes_pass_and_bookkeeping_is_ignored(world):
    before = snapshot(world)
    _cancel(world)
    state = make({"state": [
        {"table": "orders", "id": "PO-1", "status": "cancelled"},
        {"table": "order_lines", "where": {"order_id": "PO-1"}, "count": 2, "status": "cancelled"},
        {"table": "refunds", "where": {"order_id": "PO-1"}, "count": 1, "amount": 1500, "status": "issued",
         "expected_by": "2026-12-04"},
        {"table": "inventory", "where": {"node_id": "DC-CDMX-01", "sku": "SKU-1"}, "reserved": 0},
    ]}).expect.state
    assert check(world, before, state) == []


def test_an_unasserted_change_fails_as_something_else_changed(world):
    before = snapshot(world)
    _cancel(world)
    problems = check(world, before, make({"state": [{"table": "orders", "id": "PO-1", "status": "cancelled"}]})
                     .expect.state)
    assert any(p.startswith("unexpected change: refunds") and "inserted" in p for p in problems)
    assert any(p.startswith("unexpected change: order_lines") for p in problems)
    assert any(p.startswith("unexpected change: inventory") for p in problems)


def test_wrong_values_counts_and_empty_state(world):
    before = snapshot(world)
    assert check(world, before, make({"state": []}).expect.state) == []  # nothing changed: passes
    _cancel(world, line_nos=[2])
    problems = check(world, before, make({"state": [
        {"table": "orders", "id": "PO-1", "status": "cancelled"},
        {"table": "refunds", "where": {"order_id": "PO-1"}, "count": 2},
        {"table": "returns", "where": {"order_id": "PO-1"}},
    ]}).expect.state)
    assert "state[0]: orders id=PO-1 holds {'status': 'allocated'}, expected {'status': 'cancelled'}" in problems
    assert any(p.startswith("state[1]: refunds") and "has 1 row(s), expected 2" in p for p in problems)
    assert any(p.startswith("state[2]: no row returns") for p in problems)
    assert check(world, before, make({"state": []}).expect.state)  # [] = nothing may change


@pytest.mark.parametrize("item, message", [
    ({"table": "ordrs", "id": "X"}, "unknown table"),
    ({"table": "orders", "id": "X", "colour": "red"}, "no column(s) colour"),
    ({"table": "inventory", "id": "X"}, "composite key"),
    ({"table": "orders", "id": "X", "where": {"id": "X"}}, "id or where"),
])
def test_bad_state_assertions_name_the_field(item, message):
    with pytest.raises(CaseError) as bad:
        make({"state": [item]})
    assert bad.value.field == "expect.state.0" and message in bad.value.message


def test_runner_grades_the_end_state(tmp_path: Path):
    """A fake agent that really cancels in the case's world copy; the runner grades the copy."""

    @dataclass
    class Cancelling:
        engine: Engine

        async def run_turn(self, **_: Any) -> TurnResult:
            _cancel(self.engine, line_nos=[2])
            return FakeTurnResult(text="Done.").turn_result("t-1")

    worlds = WorldFactory(tmp_path / "w", demo_builder=lambda engine, **_: _build(engine),
                          world_loader=lambda engine, *_: None)
    runner = Runner(worlds, agent_factory=lambda engine, config, data_dir: Cancelling(engine))
    good = make({"state": [
        {"table": "order_lines", "where": {"order_id": "PO-1", "line_no": 2}, "status": "cancelled"},
        {"table": "refunds", "where": {"order_id": "PO-1"}, "amount": 500},
        {"table": "inventory", "where": {"node_id": "DC-CDMX-01"}, "reserved": 2},
        {"table": "orders", "id": "PO-1", "status": "allocated"},
    ]})
    assert asyncio.run(runner.run_case(good, RunConfig())).passed
    bad = asyncio.run(runner.run_case(make({"state": [{"table": "orders", "id": "PO-1"}]}), RunConfig()))
    assert not bad.passed
    assert any(f.expectation == "state" and "refunds" in f.message for f in bad.runs[0].score.failures)


def _build(engine: Engine) -> None:
    with Session(engine) as session:
        build(session)
        session.commit()


def test_loader_accepts_every_union_type_without_a_list_of_its_own(monkeypatch):
    for kind in ("customer_profile", "availability", "cancel_proposal", "return_started", "case_opened"):
        assert make({"decisions": [{"type": kind}]}).expect.decisions[0]["type"] == kind
    with pytest.raises(CaseError):
        make({"decisions": [{"type": "made_up"}]})

    # a new member of the union is accepted by the loader with no edit to the loader
    import agent.decisions as dec

    class NewDecision(dec._Decision):
        type: Literal["brand_new"] = "brand_new"

    union = dec.Decision.__origin__ | NewDecision  # type: ignore[attr-defined]
    from typing import Annotated

    monkeypatch.setattr(dec, "Decision", Annotated[union, Field(discriminator="type")])
    assert "brand_new" in dec.decision_types()
    assert make({"decisions": [{"type": "brand_new"}]}).expect.decisions
