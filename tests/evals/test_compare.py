from pathlib import Path

import pytest

from evals.compare import compare, load_config, mcnemar_exact
from evals.runner import RunConfig
from tests.evals.test_metrics import result


def test_mcnemar_exact_matches_the_binomial_test():
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(0, 6) == pytest.approx(2 * 0.5**6)  # 0.03125
    assert mcnemar_exact(3, 3) == 1.0


def test_compare_pairs_cases_and_tests_each_tag():
    a = [result(f"c{i}", ["wismo"], [False]) for i in range(6)] + [result("s", ["ops"], [True])]
    b = [result(f"c{i}", ["wismo"], [True]) for i in range(6)] + [result("s", ["ops"], [True])]
    out = compare(a, b)
    wismo = out["per_tag"]["wismo"]
    assert (wismo["a_accuracy"], wismo["b_accuracy"], wismo["b_only"]) == (0.0, 1.0, 6)
    assert wismo["significant"] and wismo["p_value"] == pytest.approx(0.03125)
    assert not out["per_tag"]["ops"]["significant"]
    assert out["per_tag"]["(all)"]["cases"] == 7


def test_config_files_toml_and_yaml(tmp_path: Path):
    toml = tmp_path / "b.toml"
    toml.write_text('name = "gpt"\nmodel = "openai:gpt-4o-mini"\n')
    config = load_config(toml, RunConfig(demo_orders=50))
    assert (config.name, config.model, config.demo_orders) == ("gpt", "openai:gpt-4o-mini", 50)
    yml = tmp_path / "b.yaml"
    yml.write_text("settings: {seed: 9}\n")
    config = load_config(yml, RunConfig())
    assert config.settings == {"seed": 9} and config.seed == 9
    yml.write_text("modle: x\n")
    with pytest.raises(ValueError, match="modle"):
        load_config(yml, RunConfig())


def test_config_names_a_prompt_variant_and_a_sourcing_profile(tmp_path: Path):
    toml = tmp_path / "b.toml"
    toml.write_text('name = "brief-fastest"\nprompt = "brief"\nsourcing_profile = "fastest"\n')
    config = load_config(toml, RunConfig())
    assert config.settings == {"prompt": "brief", "default_sourcing_profile": "fastest"}
    settings = config.make_settings(tmp_path)  # the variant is a real, validated setting
    assert (settings.prompt, settings.default_sourcing_profile) == ("brief", "fastest")


def test_prompt_variants_differ_only_in_wording():
    from datetime import datetime

    from agent.prompts import system_prompt
    from promesa.principal import Principal, Role

    args = dict(language="es", now=datetime.fromisoformat("2026-11-20T10:00:00-06:00"), tz="America/Mexico_City")
    who = Principal(role=Role.customer, subject="C-1001")
    default, brief = system_prompt(who, **args), system_prompt(who, **args, variant="brief")
    assert default != brief and "one or two sentences" in brief
    assert default.splitlines()[:3] == brief.splitlines()[:3]  # same header, same rules
