"""The committed suite itself: it loads, its world files exist, and it covers what CI gates on."""

from collections import Counter
from pathlib import Path

import typer
from typer.testing import CliRunner

from evals.cases import DECISION_TYPES, load_cases
from evals.cli import DEFAULT_CASES, register


def test_committed_cases_load_and_cover_the_areas():
    cases = load_cases([DEFAULT_CASES])
    assert len(cases) >= 200
    tags = Counter(t for c in cases for t in c.tags)
    assert tags["es"] >= len(cases) / 4
    assert tags["security"] >= 40
    for area in ("wismo", "anonymous", "reroute", "pickup", "ops", "support", "policy", "multi-turn", "handoff"):
        assert tags[area] > 0, area
    expected_types = {d["type"] for c in cases for d in c.expect.decisions}
    # every decision type is scored somewhere: the self-service types by evals/cases-self-service
    # until it joins the default suite (tests/evals/test_self_service_cases.py checks the union)
    assert expected_types <= DECISION_TYPES
    assert len(expected_types) >= 9
    for case in cases:
        ref = case.world_ref()
        if isinstance(ref, Path):
            assert ref.is_file(), f"{case.id}: world file {ref} is missing"


def test_suite_retrieval_is_delegated_to_the_knowledge_command(monkeypatch, tmp_path: Path):
    import knowledge.cli

    seen = {}
    monkeypatch.setattr(knowledge.cli, "eval_command", lambda **kw: seen.update(kw))
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["eval", "--suite", "retrieval", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert seen == {"suite": knowledge.cli.Suite.retrieval, "json_path": out}
    bad = CliRunner().invoke(app, ["eval", "--suite", "nope"])
    assert bad.exit_code == 2
