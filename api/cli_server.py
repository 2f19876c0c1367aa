"""``promesa ask`` through the server that is running on the same world.

Starting the agent in a fresh process costs seconds of imports (LangGraph, LangChain,
scikit-learn for the NLU); a server that is already running has paid them. ``promesa serve``
writes ``server.json`` in the data directory while it runs (its URL, its process id and a
fingerprint of what decides an answer: the database, the checkpoints, the model, a pinned
clock), and ``ask`` sends its turn to ``POST /v1/chat`` there when the fingerprint matches its
own settings. The answer is the server's ``AgentService`` turn, the one the widget gets, and
the change it makes is pushed to the open pages like any other turn. With no matching live
server, ``ask`` runs the turn in its own process.

Only the standard library is imported here: this path exists to start fast.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from promesa.settings import Settings

SERVER_FILE = "server.json"
#: A server on loopback answers its health check in milliseconds; a hung one is not used.
_PROBE_SECONDS = 1.0


class ServerError(Exception):
    """The server answered the turn with an error body (``{"error": {code, message}}``)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _database(url: str) -> str:
    """The database a URL names: a SQLite file by its absolute path (``.promesa/promesa.db``
    from the project folder and ``/abs/.promesa/promesa.db`` are the same world)."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        return prefix + str(Path(url.removeprefix(prefix)).resolve())
    return url


def fingerprint(settings: Settings) -> str:
    """What must be equal for the server's answer to be this process's answer."""
    parts = [_database(settings.sqlalchemy_url), _database(settings.checkpoint_url or ""),
             settings.model.strip(), settings.now.isoformat() if settings.now else ""]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _path(settings: Settings) -> Path:
    return settings.data_dir / SERVER_FILE


@contextmanager
def announced(settings: Settings, base_url: str) -> Iterator[None]:
    """Write ``server.json`` for the duration of the block, then remove it (if still ours)."""
    path = _path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"url": base_url, "pid": os.getpid(), "fingerprint": fingerprint(settings)}
    path.write_text(json.dumps(record), encoding="utf-8")
    # uvicorn shuts down on SIGTERM and then raises the signal again to the handler it found:
    # the default one ends the process before this block's cleanup; this one unwinds through it
    previous = signal.getsignal(signal.SIGTERM)
    replaced = previous is signal.SIG_DFL and threading.current_thread() is threading.main_thread()
    if replaced:
        signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        yield
    finally:
        if replaced:
            signal.signal(signal.SIGTERM, previous)
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                path.unlink()
        except (OSError, ValueError):  # another server took the file over, or it is gone
            pass


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def find_server(settings: Settings) -> str | None:
    """The URL of a live server on the same world and clock, or None (then run in-process)."""
    try:
        record: dict[str, Any] = json.loads(_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = record.get("url")
    if not isinstance(url, str) or record.get("fingerprint") != fingerprint(settings):
        return None
    if not _alive(record.get("pid")):  # killed without cleaning up
        return None
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=_PROBE_SECONDS) as response:
            ok = json.loads(response.read()).get("status") == "ok"
    except (OSError, ValueError):  # still starting, stopped, or not a Promesa server
        return None
    return url if ok else None


def chat(url: str, token: str, message: str, thread_id: str | None, timeout: float) -> dict[str, Any]:
    """One turn through ``POST /v1/chat``; the JSON body, or :class:`ServerError`."""
    body = json.dumps({"message": message, **({"thread_id": thread_id} if thread_id else {})}).encode()
    request = urllib.request.Request(
        f"{url}/v1/chat", data=body, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                 "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read()).get("error") or {}
        except ValueError:
            error = {}
        raise ServerError(exc.code, str(error.get("code", "http_error")),
                          str(error.get("message", exc.reason))) from exc
