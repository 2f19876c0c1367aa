"""Handing a conversation to a person: queue it for the support copilot (no approval needed)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from promesa.domain.deps import Deps
from promesa.domain.handoffs import HandoffQueued, queue_handoff
from promesa.principal import Role
from tools.decisions import BaseDecision, HandoffDecision
from tools.registry import ToolEnv, tool


class HandoffArgs(BaseModel):
    reason: str = Field(description="Why a person is needed, in a few words.", min_length=1, max_length=200)
    summary: str = Field(description="What the person should know, one or two sentences.", max_length=2000)


def handoff_decisions(queued: HandoffQueued) -> Sequence[BaseDecision]:
    """A queued handoff is one ``handoff`` decision."""
    return [HandoffDecision(reason=queued.reason, handoff_id=queued.handoff_id)]


@tool(roles=[Role.customer, Role.support, Role.ops, Role.anonymous], returns=HandoffQueued,
      decisions=handoff_decisions)
def request_handoff(deps: Deps, args: HandoffArgs, env: ToolEnv) -> HandoffQueued:
    """Hand the conversation to a person when you cannot help, the user asks for a human, or
    something needs judgement (compensation, complaints, a lost parcel)."""
    return queue_handoff(deps, thread_id=env.thread_id, reason=args.reason, summary=args.summary)
