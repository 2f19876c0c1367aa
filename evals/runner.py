"""Run cases against the agent: a fresh world and a fresh thread per case run, the case's clock.

The agent is reached through :class:`AgentFactory` so the harness can be tested with a fake;
by default it is ``agent.service.AgentService`` driven in-process (DESIGN: evals drive the same
graph with a fixed clock and a fresh world per case).
"""

from __future__ import annotations

import inspect
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from agent.approvals import Approval
from agent.contract import TurnResult, TurnRunner
from evals import state
from evals.cases import ApproveTurn, Case, UserTurn, Verification, VerifyTurn
from evals.matching import score
from evals.metrics import CaseResult, CaseRun
from evals.transcript import Transcript, TurnRecord
from evals.worlds import WorldFactory
from promesa.errors import DomainError
from promesa.principal import Principal, Role
from promesa.settings import Settings


@dataclass(frozen=True)
class RunConfig:
    """One configuration of the agent under test (``--compare`` runs two of them).

    ``settings`` are overrides of :class:`promesa.settings.Settings` fields (e.g. a prompt
    variant or a sourcing profile, once those settings exist).
    """

    name: str = "A"
    model: str = "offline"
    settings: dict[str, Any] = field(default_factory=dict)
    demo_orders: int = 200
    seed: int = 7

    def make_settings(self, data_dir: Path) -> Settings:
        values = {"data_dir": data_dir, "model": self.model, "seed": self.seed, **self.settings}
        return Settings(_env_file=None, **values)


#: Builds the agent for one case run: ``(engine, config, data_dir) -> agent``.
AgentFactory = Callable[[Engine, RunConfig, Path], "TurnRunner | Awaitable[TurnRunner]"]
#: Checks an anonymous visitor's order facts: ``(engine, verification, now, settings) -> bool``.
Verifier = Callable[[Engine, Verification, datetime, Settings], bool]
#: Wraps one case run: ``(case, config) -> context manager yielding the config to use``.
Around = Callable[["Case", "RunConfig"], AbstractContextManager["RunConfig"]]


async def default_agent_factory(
    engine: Engine, config: RunConfig, data_dir: Path, model: Any = None
) -> TurnRunner:
    """The real agent on ``engine``: the configuration's settings, an in-memory thread store.

    ``data_dir`` is shared by every run of a suite, so the policy index is built once.
    """
    from langgraph.checkpoint.memory import InMemorySaver

    from agent.service import AgentService

    settings = config.make_settings(data_dir)
    return await AgentService.create(settings, engine=engine, model=model, checkpointer=InMemorySaver())


def default_verifier(engine: Engine, facts: Verification, now: datetime, settings: Settings) -> bool:
    """The order-verification check of the API (``promesa.domain.verification.verify_order``)."""
    from promesa.domain.deps import Deps
    from promesa.domain.verification import verify_order
    from promesa.errors import DomainError
    from promesa.store.db import session_factory

    visitor = Principal(role=Role.anonymous, order_scope=facts.order_id)
    with session_factory(engine)() as session:
        deps = Deps(session=session, principal=visitor, now=now, settings=settings)
        try:
            return bool(
                verify_order(
                    deps,
                    facts.order_id,
                    email=facts.email,
                    phone=facts.phone,
                    postal_code=facts.postal_code,
                )
            )
        except DomainError:
            return False


def principal_for(case: Case) -> Principal:
    """Who a case's conversation is with (its persona and subject)."""
    subject = case.principal.subject if case.principal else None
    return Principal(role=Role(case.persona), subject=subject)


def record_result(turn: TurnRecord, result: TurnResult) -> None:
    """Copy a turn's result into the transcript's turn record."""
    turn.text = result.text
    turn.language = result.language
    turn.decisions = [d.model_dump(mode="json") for d in result.decisions]
    turn.pending_approval = result.pending_approval.model_dump(mode="json") if result.pending_approval else None
    turn.tool_calls = list(result.tool_calls)


class Runner:
    """Runs cases; every run gets its own world copy, thread and agent.

    Args:
        worlds: where fresh worlds come from.
        agent_factory: builds the agent for a run (default: the real AgentService).
        verifier: checks ``verify`` turns (default: the domain's order verification).
        around: wraps every run, may swap its configuration (recorded OpenAI mode uses it).
        data_dir: the settings' data_dir of every run (holds the policy index, built once).
    """

    def __init__(
        self,
        worlds: WorldFactory,
        agent_factory: AgentFactory | None = None,
        verifier: Verifier | None = None,
        around: Around | None = None,
        data_dir: Path | None = None,
    ) -> None:
        self.worlds = worlds
        self.data_dir = data_dir or worlds.workdir / "data"
        self.around = around
        self.agent_factory = agent_factory or default_agent_factory
        self.verifier = verifier or default_verifier

    async def run_once(self, case: Case, config: RunConfig) -> CaseRun:
        transcript = Transcript(case_id=case.id)
        data_dir = self.data_dir
        try:
            with ExitStack() as stack:
                if self.around is not None:
                    config = stack.enter_context(self.around(case, config))
                engine = stack.enter_context(self.worlds.fresh(case, seed=config.seed))
                expected_state = case.expect.state
                before = state.snapshot(engine) if expected_state is not None else None
                made = self.agent_factory(engine, config, data_dir)
                agent = await made if inspect.isawaitable(made) else made
                try:
                    await self._turns(case, config, engine, agent, transcript, data_dir)
                finally:
                    if hasattr(agent, "aclose"):
                        await agent.aclose()
                if before is not None and expected_state is not None:
                    transcript.state_failures = state.check(engine, before, expected_state)
        except Exception as exc:  # a crash is a failed run with its reason, never a lost case
            transcript.error = f"{type(exc).__name__}: {exc}"
        return CaseRun(transcript=transcript, score=score(case, transcript))

    async def _turns(
        self,
        case: Case,
        config: RunConfig,
        engine: Engine,
        agent: TurnRunner,
        transcript: Transcript,
        data_dir: Path,
    ) -> None:
        principal = principal_for(case)
        thread_id = f"eval-{case.id}-{uuid.uuid4().hex[:8]}"
        for spec in case.turns:
            if isinstance(spec, VerifyTurn):
                ok = self.verifier(engine, spec.verify, case.now, config.make_settings(data_dir))
                transcript.turns.append(
                    TurnRecord(kind="verify", input=spec.verify.model_dump(exclude_none=True), verified=ok)
                )
                if ok:
                    principal = Principal(role=Role.anonymous, order_scope=spec.verify.order_id)
                continue
            if isinstance(spec, UserTurn):
                turn = TurnRecord(kind="user", input=spec.user)
                message: str | None = spec.user
                resume: Approval | None = None
            else:
                assert isinstance(spec, ApproveTurn)
                turn = TurnRecord(kind="approve", input={"approve": spec.approve, "reason": spec.reason})
                message, resume = None, Approval(approve=spec.approve, reason=spec.reason or "")
            transcript.turns.append(turn)
            started = time.perf_counter()
            try:
                result = await agent.run_turn(
                    thread_id=thread_id, principal=principal, now=case.now, message=message, resume=resume
                )
            except DomainError as exc:
                # The system's typed answer (e.g. Conflict "nothing to approve"), as the API
                # would return it: kept in the transcript; the expectations judge the outcome.
                turn.error = f"{type(exc).__name__}: {exc}"
                continue
            except Exception as exc:
                turn.error = f"{type(exc).__name__}: {exc}"
                raise
            finally:
                turn.latency_ms = (time.perf_counter() - started) * 1000
            record_result(turn, result)

    async def run_case(self, case: Case, config: RunConfig, k: int = 1) -> CaseResult:
        result = CaseResult(case=case)
        for _ in range(k):
            result.runs.append(await self.run_once(case, config))
        return result

    async def run_all(
        self,
        cases: Iterable[Case],
        config: RunConfig,
        k: int = 1,
        on_done: Callable[[CaseResult], None] | None = None,
    ) -> list[CaseResult]:
        results = []
        for case in cases:
            result = await self.run_case(case, config, k)
            results.append(result)
            if on_done:
                on_done(result)
        return results

