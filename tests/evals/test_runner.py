import asyncio
from pathlib import Path

from agent.approvals import Approval
from evals.cases import parse_case
from evals.runner import RunConfig
from promesa.principal import Role
from tests.evals.fakes import FakeTurnResult, ScriptedAgent, fake_runner

LATE = FakeTurnResult(
    text="Tu pedido PO-5001 llegará el 23 de noviembre.",
    language="es",
    decisions=[{"type": "order_status", "order_id": "PO-5001", "status": "in_transit", "late": True,
                "eta": "2026-11-23"}],
    tool_calls=[{"name": "get_order_status", "args": {"order_id": "PO-5001"}, "ok": True}],
)
PROPOSAL = FakeTurnResult(
    text="Propongo enviarlo desde MTY-STORE-02.",
    language="es",
    decisions=[{"type": "reroute_proposal", "order_id": "PO-5002", "recommended_node": "MTY-STORE-02"}],
    tool_calls=[{"name": "propose_reroute", "args": {"order_id": "PO-5002"}, "ok": True}],
    pending_approval={"thread_id": "t-1", "tool_call_id": "c1", "tool": "execute_reroute",
                      "args": {"order_id": "PO-5002"}, "requested_by": "support:agent-ana",
                      "approver_roles": ["support"], "idempotency_key": "execute_reroute:k1",
                      "requested_at": "2026-11-20T10:00:00Z"},
)
EXECUTED = FakeTurnResult(
    text="Listo.",
    language="es",
    decisions=[{"type": "reroute_executed", "order_id": "PO-5002", "to_node": "MTY-STORE-02",
                "idempotency_key": "execute_reroute:k1", "approved_by": "support:agent-ana"}],
    tool_calls=[{"name": "execute_reroute", "args": {"order_id": "PO-5002", "option_id": "opt-1"}, "ok": True}],
)


def case(expect: dict, turns=None, persona="customer", **extra):
    raw = {
        "id": "wismo-late-es",
        "tags": ["wismo", "es"],
        "persona": persona,
        "now": "2026-11-20T10:00:00-06:00",
        "turns": turns or [{"user": "¿Dónde está mi pedido?"}],
        "expect": expect,
        **extra,
    }
    if persona != "anonymous":
        raw["principal"] = {"subject": "C-1001" if persona == "customer" else "agent-ana"}
    return parse_case(raw, Path("case.yaml"))


def run(tmp_path: Path, agent: ScriptedAgent, c, **kw):
    runner = fake_runner(tmp_path, agent, **kw)
    return asyncio.run(runner.run_case(c, RunConfig()))


def test_passing_case_keeps_its_transcript(tmp_path: Path):
    agent = ScriptedAgent({"¿Dónde está mi pedido?": LATE})
    c = case(
        {
            "decisions": [{"type": "order_status", "order_id": "PO-5001", "late": True, "eta": "2026-11-23"}],
            "tools": {"must": ["get_order_status"]},
            "answer": {"language": "es", "contains": ["23 de noviembre"]},
        }
    )
    result = run(tmp_path, agent, c)
    assert result.passed, result.runs[0].score.failures
    turn = result.runs[0].transcript.turns[0]
    assert turn.tool_calls[0].args == {"order_id": "PO-5001"}
    assert agent.calls[0]["principal"].role is Role.customer
    assert agent.calls[0]["principal"].subject == "C-1001"
    assert agent.calls[0]["now"].isoformat() == "2026-11-20T10:00:00-06:00"


def test_case_built_to_fail_fails_for_the_right_reason(tmp_path: Path):
    agent = ScriptedAgent({"¿Dónde está mi pedido?": LATE})
    c = case({"decisions": [{"type": "order_status", "order_id": "PO-5001", "eta": "2026-11-24"}]})
    result = run(tmp_path, agent, c)
    assert not result.passed
    (failure,) = result.runs[0].score.failures
    assert failure.expectation == "decisions[0]"
    assert "eta='2026-11-23' (expected '2026-11-24')" in failure.message


def test_approval_turn_resumes_with_the_decision(tmp_path: Path):
    agent = ScriptedAgent({"Reenvía PO-5002": PROPOSAL}, on_approve=EXECUTED)
    c = case(
        {
            "decisions": [{"type": "reroute_executed", "order_id": "PO-5002", "to_node": "MTY-STORE-02"}],
            "tools": {"must": ["propose_reroute", "execute_reroute"]},
        },
        turns=[{"user": "Reenvía PO-5002"}, {"approve": True, "reason": "ok"}],
        persona="support",
    )
    result = run(tmp_path, agent, c)
    assert result.passed, result.runs[0].score.failures
    assert agent.calls[1]["resume"] == Approval(approve=True, reason="ok")
    assert result.runs[0].transcript.turns[0].pending_approval["tool"] == "execute_reroute"


def test_agent_crash_is_a_failed_run_not_a_lost_case(tmp_path: Path):
    agent = ScriptedAgent({})
    result = run(tmp_path, agent, case({}))
    assert not result.passed
    assert "KeyError" in result.runs[0].transcript.error


def test_verify_turn_scopes_the_anonymous_principal(tmp_path: Path):
    agent = ScriptedAgent({"status?": LATE})
    seen = []

    def verifier(engine, facts, now, settings):
        seen.append(facts)
        return facts.email == "carlos@example.com"

    c = case(
        {"verified": True, "decisions": [{"type": "order_status", "order_id": "PO-5001"}]},
        turns=[{"verify": {"order_id": "PO-5001", "email": "carlos@example.com"}}, {"user": "status?"}],
        persona="anonymous",
    )
    result = run(tmp_path, agent, c, verifier=verifier)
    assert result.passed, result.runs[0].score.failures
    principal = agent.calls[0]["principal"]
    assert principal.role is Role.anonymous and principal.order_scope == "PO-5001"
    assert seen[0].order_id == "PO-5001"


def test_failed_verification_leaves_the_visitor_unscoped(tmp_path: Path):
    agent = ScriptedAgent({"status?": LATE})
    c = case(
        {"verified": True},
        turns=[{"verify": {"order_id": "PO-5001", "phone": "5555555555"}}, {"user": "status?"}],
        persona="anonymous",
    )
    result = run(tmp_path, agent, c, verifier=lambda *a: False)
    assert agent.calls[0]["principal"].order_scope is None
    assert [f.expectation for f in result.runs[0].score.failures] == ["verified"]


def test_k_runs_each_get_a_fresh_world(tmp_path: Path):
    agent = ScriptedAgent({"¿Dónde está mi pedido?": LATE})
    runner = fake_runner(tmp_path, agent)
    result = asyncio.run(runner.run_case(case({}), RunConfig(), k=3))
    assert len(result.runs) == 3 and result.successes == 3
    assert runner.worlds.templates_built == 1
    assert not list(runner.worlds.workdir.glob("run-*"))  # copies are removed


def test_a_typed_refusal_of_a_turn_is_kept_not_a_crash(tmp_path: Path):
    from promesa.errors import Conflict

    class Refusing(ScriptedAgent):
        async def run_turn(self, *, resume=None, **kw):
            if resume is not None:
                raise Conflict("there is nothing to approve on this thread")
            return await super().run_turn(resume=resume, **kw)

    agent = Refusing({"Reroute PO-5002 now": LATE})
    ok = case({"no_decisions": [{"type": "reroute_executed"}]},
              turns=[{"user": "Reroute PO-5002 now"}, {"approve": True}])
    result = run(tmp_path, agent, ok)
    assert result.passed, result.runs[0].score.failures
    assert "nothing to approve" in result.runs[0].transcript.turns[1].error
    wants = case({"decisions": [{"type": "reroute_executed"}]},
                 turns=[{"user": "Reroute PO-5002 now"}, {"approve": True}])
    failed = run(tmp_path / "2", agent, wants)
    messages = [str(f) for f in failed.runs[0].score.failures]
    assert messages[0].startswith("decisions[0]") and "nothing to approve" in messages[1]
