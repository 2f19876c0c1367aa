"""Per-key moving-window limits (chat turns per principal, verifications per address, failed
verifications per order).

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

    def __init__(self, name: str, per_minute: int, storage: Storage, *, minutes: int = 1) -> None:
        if per_minute < 1 or minutes < 1:
            raise ValueError(f"{name}: per_minute and minutes must be at least 1")
        self.name = name
        # ``per_minute`` hits per window of ``minutes`` minutes
        self.item = RateLimitItemPerMinute(per_minute, minutes, namespace=name)
        self._strategy = MovingWindowRateLimiter(storage)

    def hit(self, key: str) -> None:
        """Count one hit for ``key``.

        Raises:
            ApiError: 429 with ``Retry-After`` (seconds) when the window is full.
        """
        if self._strategy.hit(self.item, key):
            return
        raise self._refusal(key)

    def ensure_open(self, key: str) -> None:
        """Refuse (429) when ``key``'s window is already full, without counting a hit.

        With :meth:`count` this is a lockout: failures are counted, and once ``amount``
        failures fall in one window every further attempt is refused until the window moves.
        """
        if not self._strategy.test(self.item, key):
            raise self._refusal(key)

    def count(self, key: str) -> None:
        """Count one hit for ``key`` without refusing (a failure a later attempt pays for)."""
        self._strategy.hit(self.item, key)

    def _refusal(self, key: str) -> ApiError:
        stats = self._strategy.get_window_stats(self.item, key)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        per = "minute" if self.item.multiples == 1 else f"{self.item.multiples} minutes"
        return ApiError(
            429,
            "rate_limited",
            f"too many requests; {self.item.amount} per {per} are allowed, retry in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )


def make_storage(uri: str) -> Storage:
    """The rate-limit storage for ``uri`` (``memory://`` or a Redis URL)."""
    storage = storage_from_string(uri)
    if not isinstance(storage, Storage):  # an ``async+…`` URI: the limiter calls it synchronously
        raise ValueError(f"rate_limit_storage {uri!r} is an async storage; use a synchronous one")
    return storage
