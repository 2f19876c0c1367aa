"""The Promesa graph: guard -> model <-> tools -> respond, with approval -> execute for writes.

```
START -> guard -(refused)-> respond -> END
           |
           v
         model -(tool calls)-> tools -(writes queued)-> approval -> execute -> model ...
           |                      \\-(reads only)-> model
           \\-(answer / failure)-> respond
```

The model only chooses tools and words (DESIGN rule 1); tools run with the Principal from the
runtime context (rule 3); writes pause in ``approval`` with ``interrupt()`` and run in
``execute`` with an idempotency key (rule 4); decisions come from tool results (rule 2).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    message_chunk_to_message,
)
from langchain_core.tools import BaseTool
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Checkpointer, interrupt

from agent import decisions as dec
from agent.approvals import Approval, approver_roles, idempotency_key, may_approve
from agent.context import AgentContext
from agent.guard import screen
from agent.prompts import message, system_prompt
from agent.state import AgentState
from promesa.principal import Principal
from tools import errors
from tools.fulfillment import record_rejection
from tools.handoff import queue_handoff
from tools.registry import Access, ToolEnv, ToolSpec, all_tools, tools_for

log = logging.getLogger(__name__)

#: Model calls allowed in one turn before the turn is handed to a person.
MAX_ROUNDS = 8

Registry = Callable[[Principal], list[ToolSpec]]


@lru_cache(maxsize=64)
def _lc_tool(spec: ToolSpec) -> BaseTool:
    return spec.as_langchain_tool()


def _env(ctx: AgentContext, **extra: Any) -> ToolEnv:
    return ToolEnv(
        principal=ctx.principal,
        now=ctx.now,
        settings=ctx.settings,
        sessions=ctx.sessions,
        thread_id=ctx.thread_id,
        retriever=ctx.retriever,
        **extra,
    )


def _text(message: BaseMessage) -> str:
    return message.text if isinstance(message.text, str) else str(message.content)


def _tool_record(name: str, args: dict[str, Any], envelope: dict[str, Any]) -> dict[str, Any]:
    error = envelope.get("error") or {}
    return {"name": name, "args": args, "ok": bool(envelope.get("ok")), "error_code": error.get("code")}


def build_graph(
    model: BaseChatModel,
    *,
    checkpointer: Checkpointer = None,
    registry: Registry = tools_for,
) -> Any:
    """Compile the agent graph.

    Args:
        model: A chat model with ``bind_tools`` (the offline model or ChatOpenAI).
        checkpointer: Where threads are kept; required for approvals (interrupts).
        registry: The tools a principal gets (tests may pass a smaller set).
    """

    async def handoff_failure(state: AgentState, ctx: AgentContext, key: str, reason: str) -> dict[str, Any]:
        """End the turn gracefully: queue a handoff for a person and say so."""
        language = state.get("language") or "en"
        handoff_id = None
        try:
            envelope = await asyncio.to_thread(
                _queue, ctx, reason, f"Automatic handoff: {reason}."
            )
            handoff_id = envelope.handoff_id
        except Exception:  # noqa: BLE001 - the answer must still reach the user
            log.exception("could not queue a handoff for thread %s", ctx.thread_id)
        decision = dec.dump(dec.HandoffDecision(reason=reason, handoff_id=handoff_id))
        return {
            "messages": [AIMessage(content=message(key, language))],
            "decisions": [*state.get("decisions", []), decision],
            "failed": True,
        }

    async def guard(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
        ctx = runtime.context
        last = state["messages"][-1]
        text = _text(last)
        screening = screen(
            text, max_chars=ctx.settings.max_message_chars, previous_language=state.get("language")
        )
        decisions = list(state.get("decisions", []))
        update: dict[str, Any] = {
            "language": screening.language,
            "guard": None,
            "rounds": 0,
            "failed": False,
            "queued_writes": [],
            "pending": None,
            "approval": None,
            "turn_start": len(decisions),
        }
        if not state.get("owner"):
            update["owner"] = ctx.principal.model_dump(mode="json")
        if screening.refusal:
            refusal = dec.RefusalDecision(
                code=screening.refusal, message=message(screening.refusal, screening.language)
            )
            update["guard"] = {"code": refusal.code, "message": refusal.message}
            update["decisions"] = [*decisions, dec.dump(refusal)]
            if screening.refusal == "too_long":
                # Keep the checkpoint small: the oversized text is replaced, not stored.
                limit = ctx.settings.max_message_chars
                update["messages"] = [HumanMessage(content=text[:limit] + " [truncated]", id=last.id)]
        return update

    async def call_model(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
        ctx = runtime.context
        rounds = state.get("rounds", 0) + 1
        if rounds > MAX_ROUNDS:
            return await handoff_failure(state, ctx, "too_many_steps", "too_many_steps")
        specs = registry(ctx.principal)
        bound = model.bind_tools([_lc_tool(s) for s in specs])
        prompt = system_prompt(
            ctx.principal, language=state.get("language") or "en", now=ctx.now, tz=ctx.settings.timezone
        )
        try:
            response, raw_ok = await _complete(bound, [SystemMessage(content=prompt), *state["messages"]])
        except Exception as exc:  # noqa: BLE001 - 429/5xx/timeouts after retries end in a handoff
            log.warning("model call failed on thread %s: %r", ctx.thread_id, exc)
            return await handoff_failure(state, ctx, "model_unavailable", "model_unavailable")
        allowed = {s.name for s in specs}
        unknown = [c["name"] for c in response.tool_calls if c["name"] not in allowed]
        if not raw_ok or response.invalid_tool_calls or unknown:
            log.warning("malformed tool call on thread %s: invalid=%s unknown=%s",
                        ctx.thread_id, response.invalid_tool_calls, unknown)
            return await handoff_failure(state, ctx, "model_unavailable", "malformed_tool_call")
        return {"messages": [response], "rounds": rounds}

    async def run_tools(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
        ctx = runtime.context
        ai = state["messages"][-1]
        assert isinstance(ai, AIMessage)
        index = len(state["messages"]) - 1
        specs = {s.name: s for s in registry(ctx.principal)}
        decisions = list(state.get("decisions", []))
        records = list(state.get("tool_calls", []))
        messages: list[ToolMessage] = []
        queued: list[dict[str, Any]] = []
        for call in ai.tool_calls:
            spec = specs[call["name"]]
            call_id = call["id"] or f"call-{index}-{len(records)}"
            if spec.access is Access.write:
                problem = _validate(spec, call["args"])
                if problem is None:
                    queued.append(_pending(state, ctx, spec, call["args"], call_id, index, ai, decisions))
                    continue
                envelope = problem
            else:
                envelope = await spec.aexecute(call["args"], _env(ctx, tool_call_id=call_id))
            messages.append(_tool_message(spec.name, call_id, envelope))
            decisions.extend(dec.from_tool_result(spec.name, envelope))
            records.append(_tool_record(spec.name, call["args"], envelope))
        return {
            "messages": messages,
            "decisions": decisions,
            "tool_calls": records,
            "queued_writes": queued,
            "pending": queued[0] if queued else None,
        }

    async def approval(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
        # Everything before interrupt() re-runs on resume, so nothing here has side effects.
        pending = state["queued_writes"][0]
        answer = Approval.model_validate(interrupt(pending))
        return {"approval": answer.model_dump()}

    async def execute(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
        ctx = runtime.context
        pending, rest = state["queued_writes"][0], state["queued_writes"][1:]
        answer = Approval.model_validate(state.get("approval") or {"approve": False})
        owner = Principal.model_validate(state.get("owner") or ctx.principal.model_dump())
        spec = all_tools()[pending["tool"]]
        approved_by = answer.by or ctx.principal.label()
        if answer.approve and may_approve(ctx.principal, pending, owner):
            env = _env(
                ctx,
                tool_call_id=pending["tool_call_id"],
                idempotency_key=pending["idempotency_key"],
                approved_by=approved_by,
                approval_note=answer.reason,
            )
            envelope = await spec.aexecute(pending["args"], env)
            if envelope.get("ok"):
                envelope["result"] = _executed(pending, envelope.get("result"), approved_by)
        else:
            why = answer.reason or ("not permitted to approve" if answer.approve else "no reason given")
            envelope = errors.error("rejected", f"{approved_by} did not approve {spec.name}: {why}")
            if not answer.approve and pending["args"].get("order_id"):
                # a decision by a person: the audit trail keeps who declined, and why
                await asyncio.to_thread(
                    record_rejection, _env(ctx, approved_by=approved_by), tool=spec.name,
                    order_id=pending["args"]["order_id"], note=answer.reason,
                )
        return {
            "messages": [_tool_message(spec.name, pending["tool_call_id"], envelope)],
            "decisions": [*state.get("decisions", []), *dec.from_tool_result(spec.name, envelope)],
            "tool_calls": [*state.get("tool_calls", []), _tool_record(spec.name, pending["args"], envelope)],
            "queued_writes": rest,
            "pending": rest[0] if rest else None,
            "approval": None,
        }

    async def respond(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
        update: dict[str, Any] = {}
        decisions = list(state.get("decisions", []))
        guard_refusal = state.get("guard")
        if guard_refusal:
            update["messages"] = [AIMessage(content=guard_refusal["message"])]
            return update
        last = state["messages"][-1]
        if len(decisions) <= state.get("turn_start", 0) and isinstance(last, AIMessage):
            update["decisions"] = [*decisions, dec.dump(_untooled_decision(last))]
        return update

    def after_guard(state: AgentState) -> Literal["model", "respond"]:
        return "respond" if state.get("guard") else "model"

    def after_model(state: AgentState) -> Literal["tools", "respond"]:
        last = state["messages"][-1]
        if state.get("failed") or not (isinstance(last, AIMessage) and last.tool_calls):
            return "respond"
        return "tools"

    def after_tools(state: AgentState) -> Literal["approval", "model"]:
        return "approval" if state.get("queued_writes") else "model"

    builder = StateGraph(AgentState, context_schema=AgentContext)
    builder.add_node("guard", guard)
    builder.add_node("model", call_model)
    builder.add_node("tools", run_tools)
    builder.add_node("approval", approval)
    builder.add_node("execute", execute)
    builder.add_node("respond", respond)
    builder.add_edge(START, "guard")
    builder.add_conditional_edges("guard", after_guard)
    builder.add_conditional_edges("model", after_model)
    builder.add_conditional_edges("tools", after_tools)
    builder.add_edge("approval", "execute")
    builder.add_conditional_edges("execute", after_tools)
    builder.add_edge("respond", END)
    return builder.compile(checkpointer=checkpointer, name="promesa")


async def _complete(model: Any, messages: list[BaseMessage]) -> tuple[AIMessage, bool]:
    """Stream one completion (tokens reach ``stream_mode="messages"``) and merge it.

    Returns the message and whether every tool call's raw arguments were valid JSON: merging
    streamed chunks repairs truncated JSON leniently, and a call the model got wrong must not
    run with guessed arguments.
    """
    merged: BaseMessage | None = None
    async for chunk in model.astream(messages):
        merged = chunk if merged is None else merged + chunk  # type: ignore[operator]
    if merged is None:
        raise ValueError("the model returned nothing")
    raw_ok = True
    if isinstance(merged, AIMessageChunk):
        for piece in merged.tool_call_chunks:
            try:
                json.loads(piece.get("args") or "{}")
            except ValueError:
                raw_ok = False
        merged = message_chunk_to_message(merged)
    if not isinstance(merged, AIMessage):
        merged = AIMessage(content=_text(merged))
    return merged, raw_ok


def _queue(ctx: AgentContext, reason: str, summary: str) -> Any:
    from promesa.domain.deps import Deps

    with ctx.sessions() as session, session.begin():
        deps = Deps(session=session, principal=ctx.principal, now=ctx.now, settings=ctx.settings)
        return queue_handoff(deps, thread_id=ctx.thread_id, reason=reason, summary=summary)


def _validate(spec: ToolSpec, args: dict[str, Any]) -> dict[str, Any] | None:
    try:
        spec.args.model_validate(args or {})
    except Exception as exc:  # noqa: BLE001 - becomes the tool's error message
        return errors.from_exception(exc)
    return None


def _untooled_decision(message: AIMessage) -> dec.ClarificationDecision | dec.RefusalDecision:
    """The decision of a turn the model answered with no tool at all.

    Such an answer carries no facts, so it is either a refusal the model declared (the offline
    model marks ``response_metadata["promesa"]["kind"]``) or a request for what is missing.
    """
    meta = message.response_metadata.get("promesa") or {}
    if meta.get("kind") in ("refusal", "out_of_scope"):
        return dec.RefusalDecision(code=meta["kind"], message=_text(message))
    missing = message.additional_kwargs.get("missing") or ([meta["pending"]] if meta.get("pending") else [])
    return dec.ClarificationDecision(missing=list(missing), question=_text(message))


def _tool_message(name: str, call_id: str, envelope: dict[str, Any]) -> ToolMessage:
    return ToolMessage(
        content=errors.encode(envelope),
        tool_call_id=call_id,
        name=name,
        status="success" if envelope.get("ok") else "error",
    )


def _pending(
    state: AgentState,
    ctx: AgentContext,
    spec: ToolSpec,
    args: dict[str, Any],
    call_id: str,
    index: int,
    ai: AIMessage,
    decisions: list[dict[str, Any]],
) -> dict[str, Any]:
    """The approval request for one WRITE call: what, why (the matching proposal), who may answer."""
    order_id = args.get("order_id")
    reason = next(
        (
            d.get("reason") or ""
            for d in reversed(decisions)
            if d.get("type") == "reroute_proposal" and d.get("order_id") == order_id
        ),
        "",
    ) or _text(ai)
    owner = state.get("owner") or ctx.principal.model_dump(mode="json")
    return {
        "thread_id": ctx.thread_id,
        "tool_call_id": call_id,
        "tool": spec.name,
        "args": dict(args),
        "reason": reason,
        "requested_by": Principal.model_validate(owner).label(),
        "approver_roles": approver_roles(spec),
        "idempotency_key": idempotency_key(ctx.thread_id, index, call_id, spec.name),
        "requested_at": ctx.now.isoformat(),
    }


def _executed(pending: dict[str, Any], result: Any, approved_by: str) -> dict[str, Any]:
    """The executed-action record: the service's result plus the approval that allowed it."""
    base = dict(result) if isinstance(result, dict) else {"result": result}
    args = pending["args"]
    base.setdefault("order_id", args.get("order_id"))
    base.setdefault("option_id", args.get("option_id"))
    base.setdefault("idempotency_key", pending["idempotency_key"])
    base.setdefault("approved_by", approved_by)
    base["action"] = pending["tool"]
    return base


def make_graph() -> Any:
    """Module-level factory for LangGraph tooling (``langgraph.json``): the configured model,
    no checkpointer (the LangGraph server brings its own). Runs need an ``AgentContext``."""
    from agent.models import make_chat_model
    from promesa.settings import get_settings

    return build_graph(make_chat_model(get_settings()))
