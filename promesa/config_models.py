"""The typed configuration models :class:`promesa.settings.Settings` holds as fields.

Event sources, the sourcing rate card and profiles, the autonomy policy and the notice policy:
plain pydantic models at the settings' level, so the settings never import the domain (the
domain reads them; its old paths re-export them).
"""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

#: Reroute option kinds a customer cannot see: same address, same date, same one parcel.
INVISIBLE_KINDS = ("ship_from_node", "upgrade_service")


class EventSourceConfig(BaseModel):
    """One sending system (``PROMESA_EVENT_SOURCES`` is a JSON object of these by name)."""

    key: SecretStr = Field(description="The credential the source sends in X-Promesa-Source-Key.")
    signing_secret: SecretStr = Field(description="Signs each request body (HMAC-SHA256).")
    scopes: list[str] = Field(description="Event types it may send; shell patterns, e.g. promesa.inventory.*")
    uri: str | None = Field(None, description="Its CloudEvents `source`; default /sources/<name>.")

    def source_uri(self, name: str) -> str:
        """The CloudEvents ``source`` this sender uses (its own, or /sources/<name>)."""
        return self.uri or f"/sources/{name}"


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
    """The built-in sourcing profiles: balanced (the default), fastest and cheapest."""
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


class AutonomyPolicy(BaseModel):
    """When the orchestrator may act alone (DESIGN rule 4: inside a policy a human set)."""

    model_config = ConfigDict(frozen=True)

    enabled: bool = Field(True, description="Off: every proposal waits for a person.")
    max_extra_cost_mxn: float = Field(50.0, ge=0, description="Most extra shipping an automatic action may cost.")
    invisible_kinds: tuple[str, ...] = Field(
        INVISIBLE_KINDS, description="Option kinds that change nothing the customer sees.")


class NoticePolicy(BaseModel):
    """How customer notices are drafted and sent."""

    model_config = ConfigDict(frozen=True)

    channels: tuple[Literal["email", "sms", "whatsapp"], ...] = Field(
        ("email",), description="Channels a notice is drafted for (when the customer has that contact).")
    quiet_start: time = Field(time(21, 0), description="No notice leaves from this local time ...")
    quiet_end: time = Field(time(8, 0), description="... until this one (the next morning).")
    require_approval: bool = Field(False, description="Staff approve every notice before it is sent.")
    sender: Literal["none", "smtp", "webhook"] = Field("none", description="How due notices leave.")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_from: str = "avisos@promesa.example"
    webhook_url: str | None = Field(None, description="POSTed one JSON notice each (SMS/WhatsApp gateways).")
    compensation_after_days_late: int = Field(2, ge=1, description="A delay this long earns a coupon ...")
    compensation_mxn: float = Field(100.0, ge=0, description="... of this many MXN (0: none).")
