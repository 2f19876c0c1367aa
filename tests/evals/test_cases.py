from pathlib import Path

import pytest

from evals.cases import CaseError, VerifyTurn, load_cases

GOOD = """
id: wismo-01
tags: [wismo, en]
persona: customer
principal: {subject: C-1001}
now: "2026-11-20T10:00:00-06:00"
turns:
  - user: "Where is my order PO-5001?"
  - approve: false
    reason: not now
expect:
  decisions:
    - {type: order_status, order_id: PO-5001, eta: 2026-11-23}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> CaseError:
    file = write(tmp_path / "bad.yaml", text)
    with pytest.raises(CaseError) as info:
        load_cases([tmp_path])
    assert str(file.resolve()) in str(info.value) or str(file) in str(info.value)
    return info.value


def test_loads_single_and_list_files_recursively_skipping_worlds(tmp_path: Path):
    write(tmp_path / "a" / "one.yaml", GOOD)
    listed = GOOD.replace("id: wismo-01", "id: wismo-02").replace("\n", "\n  ").replace("  id:", "- id:", 1)
    write(tmp_path / "b" / "many.yml", listed)
    write(tmp_path / "a" / "worlds" / "tiny.yaml", "customers: []\n")
    write(tmp_path / "x.world.yaml", "customers: []\n")
    cases = load_cases([tmp_path])
    assert sorted(c.id for c in cases) == ["wismo-01", "wismo-02"]
    assert cases[0].expect.decisions[0]["eta"].isoformat() == "2026-11-23"
    assert cases[0].turns[1].approve is False


def test_tag_filter(tmp_path: Path):
    write(tmp_path / "one.yaml", GOOD)
    assert load_cases([tmp_path], tags=["en"]) and not load_cases([tmp_path], tags=["security"])


def test_world_path_is_relative_to_the_case_file(tmp_path: Path):
    write(tmp_path / "sub" / "one.yaml", GOOD + "world: worlds/tiny.yaml\n")
    (case,) = load_cases([tmp_path])
    assert case.world_ref() == (tmp_path / "sub" / "worlds" / "tiny.yaml").resolve()


def test_unknown_decision_type_names_file_id_and_field(tmp_path: Path):
    err = error_for(tmp_path, GOOD.replace("type: order_status", "type: order_statuz"))
    assert err.case_id == "wismo-01" and err.field == "expect.decisions"
    assert "order_statuz" in str(err) and "wismo-01" in str(err)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("persona: customer", "persona: robot", "persona"),
        ("subject: C-1001", "subjekt: C-1001", "principal.subject"),
        ('now: "2026-11-20T10:00:00-06:00"', 'now: "2026-11-20T10:00:00"', "now"),
        ("  - approve: false", "  - aprove: false", "turns.1"),
        ("tags: [wismo, en]", "tags: [wismo, en]\nextra: 1", "extra"),
        ("expect:", "expect:\n  answer: {language: fr}", "expect.answer.language"),
    ],
)
def test_broken_fields_are_named(tmp_path: Path, old: str, new: str, field: str):
    err = error_for(tmp_path, GOOD.replace(old, new, 1))
    assert err.field == field, str(err)
    assert err.case_id == "wismo-01"


def test_persona_and_principal_must_agree(tmp_path: Path):
    err = error_for(tmp_path, GOOD.replace("persona: customer", "persona: anonymous"))
    assert err.field == "principal"
    err = error_for(tmp_path, GOOD.replace("principal: {subject: C-1001}\n", ""))
    assert err.field == "principal"


def test_verify_turn_needs_exactly_one_fact(tmp_path: Path):
    anon = GOOD.replace("persona: customer", "persona: anonymous").replace(
        "principal: {subject: C-1001}\n", ""
    )
    ok = anon.replace('  - user: "Where', '  - verify: {order_id: PO-5001, email: a@b.mx}\n  - user: "Where')
    write(tmp_path / "ok.yaml", ok)
    (case,) = load_cases([tmp_path])
    assert isinstance(case.turns[0], VerifyTurn)
    (tmp_path / "ok.yaml").unlink()
    bad = anon.replace('  - user: "Where', '  - verify: {order_id: PO-5001}\n  - user: "Where')
    err = error_for(tmp_path, bad)
    assert err.field.startswith("turns.0") and "exactly one" in err.message


def test_invalid_yaml_and_duplicate_ids(tmp_path: Path):
    err = error_for(tmp_path, "id: [unclosed\n")
    assert "not valid YAML" in str(err)
    (tmp_path / "bad.yaml").unlink()
    write(tmp_path / "a.yaml", GOOD)
    write(tmp_path / "b.yaml", GOOD)
    with pytest.raises(CaseError, match="duplicate id"):
        load_cases([tmp_path])


def test_missing_directory(tmp_path: Path):
    with pytest.raises(CaseError, match="no such file"):
        load_cases([tmp_path / "nope"])
