"""WRITE tool calls around the human approval (DESIGN rule 4): the request a person is asked
to answer, and the record of the action once it ran.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage

from agent.approvals import approver_roles, idempotency_key
from agent.completion import text
from agent.context import AgentContext
from agent.decisions import PROPOSAL_TYPES
from agent.state import AgentState, owner_of
from promesa.domain import outcomes
from promesa.domain.deps import Deps
from promesa.domain.fulfillment.execution import record_rejection as audit_rejection
from promesa.store.db import begin_write
from tools.registry import ToolEnv, ToolSpec


def pending_approval(
    state: AgentState,
    ctx: AgentContext,
    spec: ToolSpec,
    args: dict[str, Any],
    call_id: str,
    index: int,
    ai: AIMessage,
    decisions: list[dict[str, Any]],
    request: dict[str, Any],
    action: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The approval request for one WRITE call: who asked, what changes, why, who may answer.

    ``request`` is the domain's authorized description of the change (``WriteRequest``); a
    call the requester may not make never gets here. ``action`` is its key and the order's state
    version (promesa.domain.outcomes): the key is also the write's idempotency key, so the
    same action approved from two threads, or again after a crash, executes once.
    """
    order_id = args.get("order_id")
    reason = next(
        (
            d.get("reason") or ""
            for d in reversed(decisions)
            if d.get("type") in PROPOSAL_TYPES and d.get("order_id") == order_id
        ),
        "",
    ) or text(ai) or request.get("summary", "")
    owner = owner_of(state) or ctx.principal
    return {
        "thread_id": ctx.thread_id,
        "tool_call_id": call_id,
        "tool": str(spec.name),  # a plain string: the checkpoint stores it
        "args": dict(args),
        "reason": reason,
        "requested_by": owner.label(),
        "changes": list(request.get("changes", [])),
        "summary": request.get("summary", ""),
        "approver_roles": approver_roles(spec),
        "idempotency_key": (action or {}).get("key") or idempotency_key(ctx.thread_id, index, call_id, spec.name),
        "action_key": (action or {}).get("key"),
        "state_version": (action or {}).get("state_version"),
        "requested_at": ctx.now.isoformat(),
    }


def executed_record(pending: dict[str, Any], result: Any, approved_by: str) -> dict[str, Any]:
    """The executed-action record: the service's result plus the approval that allowed it."""
    base = dict(result) if isinstance(result, dict) else {"result": result}
    args = pending["args"]
    base.setdefault("order_id", args.get("order_id"))
    base.setdefault("option_id", args.get("option_id"))
    base.setdefault("idempotency_key", pending["idempotency_key"])
    base.setdefault("approved_by", approved_by)
    base["action"] = pending["tool"]
    return base


def record_rejection(env: ToolEnv, *, tool: str, order_id: str | None, note: str | None,
                     action_key: str | None = None) -> dict[str, Any] | None:
    """Audit a declined write in its own transaction; the executed outcome instead, if it ran.

    The order's row is locked first, so a rejection and an execution of the same action from
    two threads serialise: whichever is second sees the other. Every write tool is named after
    the action it audits (execute_reroute, convert_to_pickup, cancel_order, change_address,
    start_return, open_claim, file_complaint), so the rejection is ``<tool>_rejected``.
    """
    with env.sessions() as session, session.begin():
        begin_write(session)
        outcomes.lock_order(session, order_id)
        done = outcomes.find(session, action_key) if action_key else None
        if done is not None:
            return dict(done.result)
        if not order_id:
            return None
        deps = Deps(session=session, principal=env.principal, now=env.now, settings=env.settings)
        audit_rejection(deps, action=tool, order_id=order_id,
                        rejected_by=env.approved_by or env.principal.label(), note=note)
    return None
