"""Typed knobs of the orchestrator and the notices: the autonomy policy a human sets.

Free of database and settings imports, so :mod:`promesa.settings` can hold them as fields.
"""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: Reroute option kinds a customer cannot see: same address, same date, same one parcel.
INVISIBLE_KINDS = ("ship_from_node", "upgrade_service")


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
