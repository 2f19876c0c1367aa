"""Typed, configurable knobs of sourcing: the shipping rate card and the sourcing profiles.

Kept free of database and settings imports so :mod:`promesa.settings` can hold them as fields.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Criterion = Literal["speed", "cost", "capacity", "shipments", "reliability", "distance"]
CRITERIA: tuple[Criterion, ...] = ("speed", "cost", "capacity", "shipments", "reliability", "distance")


class RateCard(BaseModel):
    """Shipping cost in MXN: a base per distance band plus a per-kg charge, times a service factor."""

    model_config = ConfigDict(frozen=True)

    base_mxn: dict[str, float] = Field(
        default_factory=lambda: {"local": 79.0, "regional": 119.0, "national": 159.0, "remote": 219.0},
        description="Base price per distance band (local, regional, national, remote).",
    )
    per_kg_mxn: dict[str, float] = Field(
        default_factory=lambda: {"local": 6.0, "regional": 9.0, "national": 12.0, "remote": 16.0},
        description="Price per kilogram per distance band.",
    )
    service_factor: dict[str, float] = Field(
        default_factory=lambda: {"standard": 1.0, "express": 1.6, "next_day": 1.9, "same_day": 2.2},
        description="Multiplier per service level.",
    )

    @model_validator(mode="after")
    def _complete(self) -> RateCard:
        bands = {"local", "regional", "national", "remote"}
        for name in ("base_mxn", "per_kg_mxn"):
            missing = bands - set(getattr(self, name))
            if missing:
                raise ValueError(f"rate card {name} lacks bands {sorted(missing)}")
        return self


class SourcingProfile(BaseModel):
    """How reroute options are ranked: weights per criterion (scores in 0..1) and hard filters."""

    model_config = ConfigDict(frozen=True)

    weights: dict[Criterion, float] = Field(description="Weight of each criterion's 0..1 score.")
    require_meets_promise: bool = Field(True, description="Drop options that arrive late.")
    max_cost_delta_mxn: float | None = Field(None, description="Drop options costing more than this extra.")
    max_shipments: int | None = Field(None, description="Drop options with more shipments (None: policy).")
    allow_pickup: bool = Field(True, description="Offer conversion to store pickup.")
    allow_upgrade: bool = Field(True, description="Offer faster carrier service levels.")

    @model_validator(mode="after")
    def _some_weight(self) -> SourcingProfile:
        if not any(w > 0 for w in self.weights.values()) or any(w < 0 for w in self.weights.values()):
            raise ValueError("a sourcing profile needs non-negative weights, at least one positive")
        return self


def default_profiles() -> dict[str, SourcingProfile]:
    """The built-in sourcing profiles by name: their criteria weights and hard filters."""
    return {
        "balanced": SourcingProfile(
            weights={"speed": 0.3, "cost": 0.25, "capacity": 0.15, "shipments": 0.1,
                     "reliability": 0.1, "distance": 0.1},
        ),
        "fastest": SourcingProfile(
            weights={"speed": 0.7, "reliability": 0.2, "capacity": 0.1},
            require_meets_promise=False,
        ),
        "cheapest": SourcingProfile(
            weights={"cost": 0.7, "shipments": 0.2, "distance": 0.1},
            max_cost_delta_mxn=150.0,
            allow_upgrade=False,
        ),
    }
