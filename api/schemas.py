"""Request and response bodies, grouped by family. Domain records are returned as they are."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.approvals import PendingApproval
from agent.decisions import Decision
from promesa.principal import Principal, Role
from promesa.text import strip_controls


class Body(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error naming it.

    Every string field loses NUL and other control characters before validation, so none
    reaches PostgreSQL (which refuses NUL) nor a checkpoint (issue #16).
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return strip_controls(value) if isinstance(value, str) else value


# --- errors ---------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `not_found`.")
    message: str
    field: str | None = Field(None, description="The request field that was wrong, if any.")


class ErrorResponse(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Missing, invalid or expired token"},
    403: {"model": ErrorResponse, "description": "The role or subject may not do this"},
    422: {"model": ErrorResponse, "description": "Invalid input; `field` names it"},
}


def errors(*, not_found: str | None = None, conflict: str | None = None) -> dict[int | str, dict[str, Any]]:
    """:data:`ERRORS` plus the 404 and 409 a route really answers, each saying when (the
    contract suite, ``.ci/suites/contract.sh``, fails on a status a route does not document)."""
    docs = dict(ERRORS)
    if not_found:
        docs[404] = {"model": ErrorResponse, "description": not_found}
    if conflict:
        docs[409] = {"model": ErrorResponse, "description": conflict}
    return docs


# --- auth -----------------------------------------------------------------------------------


class VerifyOrderRequest(Body):
    """An anonymous visitor proves they placed an order: its id plus at least one detail of it
    (every detail given must match)."""

    order_id: str = Field(min_length=1, max_length=32, examples=["PO-5000"])
    email: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    postal_code: str | None = Field(None, max_length=12)


class DemoTokenRequest(Body):
    role: Role
    subject: str | None = Field(None, max_length=64, examples=["C-1001"])
    order_scope: str | None = Field(None, max_length=32)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")
    principal: Principal


# --- chat and approvals -------------------------------------------------------------------


class ChatRequest(Body):
    thread_id: str | None = Field(
        None, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$", description="Omit to start a thread."
    )
    message: str = Field(min_length=1, description="What the user said.")


class ApprovalRequest(Body):
    approve: bool
    reason: str | None = Field(None, max_length=500)


class TurnResponse(BaseModel):
    """One turn: the model's words plus the typed decisions computed by code."""

    thread_id: str
    text: str
    decisions: list[Decision] = []
    pending_approval: PendingApproval | None = Field(
        None, description="Set when a write waits for approval (POST /v1/approvals/{thread_id})."
    )
    language: str | None = None


class ThreadHistory(BaseModel):
    thread_id: str
    messages: list[dict[str, Any]]


# --- ops ------------------------------------------------------------------------------------


class Health(BaseModel):
    status: str
    database: str
    version: str
