"""What a case run produced, turn by turn, in plain JSON-able records (kept for every failure).

A tool call is the turn contract's own record (`agent.contract.ToolCallRecord`), not a copy.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.contract import ToolCallRecord


class TurnRecord(BaseModel):
    """One turn: what was sent and what came back."""

    kind: Literal["user", "approve", "verify"]
    input: Any = Field(description="The message, the approval, or the verification facts.")
    text: str = ""
    language: str | None = None
    decisions: list[dict[str, Any]] = []
    tool_calls: list[ToolCallRecord] = []
    pending_approval: dict[str, Any] | None = None
    verified: bool | None = None
    latency_ms: float = 0.0
    error: str | None = None


class Transcript(BaseModel):
    case_id: str
    turns: list[TurnRecord] = []
    error: str | None = Field(None, description="Why the run stopped early, if it did.")
    state_failures: list[str] = Field(
        default_factory=list, description="How the end state differs from expect.state (evals/state.py)."
    )

    @property
    def decisions(self) -> list[dict[str, Any]]:
        return [d for t in self.turns for d in t.decisions]

    @property
    def tool_names(self) -> list[str]:
        return [c.name for t in self.turns for c in t.tool_calls]

    @property
    def agent_turns(self) -> list[TurnRecord]:
        return [t for t in self.turns if t.kind != "verify"]

    @property
    def final(self) -> TurnRecord | None:
        turns = self.agent_turns
        return turns[-1] if turns else None

    @property
    def all_text(self) -> str:
        return "\n".join(t.text for t in self.turns if t.text)
