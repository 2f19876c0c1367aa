"""Load over loopback (issue #13): real ``promesa serve`` processes driven by concurrent sessions.

* :func:`served` starts ``promesa serve`` (or the bare reference app) on a port and waits for it
  (:mod:`api.load_server`; re-exported here, where the runs find everything they use);
* :func:`drive` runs N sessions, each a customer's own thread asking about their own order,
  for a number of turns or a bounded time; JSON and SSE mixed; every turn's latency kept;
* :func:`check_histories` compares each thread's history with what its session sent (nothing
  lost, duplicated or reordered; every message answered), and :func:`check_serialised` sends
  two turns on one thread at once and checks they ran one after the other.

``promesa bench --only api_load`` and ``.ci/suites/load.sh`` both use it. The reference is a
bare FastAPI endpoint served by the same uvicorn with the same workers and driven by the same
client (:mod:`api.load_client`, lean enough that the client is not the limit; the CPU it
spent is reported beside each figure), so what the client and the loopback cost is in both.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from api.auth import issue_token
from api.load_client import Connection
from api.load_server import forked, free_port, served, tree_cpu_s, wait_ready
from promesa.principal import Principal, Role

__all__ = ["LoadStats", "Session", "bare_app", "check_histories", "check_serialised", "drive", "forked",
           "free_port", "run_fast", "served", "sessions_for", "tree_cpu_s", "turn", "unanswered", "wait_ready",
           "wismo"]

T = TypeVar("T")

#: The bare reference: one endpoint, no auth, no agent (what FastAPI itself costs). It answers
#: like a turn route: JSON, or with ``Accept: text/event-stream`` one ``done`` event, streamed.
bare_app = FastAPI()


class _Echo(BaseModel):
    thread_id: str | None = None
    message: str


@bare_app.post("/v1/chat", response_model=None)
async def _bare_chat(body: _Echo, request: Request) -> dict[str, Any] | StreamingResponse:
    result = {"thread_id": body.thread_id or "t-bare", "text": body.message, "decisions": []}
    if "text/event-stream" not in request.headers.get("accept", ""):
        return result

    async def frames() -> AsyncIterator[bytes]:
        yield f"event: done\r\ndata: {json.dumps(result)}\r\n\r\n".encode()

    return StreamingResponse(frames(), media_type="text/event-stream")


@dataclass
class Session:
    """One simulated shopper: a token, the order they ask about, the thread and what they sent."""

    customer_id: str
    order_id: str
    token: str
    sse: bool
    thread_id: str | None = None
    sent: list[str] = field(default_factory=list)


@dataclass
class LoadStats:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    #: CPU seconds the load generator itself spent (all sessions), beside ``elapsed_s``
    client_cpu_s: float = 0.0

    @property
    def turns(self) -> int:
        return len(self.latencies_ms)

    def per_second(self) -> float:
        return self.turns / self.elapsed_s if self.elapsed_s else 0.0

    def client_cpu_share(self) -> float:
        """The fraction of one core the client kept busy during the run."""
        return self.client_cpu_s / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def sessions_for(pairs: list[tuple[str, str]], secret: str, *, sse_every: int = 2) -> list[Session]:
    """A session per (customer, order); every ``sse_every``-th one reads SSE, the rest JSON."""
    out = []
    for i, (customer_id, order_id) in enumerate(pairs):
        token = issue_token(secret, Principal(role=Role.customer, subject=customer_id), timedelta(hours=2))
        out.append(Session(customer_id, order_id, token, sse=bool(sse_every) and i % sse_every == 1))
    return out


async def turn(conn: Connection, session: Session, message: str) -> dict[str, Any]:
    """One chat turn on the session's connection; returns the TurnResult (from JSON or the SSE
    ``done`` event)."""
    headers = {"Authorization": f"Bearer {session.token}"}
    if session.sse:
        headers["Accept"] = "text/event-stream"
    body = {"message": message, **({"thread_id": session.thread_id} if session.thread_id else {})}
    response = await conn.request("POST", "/v1/chat", body=body, headers=headers)
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {response.text[:200]}")
    if not session.sse:
        result: dict[str, Any] = response.json()
        return result
    event, done = "", None
    data: dict[str, Any]
    for line in response.text.splitlines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event in ("done", "error"):
            data = json.loads(line.split(":", 1)[1])
            if event == "error":
                raise RuntimeError(f"SSE error: {data}")
            done = data
    if not done or done.get("ok") is False:
        raise RuntimeError("SSE stream ended without a done event")
    final: dict[str, Any] = done
    return final


def wismo(session: Session, n: int) -> str:
    """The session's n-th "where is my order" message."""
    return f"where is my order {session.order_id}? (message {n})"


async def drive(base_url: str, sessions: list[Session], *, turns: int | None = None,
                seconds: float | None = None, stats: LoadStats | None = None) -> LoadStats:
    """Run every session at once: ``turns`` turns each, or as many as fit in ``seconds``.

    Each session has its own keep-alive connection (:mod:`api.load_client`); the CPU this
    process spent is kept beside the figures (``client_cpu_s``), so a run shows whether the
    client or the server was the limit."""
    stats = stats or LoadStats()
    host, port = _host_port(base_url)
    started, cpu0 = time.perf_counter(), time.process_time()
    stop = started + seconds if seconds else None

    async def run(session: Session) -> None:
        conn, n = Connection(host, port), 0
        try:
            while (turns is None or n < turns) and (stop is None or time.perf_counter() < stop):
                message = wismo(session, n)
                t0 = time.perf_counter()
                try:
                    result = await turn(conn, session, message)
                except Exception as exc:  # noqa: BLE001 - counted, and the session goes on
                    stats.errors.append(f"{session.customer_id}: {exc}")
                    n += 1
                    continue
                stats.latencies_ms.append((time.perf_counter() - t0) * 1000)
                session.thread_id = session.thread_id or result.get("thread_id")
                session.sent.append(message)
                n += 1
        finally:
            await conn.close()

    await asyncio.gather(*(run(s) for s in sessions))
    stats.elapsed_s = time.perf_counter() - started
    stats.client_cpu_s = time.process_time() - cpu0
    return stats


def _host_port(base_url: str) -> tuple[str, int]:
    url = httpx.URL(base_url)
    return url.host, url.port or 80


def run_fast(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on uvloop when it is installed (it is, with uvicorn[standard]): the load
    generator's own loop overhead is part of what the client costs."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


async def check_histories(base_url: str, sessions: list[Session]) -> list[str]:
    """Problems found comparing each thread with what its session sent (empty: all good)."""
    problems: list[str] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        for s in sessions:
            if not s.thread_id:
                problems.append(f"{s.customer_id}: no thread")
                continue
            response = await client.get(f"/v1/threads/{s.thread_id}", headers={"Authorization": f"Bearer {s.token}"})
            if response.status_code != 200:
                problems.append(f"{s.thread_id}: history HTTP {response.status_code}")
                continue
            messages = response.json()["messages"]
            users = [m["content"] for m in messages if m["role"] == "user"]
            if users != s.sent:
                problems.append(f"{s.thread_id}: {len(s.sent)} sent, {len(users)} in the history or out of order")
            problems.extend(f"{s.thread_id}: {p}" for p in unanswered(messages))
    return problems


def unanswered(messages: list[dict[str, Any]]) -> list[str]:
    """Each user message is followed by an answer (an assistant message with text) before the next."""
    problems, waiting = [], None
    for m in messages:
        if m["role"] == "user":
            if waiting is not None:
                problems.append(f"no answer to {waiting!r}")
            waiting = m["content"]
        elif m["role"] == "assistant" and m.get("content"):
            waiting = None
    if waiting is not None:
        problems.append(f"no answer to {waiting!r}")
    return problems


async def check_serialised(base_url: str, session: Session, parallel: int = 3) -> list[str]:
    """Send ``parallel`` turns on one existing thread at once: each must succeed and the
    history must show them one after the other, each answered before the next starts."""
    messages = [f"where is my order {session.order_id}? (parallel {i})" for i in range(parallel)]
    host, port = _host_port(base_url)
    conns = [Connection(host, port) for _ in messages]  # one each: the turns are sent at once
    try:
        results = await asyncio.gather(*(turn(c, session, m) for c, m in zip(conns, messages, strict=True)),
                                       return_exceptions=True)
    finally:
        for conn in conns:
            await conn.close()
    problems = [f"parallel turn failed: {r}" for r in results if isinstance(r, BaseException)]
    session.sent.extend(m for m, r in zip(messages, results, strict=True) if not isinstance(r, BaseException))
    if not problems:
        # the order among the parallel ones is the server's; the set and the answers are checked
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            response = await client.get(f"/v1/threads/{session.thread_id}",
                                        headers={"Authorization": f"Bearer {session.token}"})
        history = response.json()["messages"]
        users = [m["content"] for m in history if m["role"] == "user"]
        if sorted(users[-parallel:]) != sorted(messages) or len(users) != len(set(users)):
            problems.append("parallel turns lost or duplicated")
        problems.extend(unanswered(history))
        session.sent[-parallel:] = users[-parallel:]
    return problems
