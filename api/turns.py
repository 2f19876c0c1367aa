"""One agent turn over HTTP (chat messages and approval answers): rate-limited, then answered
as JSON or, with ``Accept: text/event-stream``, as server-sent events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from agent.approvals import Approval
from agent.contract import ErrorEvent, TurnEvent, TurnResult
from agent.service import AgentService
from api.deps import AgentDep, NowDep, PrincipalDep, RuntimeDep
from api.live_changes import announce, announcing, handoffs_of
from api.schemas import TurnResponse
from api.state import Runtime
from api.streaming import SSE_DOC, event_stream, wants_event_stream
from promesa.errors import Busy
from promesa.principal import Principal

__all__ = ["SSE_DOC", "Turn", "TurnDep", "get_turn", "turn_response"]


def turn_response(result: TurnResult) -> TurnResponse:
    """The agent's TurnResult as the API's response body."""
    data = result.model_dump(mode="json")
    return TurnResponse.model_validate({key: data[key] for key in TurnResponse.model_fields if key in data})


@dataclass(frozen=True)
class Turn:
    """What a route needs to run one turn for the signed-in principal."""

    request: Request
    principal: Principal
    runtime: Runtime
    agent: AgentService
    now: datetime

    async def answer(self, *, thread_id: str | None, message: str | None = None,
                     resume: Approval | None = None) -> TurnResponse | Response:
        """Count the turn against the principal's limit, run it, and answer as SSE or JSON."""
        self.runtime.turn_limiter.hit(self.principal.label())
        if wants_event_stream(self.request):
            stream = self.agent.stream_turn(thread_id=thread_id, principal=self.principal, now=self.now,
                                            message=message, resume=resume)
            events = aiter(announcing(self.runtime, stream))
            # the first event comes before the 200 is sent: a saturated server still says 503
            first = await anext(events, None)
            if isinstance(first, ErrorEvent) and first.data.code == Busy.code:
                raise Busy(first.data.message, retry_after=first.data.retry_after or 1)
            return event_stream(_prepend(first, events))
        result = await self.agent.run_turn(thread_id=thread_id, principal=self.principal, now=self.now,
                                           message=message, resume=resume)
        response = turn_response(result)
        decisions = [d.model_dump(mode="json") for d in result.decisions]
        announce(self.runtime, handoffs_of(decisions, response.thread_id))
        return response


async def _prepend(first: TurnEvent | None, rest: AsyncIterator[TurnEvent]) -> AsyncIterator[TurnEvent]:
    if first is not None:
        yield first
    async for event in rest:
        yield event


def get_turn(
    request: Request, principal: PrincipalDep, runtime: RuntimeDep, agent: AgentDep, now: NowDep
) -> Turn:
    """The turn dependency of the chat and approval routes."""
    return Turn(request=request, principal=principal, runtime=runtime, agent=agent, now=now)


TurnDep = Annotated[Turn, Depends(get_turn)]
