"""Human approval of WRITE tool calls: what is asked, who may answer, and the idempotency key."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from promesa.domain.fulfillment.rights import Change
from promesa.principal import Principal, Role
from tools.registry import ToolSpec


class Approval(BaseModel):
    """A human's answer to a pending approval (the ``Command(resume=...)`` value)."""

    model_config = ConfigDict(frozen=True)

    approve: bool
    reason: str = Field("", max_length=500)
    by: str | None = Field(None, description="Filled by the service from the approver's principal.")


class PendingApproval(BaseModel):
    """A WRITE tool call waiting for a human: what is proposed, why, and who may approve it."""

    model_config = ConfigDict(frozen=True)

    thread_id: str
    tool_call_id: str
    tool: str
    args: dict[str, Any]
    reason: str = Field("", description="Why it is proposed (the proposal's reason or the model's words).")
    requested_by: str = Field(description="Principal label of the thread owner, who asked.")
    changes: list[Change | str] = Field(
        default_factory=list, description="What exactly changes if approved (computed by the domain); a "
        "plain string in approvals asked before changes were typed records.",
    )
    summary: str = Field("", description="One sentence: who asks for what on which order.")
    approver_roles: list[str]
    idempotency_key: str
    action_key: str | None = Field(
        None, description="The action (promesa.domain.outcomes): its outcome is looked up by this key."
    )
    state_version: str | None = Field(None, description="The order's state when the approval was asked.")
    requested_at: datetime


def idempotency_key(thread_id: str, message_index: int, tool_call_id: str, tool: str) -> str:
    """A key stable across retries and restarts: the thread, the model message, the call.

    The message index is part of it because a deterministic model may reuse call ids on later
    turns; the same call on the same message is the same action, a later one is a new action.
    """
    raw = f"{thread_id}:{message_index}:{tool_call_id}"
    digest = hashlib.sha256(raw.encode()).hexdigest()[:40]
    return f"{tool}:{digest}"


def may_approve(principal: Principal, pending: PendingApproval | dict[str, Any], owner: Principal) -> bool:
    """Whether ``principal`` may answer this approval.

    Staff in the tool's approver roles may answer for any thread; a customer only for a tool
    customers approve, on their own thread; anonymous visitors never.
    """
    data = pending if isinstance(pending, PendingApproval) else PendingApproval.model_validate(pending)
    roles = set(data.approver_roles)
    if principal.role.value not in roles:
        return False
    if principal.role is Role.customer:
        return owner.role is Role.customer and owner.subject == principal.subject
    return principal.role in (Role.support, Role.ops, Role.system)


def approver_roles(spec: ToolSpec) -> list[str]:
    """The roles that may answer a WRITE's approval, as sorted role names."""
    return sorted(role.value for role in spec.approvers)
