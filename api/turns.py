"""One agent turn over HTTP (chat messages and approval answers): rate-limited, then answered
as JSON or, with ``Accept: text/event-stream``, as server-sent events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from api.deps import AgentDep, NowDep, PrincipalDep, RuntimeDep
from api.live_changes import announce, announcing, handoffs_of
from api.schemas import TurnResponse
from api.state import AgentService, Runtime
from api.streaming import EVENT_STREAM, event_stream, wants_event_stream
from promesa.errors import Busy
from promesa.principal import Principal

SSE_DOC: dict[str, Any] = {
    "description": "The turn as JSON, or with `Accept: text/event-stream` as server-sent events "
    "(`token`, `tool_call`, `tool_result`, `decision`, `interrupt`, `error`, then `done`).",
    "content": {EVENT_STREAM: {"schema": {"type": "string"}}},
}


def turn_response(result: Any) -> TurnResponse:
    """The agent's TurnResult as the API's response body."""
    data = result.model_dump(mode="json") if hasattr(result, "model_dump") else dict(result)
    return TurnResponse.model_validate(
        {key: data.get(key) for key in TurnResponse.model_fields if key in data}
    )


@dataclass(frozen=True)
class Turn:
    """What a route needs to run one turn for the signed-in principal."""

    request: Request
    principal: Principal
    runtime: Runtime
    agent: AgentService
    now: datetime

    async def answer(self, **kwargs: Any) -> TurnResponse | Response:
        """Count the turn against the principal's limit, run it, and answer as SSE or JSON."""
        self.runtime.turn_limiter.hit(self.principal.label())
        kwargs.update(principal=self.principal, now=self.now)
        if wants_event_stream(self.request):
            events = aiter(announcing(self.runtime, self.agent.stream_turn(**kwargs)))
            # the first event comes before the 200 is sent: a saturated server still says 503
            first = await anext(events, None)
            if first is not None and first.type == "error" and first.data.get("code") == Busy.code:
                raise Busy(first.data.get("message", "busy"), retry_after=int(first.data.get("retry_after", 1)))
            return event_stream(_prepend(first, events))
        result = await self.agent.run_turn(**kwargs)
        response = turn_response(result)
        announce(self.runtime, handoffs_of([d.model_dump(mode="json") if hasattr(d, "model_dump") else d
                                            for d in getattr(result, "decisions", [])], response.thread_id))
        return response


async def _prepend(first: Any, rest: AsyncIterator[Any]) -> AsyncIterator[Any]:
    if first is not None:
        yield first
    async for event in rest:
        yield event


def get_turn(
    request: Request, principal: PrincipalDep, runtime: RuntimeDep, agent: AgentDep, now: NowDep
) -> Turn:
    return Turn(request=request, principal=principal, runtime=runtime, agent=agent, now=now)


TurnDep = Annotated[Turn, Depends(get_turn)]
