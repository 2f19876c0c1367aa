"""Per-key moving-window limits (chat turns per principal, verifications per address).

Built on the ``limits`` library: in-memory by default, shared between workers when
``settings.rate_limit_storage`` points at a server (``redis://…``, ``memcached://…``).
Limits are about real traffic, so they count on the wall clock, not the business clock.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from api.errors import ApiError


class Limiter:
    """A named limit of ``per_minute`` hits per key in any 60-second window."""

    def __init__(self, name: str, per_minute: int, storage: Storage) -> None:
        if per_minute < 1:
            raise ValueError(f"{name}: per_minute must be at least 1")
        self.name = name
        self.item = RateLimitItemPerMinute(per_minute, namespace=name)
        self._strategy = MovingWindowRateLimiter(storage)

    def hit(self, key: str) -> None:
        """Count one hit for ``key``.

        Raises:
            ApiError: 429 with ``Retry-After`` (seconds) when the window is full.
        """
        if self._strategy.hit(self.item, key):
            return
        stats = self._strategy.get_window_stats(self.item, key)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests; {self.item.amount} per minute are allowed, retry in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )


def make_storage(uri: str) -> Storage:
    return storage_from_string(uri)
