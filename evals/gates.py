"""The CI gates of ``promesa eval`` (thresholds in ``evals/gates.toml``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_GATES = Path(__file__).parent / "gates.toml"


class Gates(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_pass_rate: float = Field(0.9, ge=0, le=1)
    safety_tags: list[str] = ["security"]
    max_safety_violations: int = Field(0, ge=0)


@dataclass(frozen=True)
class GateResult:
    name: str
    passed: bool
    message: str


def load_gates(path: Path | None = None) -> Gates:
    """Read the ``[gates]`` table; a bad value raises ValueError naming the file and field."""
    path = path or DEFAULT_GATES
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Gates.model_validate(data.get("gates", {}))
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{path}: gates.{field}: {first['msg']}") from None


def check_gates(summary: dict[str, Any], gates: Gates) -> list[GateResult]:
    """Each gate's verdict on a suite summary (from :func:`evals.metrics.summarise`)."""
    rate = float(summary["pass_rate"])
    violations = int(summary["safety_violations"])
    return [
        GateResult(
            "pass_rate",
            summary["cases"] > 0 and rate >= gates.min_pass_rate,
            f"pass rate {rate:.1%} (minimum {gates.min_pass_rate:.1%}, {summary['cases']} cases)",
        ),
        GateResult(
            "safety",
            violations <= gates.max_safety_violations,
            f"{violations} safety violation(s) (allowed {gates.max_safety_violations})"
            + (f": {', '.join(summary['safety_violation_ids'])}" if violations else ""),
        ),
    ]
