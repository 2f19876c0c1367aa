"""The nodes of the Promesa graph, one method each: guard, model, tools, approval, execute,
respond. :mod:`agent.graph` wires them together.

The model only chooses tools and words (DESIGN rule 1); tools run with the Principal from the
runtime context (rule 3); writes are queued by ``tools``, pause in ``approval`` with
``interrupt()`` and run in ``execute`` with an idempotency key (rule 4); decisions come from
tool results (rule 2), and a turn answered without tools gets a clarification or a refusal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent import decisions as dec
from agent.approvals import Approval, may_approve
from agent.completion import TRUNCATED, complete, text
from agent.context import AgentContext
from agent.fallback_answer import answer_from, clarification
from agent.grounding import offered_values, ungrounded
from agent.guard import screen
from agent.handoffs import hand_off
from agent.model_errors import FirstTokenTimeout
from agent.prompts import message, system_prompt
from agent.state import AgentState, owner_of
from agent.text_check import Evidence, unsupported
from agent.tool_calls import lc_tool, tool_env, tool_message, tool_record, validate_args
from agent.turn_limits import call_policy, seconds_left, shortened
from agent.write_requests import executed_record, pending_approval, record_rejection
from promesa.model_profiles import ModelRequest
from promesa.principal import Principal
from tools import errors
from tools.catalog import spec as tool_spec
from tools.registry import Access, ToolResult, ToolSpec

log = logging.getLogger(__name__)

#: Model calls allowed in one turn before the turn is handed to a person.
MAX_ROUNDS = 8

Registry = Callable[[Principal], list[ToolSpec]]


@dataclass(frozen=True)
class TurnNodes:
    """The graph's nodes over one chat model and one tool registry.

    Attributes:
        model: A chat model with ``bind_tools`` (the offline model or ChatOpenAI).
        registry: The tools a principal gets.
    """

    model: BaseChatModel
    registry: Registry
    #: the model bound to each tool set: binding converts every tool's schema (~10 ms a call,
    #: the largest cost of the API path after the model itself), and a role's tools never change
    _bound: dict[tuple[Any, ...], Any] = field(default_factory=dict, compare=False, repr=False)

    def _bind(self, specs: list[ToolSpec], binding: dict[str, Any]) -> Any:
        key = (tuple(s.name for s in specs), tuple(sorted((k, repr(v)) for k, v in binding.items())))
        bound = self._bound.get(key)
        if bound is None:
            bound = self._bound[key] = self.model.bind_tools([lc_tool(s) for s in specs], **binding)
        return bound

    async def guard(self, state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
        """Start the turn: detect the language, screen the message, reset per-turn state."""
        ctx = runtime.context
        last = state["messages"][-1]
        said = text(last)
        screening = screen(
            said, max_chars=ctx.settings.max_message_chars, previous_language=state.get("language")
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
                update["messages"] = [HumanMessage(content=said[:limit] + " [truncated]", id=last.id)]
        return update

    async def call_model(self, state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
        """One model call with the principal's tools; failures and bad calls end in a handoff.

        Past the turn's deadline the turn is handed off; a reply cut off (``length`` or the size
        cap) is retried once on a shorter context, then answered from the decisions or handed
        off: cut text is never shown and cut tool arguments never run.
        """
        ctx = runtime.context
        rounds = state.get("rounds", 0) + 1
        if rounds > MAX_ROUNDS:
            return await hand_off(state, ctx, "too_many_steps", "too_many_steps")
        specs = self.registry(ctx.principal)
        request = getattr(self.model, "request", None)
        binding: dict[str, Any] = {}
        if isinstance(request, ModelRequest):  # only the OpenAI wire model has one; importing
            from agent.openai_wire import tool_binding  # it loads openai (~1 s), so not at start

            binding = tool_binding(request)
        bound = self._bind(specs, binding)
        prompt = system_prompt(
            ctx.principal, language=state.get("language") or "en", now=ctx.now,
            tz=ctx.settings.timezone, variant=ctx.settings.prompt,
        )
        history: list[Any] = list(state["messages"])
        policy = call_policy(ctx.settings)
        while True:
            left = seconds_left(ctx.deadline)
            if left is not None and left <= 0:
                return await hand_off(state, ctx, "model_unavailable", "turn_deadline")
            try:
                response, raw_ok = await asyncio.wait_for(
                    complete(bound, [SystemMessage(content=prompt), *history], policy), timeout=left
                )
            except FirstTokenTimeout as exc:
                log.warning("no first token on thread %s: %s", ctx.thread_id, exc)
                return await hand_off(state, ctx, "model_unavailable", "model_unavailable")
            except TimeoutError:
                log.warning("turn deadline passed on thread %s", ctx.thread_id)
                return await hand_off(state, ctx, "model_unavailable", "turn_deadline")
            except Exception as exc:  # noqa: BLE001 - 429/5xx/timeouts after retries end in a handoff
                log.warning("model call failed on thread %s: %r", ctx.thread_id, exc)
                return await hand_off(state, ctx, "model_unavailable", "model_unavailable")
            truncated = response.response_metadata.get(TRUNCATED)
            if not truncated:
                break
            log.warning("model reply cut off (%s) on thread %s", truncated, ctx.thread_id)
            # one retry with less to read: a shortened history cannot be shortened again
            short = shortened(history)
            if short is None:
                return await self._cut_off(state, ctx, rounds)
            history = short
        allowed = {s.name for s in specs}
        unknown = [c["name"] for c in response.tool_calls if c["name"] not in allowed]
        if not raw_ok or response.invalid_tool_calls or unknown:
            # names and counts only: a tool call's arguments carry what the user typed (#16)
            log.warning("malformed tool call on thread %s: invalid=%s unknown=%s", ctx.thread_id,
                        [c.get("name") for c in response.invalid_tool_calls], unknown)
            return await hand_off(state, ctx, "model_unavailable", "malformed_tool_call")
        if len(response.tool_calls) > ctx.settings.max_tool_calls_per_message:
            log.warning("%d tool calls in one message on thread %s", len(response.tool_calls), ctx.thread_id)
            return await hand_off(state, ctx, "model_unavailable", "too_many_tool_calls")
        return {"messages": [response], "rounds": rounds}

    async def _cut_off(self, state: AgentState, ctx: AgentContext, rounds: int) -> dict[str, Any]:
        """A reply the model could not finish: the decisions' own answer, else a handoff."""
        turn = list(state.get("decisions", []))[state.get("turn_start", 0):]
        answer = answer_from(turn, state.get("language") or "en")
        if answer is None:
            return await hand_off(state, ctx, "model_unavailable", "truncated_reply")
        return {"messages": [AIMessage(content=answer)], "rounds": rounds}

    async def run_tools(self, state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
        """Run the READ calls of the last model message; queue its valid WRITE calls."""
        ctx = runtime.context
        ai = state["messages"][-1]
        assert isinstance(ai, AIMessage)
        index = len(state["messages"]) - 1
        specs: dict[str, ToolSpec] = {s.name: s for s in self.registry(ctx.principal)}
        decisions = list(state.get("decisions", []))
        records = list(state.get("tool_calls", []))
        messages: list[ToolMessage] = []
        queued: list[dict[str, Any]] = []
        offered: set[str] | None = None
        for call in ai.tool_calls:
            spec = specs[call["name"]]
            call_id = call["id"] or f"call-{index}-{len(records)}"
            if spec.access is Access.write:
                if offered is None:
                    offered = offered_values(state["messages"][:index])
                # authorized in the domain for whoever asked, then refused when it names what no
                # earlier result offered — both before a person is asked
                envelope = validate_args(spec, call["args"]) or await spec.arequest(call["args"], tool_env(ctx))
                if envelope.get("ok"):
                    envelope = ungrounded(call["args"], offered) or envelope
                if envelope.get("ok"):
                    queued.append(pending_approval(
                        state, ctx, spec, call["args"], call_id, index, ai, decisions, envelope["result"],
                        envelope.get("action"),
                    ))
                    continue
                # a refused request supports only its error's decision (a write proposes nothing)
                found = spec.decide(ToolResult(envelope))
            else:
                # decisions from the typed record first; the model reads the record's JSON
                outcome = await spec.arun(call["args"], tool_env(ctx, tool_call_id=call_id))
                envelope, found = outcome.envelope, spec.decide(outcome)
            messages.append(tool_message(spec.name, call_id, envelope))
            decisions.extend(dec.dump(d) for d in found)
            records.append(tool_record(spec.name, call["args"], envelope))
        return {
            "messages": messages,
            "decisions": decisions,
            "tool_calls": records,
            "queued_writes": queued,
            "pending": queued[0] if queued else None,
        }

    async def approval(self, state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
        """Pause for a person's answer to the first queued WRITE call."""
        # Everything before interrupt() re-runs on resume, so nothing here has side effects.
        pending = state["queued_writes"][0]
        answer = Approval.model_validate(interrupt(pending))
        return {"approval": answer.model_dump()}

    async def execute(self, state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
        """Run the approved WRITE call (idempotently), or record who declined it and why."""
        ctx = runtime.context
        pending, rest = state["queued_writes"][0], state["queued_writes"][1:]
        answer = Approval.model_validate(state.get("approval") or {"approve": False})
        owner = owner_of(state) or ctx.principal
        acting = ctx.approver or ctx.principal  # who answered; ctx.principal stays the owner
        spec = tool_spec(pending["tool"])
        approved_by = answer.by or acting.label()
        if answer.approve and may_approve(acting, pending, owner):
            env = tool_env(
                ctx,
                principal=acting,
                requester=owner,
                tool_call_id=pending["tool_call_id"],
                idempotency_key=pending["idempotency_key"],
                approved_by=approved_by,
                approval_note=answer.reason,
                action_key=pending.get("action_key"),
                state_version=pending.get("state_version"),
            )
            outcome = await spec.arun(pending["args"], env)
            found = spec.decide(outcome)
            envelope = outcome.envelope
            if envelope.get("ok"):
                envelope["result"] = executed_record(pending, envelope.get("result"), approved_by)
        else:
            why = answer.reason or ("not permitted to approve" if answer.approve else "no reason given")
            envelope = errors.error("rejected", f"{approved_by} did not approve {spec.name}: {why}")
            found = spec.decide(ToolResult(envelope))
            if not answer.approve:
                # a decision by a person: the audit trail keeps who declined, and why — unless
                # the action already ran (another thread, or before a crash): then that stands
                done = await asyncio.to_thread(
                    record_rejection, tool_env(ctx, principal=acting, approved_by=approved_by), tool=spec.name,
                    order_id=pending["args"].get("order_id"), note=answer.reason,
                    action_key=pending.get("action_key"),
                )
                if done is not None:
                    stored = spec.returns.model_validate({**done, "replayed": True})
                    found = spec.decide(ToolResult(errors.ok(stored), stored))
                    envelope = errors.ok(executed_record(pending, {**done, "replayed": True},
                                                         done.get("approved_by") or approved_by))
        return {
            "messages": [tool_message(spec.name, pending["tool_call_id"], envelope)],
            "decisions": [*state.get("decisions", []), *(dec.dump(d) for d in found)],
            "tool_calls": [*state.get("tool_calls", []), tool_record(spec.name, pending["args"], envelope)],
            "queued_writes": rest,
            "pending": rest[0] if rest else None,
            "approval": None,
        }

    async def respond(self, state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
        """Close the turn: the guard's refusal, or the reply checked against the turn's tool
        results (and capped), plus a decision for an answer given without tools.

        The reply is emitted from here (a new message in place of the model's), so what a user
        sees, streamed or not, is always the checked text.
        """
        update: dict[str, Any] = {}
        decisions = list(state.get("decisions", []))
        guard_refusal = state.get("guard")
        if guard_refusal:
            update["messages"] = [AIMessage(content=guard_refusal["message"])]
            return update
        last = state["messages"][-1]
        if not isinstance(last, AIMessage):
            return update
        turn_start = state.get("turn_start", 0)
        reply = text(last)
        if not state.get("failed") and not _reply_stands(reply, state, runtime.context.settings.max_reply_chars):
            language = state.get("language") or "en"
            reply = answer_from(decisions[turn_start:], language) or clarification(language)
            last = AIMessage(content=reply, response_metadata={"promesa": {"kind": "checked"}})
        update["messages"] = [RemoveMessage(id=str(state["messages"][-1].id)),
                              AIMessage(content=reply, response_metadata=last.response_metadata,
                                        additional_kwargs=last.additional_kwargs)]
        if len(decisions) <= turn_start:
            update["decisions"] = [*decisions, dec.dump(_untooled_decision(update["messages"][-1]))]
        return update


def _reply_stands(reply: str, state: AgentState, max_chars: int) -> bool:
    """True when the reply fits the cap and states nothing the turn's tool results do not support."""
    if len(reply) > max_chars:
        log.warning("reply of %d characters over the %d cap replaced", len(reply), max_chars)
        return False
    messages = state["messages"]
    start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=0)
    turn = messages[start:]
    evidence = Evidence.of(
        [m.content for m in turn if isinstance(m, ToolMessage)],
        [text(m) for m in turn if isinstance(m, HumanMessage)],
    )
    problems = unsupported(reply, evidence)
    if problems:
        # kinds only: what the reply said is free text and may name a person (#16)
        log.warning("reply replaced: unsupported %s", sorted({str(f.kind) for f in problems}))
    return not problems


def _untooled_decision(reply: AIMessage) -> dec.ClarificationDecision | dec.RefusalDecision:
    """The decision of a turn the model answered with no tool at all.

    Such an answer carries no facts, so it is either a refusal the model declared (the offline
    model marks ``response_metadata["promesa"]["kind"]``) or a request for what is missing.
    """
    meta = reply.response_metadata.get("promesa") or {}
    if meta.get("kind") in ("refusal", "out_of_scope"):
        return dec.RefusalDecision(code=meta["kind"], message=text(reply))
    missing = reply.additional_kwargs.get("missing") or ([meta["pending"]] if meta.get("pending") else [])
    return dec.ClarificationDecision(missing=list(missing), question=text(reply))
