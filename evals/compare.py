"""A/B comparison of two agent configurations on the same cases, with a test per tag.

Cases are paired (same case, both configurations), so the test is McNemar's: only discordant
cases count, and with b = "A passed, B failed" and c = "A failed, B passed" the exact p-value is
the two-sided binomial test of b out of b + c at 1/2 (scipy.stats.binomtest).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from scipy.stats import binomtest

from evals.metrics import CaseResult
from evals.runner import RunConfig
from promesa.settings import Settings


class ConfigFile(BaseModel):
    """A configuration file for ``--compare``: model, prompt and sourcing-profile overrides.

    ``prompt`` sets ``Settings.prompt`` (a variant of agent/prompts.py) and ``sourcing_profile``
    sets ``Settings.default_sourcing_profile``; ``settings`` holds any other Settings overrides.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = "B"
    model: str | None = None
    prompt: str | None = None
    sourcing_profile: str | None = None
    settings: dict[str, Any] = {}


def load_config(path: Path, base: RunConfig) -> RunConfig:
    """Read a TOML/YAML configuration and apply it on top of ``base``.

    Raises:
        ValueError: unreadable file, unknown key, or a Settings field that does not exist
            (the message names the file and the field).
    """
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
        spec = ConfigFile.model_validate(raw or {})
    except (OSError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    overrides = dict(base.settings)
    # the file's names for the two Settings fields an agent variant usually changes
    for key, field in (("prompt", "prompt"), ("sourcing_profile", "default_sourcing_profile")):
        if getattr(spec, key) is not None:
            overrides[field] = getattr(spec, key)
    overrides.update(spec.settings)
    unknown = sorted(set(overrides) - set(Settings.model_fields))
    if unknown:
        raise ValueError(f"{path}: {unknown[0]}: not a Promesa setting")
    return RunConfig(
        name=spec.name,
        model=spec.model or base.model,
        settings=overrides,
        demo_orders=base.demo_orders,
        seed=int(overrides.get("seed", base.seed)),  # the demo world follows the seed too
    )


def mcnemar_exact(a_only: int, b_only: int) -> float:
    """Two-sided exact McNemar p-value from the discordant counts."""
    n = a_only + b_only
    return 1.0 if n == 0 else float(binomtest(a_only, n, 0.5).pvalue)


def compare(
    a: Sequence[CaseResult],
    b: Sequence[CaseResult],
    *,
    a_name: str = "A",
    b_name: str = "B",
    alpha: float = 0.05,
) -> dict[str, Any]:
    """Per-tag (and overall) accuracy of both runs, their difference and its p-value."""
    b_by_id = {r.case.id: r for r in b}
    pairs = [(r, b_by_id[r.case.id]) for r in a if r.case.id in b_by_id]
    groups: dict[str, list[tuple[bool, bool]]] = {"(all)": []}
    for ra, rb in pairs:
        outcome = (ra.passed, rb.passed)
        groups["(all)"].append(outcome)
        for tag in ra.case.tags:
            groups.setdefault(tag, []).append(outcome)
    per_tag = {}
    for tag, outcomes in sorted(groups.items()):
        n = len(outcomes)
        a_only = sum(1 for x, y in outcomes if x and not y)
        b_only = sum(1 for x, y in outcomes if y and not x)
        a_acc = sum(x for x, _ in outcomes) / n if n else 0.0
        b_acc = sum(y for _, y in outcomes) / n if n else 0.0
        p = mcnemar_exact(a_only, b_only)
        per_tag[tag] = {
            "cases": n,
            "a_accuracy": a_acc,
            "b_accuracy": b_acc,
            "difference": b_acc - a_acc,
            "a_only": a_only,
            "b_only": b_only,
            "p_value": p,
            "significant": p < alpha,
        }
    return {"a": a_name, "b": b_name, "test": "mcnemar_exact", "alpha": alpha, "per_tag": per_tag}
