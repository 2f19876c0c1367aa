"""Quotes cached per engine, keyed by (sku, quantity, zone, policy, minute) and a generation.

A quote depends on stock, open order lines (node load), capacity overrides and nodes. Every
statement that writes one of those tables moves the engine's *promise generation*, and so does
the commit or rollback of a connection that wrote them; an entry computed under an older
generation is a miss. A quote computed inside a transaction with writes of its own is never
stored (others must not see uncommitted state). Writes by other processes are not seen, so an
entry also lives at most ``promise_cache_seconds``; placement re-checks every quote anyway.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from promesa.domain.promising.records import Policy, PromiseQuote

#: Tables whose writes can change a quote (a substring test on the statement).
_TABLES = ("inventory", "order_lines", "node_capacity", "nodes", "node_load", "carrier")
_WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "COPY")
MAX_ENTRIES = 20_000
_DIRTY = "promesa_promise_dirty"

#: (sku, quantity, zone code, policy, the minute asked): what a cached quote answers.
QuoteKey = tuple[str, int, str, Policy, datetime]


class _EngineCache:
    def __init__(self) -> None:
        self.generation = 0
        self.entries: OrderedDict[QuoteKey, tuple[int, float, PromiseQuote]] = OrderedDict()


_caches: weakref.WeakKeyDictionary[Engine, _EngineCache] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _of(engine: Engine) -> _EngineCache:
    with _lock:
        found = _caches.get(engine)
        if found is None:
            found = _caches[engine] = _EngineCache()
        return found


def bump(engine: Engine) -> None:
    """Move ``engine``'s promise generation on and drop every entry (they are stale)."""
    cache = _of(engine)
    with _lock:
        cache.generation += 1
        cache.entries.clear()


def generation(session: Session) -> int:
    """The current promise generation of the session's engine (to hand back to :func:`put`)."""
    return _of(_engine(session)).generation


def get(session: Session, key: QuoteKey, ttl_seconds: float) -> PromiseQuote | None:
    """The entry under ``key`` if its generation is current and it is younger than the TTL."""
    if ttl_seconds <= 0:
        return None
    cache = _of(_engine(session))
    with _lock:
        found = cache.entries.get(key)
        if found is None:
            return None
        gen, stored_at, value = found
        if gen != cache.generation or time.monotonic() - stored_at > ttl_seconds:
            cache.entries.pop(key, None)
            return None
        cache.entries.move_to_end(key)
        return value


def put(session: Session, key: QuoteKey, value: PromiseQuote, computed_under: int, ttl_seconds: float) -> None:
    """Store ``value`` if nothing moved since it was computed and the transaction is clean."""
    if ttl_seconds <= 0 or session.connection().info.get(_DIRTY):
        return
    cache = _of(_engine(session))
    with _lock:
        if computed_under != cache.generation:
            return
        cache.entries[key] = (computed_under, time.monotonic(), value)
        while len(cache.entries) > MAX_ENTRIES:
            cache.entries.popitem(last=False)


@event.listens_for(Engine, "after_cursor_execute")
def _after_cursor_execute(conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any,
                          _many: bool) -> None:
    head = statement.lstrip()[:8].upper()
    if head.startswith(_WRITES) and any(name in statement for name in _TABLES):
        conn.info[_DIRTY] = True
        bump(conn.engine)


def _settled(conn: Any) -> None:
    # the writes became visible (or vanished): entries computed meanwhile are stale either way
    if conn.info.pop(_DIRTY, False):
        bump(conn.engine)


event.listen(Engine, "commit", _settled)
event.listen(Engine, "rollback", _settled)
