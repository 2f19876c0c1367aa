"""Who is asking: every service receives a Principal and answers only what it may see."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    customer = "customer"
    support = "support"
    ops = "ops"
    system = "system"
    anonymous = "anonymous"


class Principal(BaseModel):
    """A signed-in person (or the system) and what they may see.

    A customer's ``subject`` is their customer id. An anonymous visitor who verified an order
    carries that order id in ``order_scope`` and may see that order only.
    """

    model_config = ConfigDict(frozen=True)

    role: Role
    subject: str | None = Field(None, description="Customer id, staff id or system name.")
    order_scope: str | None = Field(None, description="The one order an anonymous visitor verified.")

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.support, Role.ops, Role.system)

    def label(self) -> str:
        return f"{self.role.value}:{self.subject or self.order_scope or '-'}"


SYSTEM = Principal(role=Role.system, subject="promesa")
