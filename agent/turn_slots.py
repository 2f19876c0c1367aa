"""How many turns one worker runs at once, and the refusal when they are all taken.

A turn past ``max_concurrent_turns`` waits up to ``turn_queue_seconds`` for a slot, then is
refused with :class:`promesa.errors.Busy` (the API's 503 with ``Retry-After``): a saturated
server says so at once instead of letting requests hang until a pool times out.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from promesa.errors import Busy
from promesa.settings import Settings


class TurnSlots:
    """A bounded number of concurrent turns with a bounded wait for one."""

    def __init__(self, size: int, wait_seconds: float) -> None:
        self.size = size
        self.wait_seconds = wait_seconds
        self._free = asyncio.Semaphore(size)

    @classmethod
    def from_settings(cls, settings: Settings) -> TurnSlots:
        return cls(settings.max_concurrent_turns, settings.turn_queue_seconds)

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        """Hold one slot for the body; raises Busy when none frees up in time."""
        try:
            if self._free.locked():  # none free now: wait a bounded time for one
                await asyncio.wait_for(self._free.acquire(), timeout=self.wait_seconds)
            else:
                await self._free.acquire()
        except TimeoutError:
            raise Busy(
                f"the server is running {self.size} turns already; try again shortly",
                retry_after=max(1, math.ceil(self.wait_seconds)),
            ) from None
        try:
            yield
        finally:
            self._free.release()
