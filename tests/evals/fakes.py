"""A scripted stand-in for the agent and a world factory that needs no world builder."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from agent.approvals import Approval
from agent.contract import TurnResult
from evals.runner import RunConfig, Runner
from evals.worlds import WorldFactory
from promesa.principal import Principal


@dataclass
class FakeTurnResult:
    thread_id: str = ""
    text: str = ""
    decisions: list[dict[str, Any]] = field(default_factory=list)
    pending_approval: dict[str, Any] | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    language: str = "en"

    def turn_result(self, thread_id: str) -> TurnResult:
        """The contract's TurnResult of this scripted answer, on ``thread_id``."""
        return TurnResult.model_validate({**asdict(self), "thread_id": self.thread_id or thread_id})


class ScriptedAgent:
    """Answers each message (or approval) from a script; records what it was sent."""

    def __init__(self, script: dict[str, FakeTurnResult], on_approve: FakeTurnResult | None = None):
        self.script = script
        self.on_approve = on_approve
        self.calls: list[dict[str, Any]] = []

    async def run_turn(
        self,
        *,
        thread_id: str,
        principal: Principal,
        message: str | None = None,
        resume: Approval | None = None,
        now: datetime,
    ) -> TurnResult:
        self.calls.append({"principal": principal, "message": message, "resume": resume, "now": now})
        if resume is not None:
            if self.on_approve is None:
                raise RuntimeError("nothing pending")
            return self.on_approve.turn_result(thread_id)
        return self.script[message or ""].turn_result(thread_id)


def empty_world(engine: Engine, **_: Any) -> None:
    """A world builder that leaves the migrated database empty (the fake agent ignores it)."""


def fake_runner(tmp_path: Path, agent: ScriptedAgent, verifier: Any = None) -> Runner:
    worlds = WorldFactory(tmp_path / "worlds", demo_builder=empty_world, world_loader=empty_world)

    def factory(engine: Engine, config: RunConfig, data_dir: Path) -> ScriptedAgent:
        return agent

    return Runner(worlds, agent_factory=factory, verifier=verifier or (lambda *a: False))
