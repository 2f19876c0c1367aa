"""The servers of the load runs (issue #13): ``promesa serve`` (or the bare reference app) in a
process of its own, or forked warm from this one (crash suite), and the CPU they spend.

:func:`served` starts ``promesa serve`` (or uvicorn on an app) on a port and waits for it;
:func:`forked` forks a one-worker server from this process; :func:`tree_cpu_s` is the CPU time
a process and its children (uvicorn's workers) have used, so a run reports the server's CPU per
turn beside the client's.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port(low: int, high: int) -> int:
    """A free loopback port in ``[low, high]`` (the range this run may use)."""
    for port in range(low, high + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{high}")


@contextmanager
def served(env: dict[str, str], *, port: int, workers: int = 1, app: str | None = None,
           log: Path | None = None, ready_s: float = 180.0) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``promesa serve`` (or uvicorn on ``app``) until the context ends; waits for /healthz
    (or the bare app's port)."""
    if app is None:
        cmd = [sys.executable, "-c", "from cli.main import app; app()", "serve",
               "--port", str(port), "--workers", str(workers)]
    else:
        cmd = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--workers", str(workers),
               "--no-access-log", "--log-level", "warning"]
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(port, proc, health=app is None, seconds=ready_s)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()  # type: ignore[union-attr]


@contextmanager
def forked(env: dict[str, str], *, port: int, log: Path, ready_s: float = 120.0) -> Iterator[int]:
    """A one-worker server forked from this process (which has imported the app already), so a
    restart costs the app's start-up, not the imports (~30 s on a loaded 2-core machine).
    Yields the child's pid; the caller may SIGKILL it — that is the point (crash suite)."""
    import api.main  # noqa: F401 - imported once, before any fork
    from agent.offline.nlu_model import get_model
    from tools.catalog import all_tools

    get_model()  # the trained NLU and every tool module, inherited warm by each child
    all_tools()

    pid = os.fork()
    if pid == 0:  # the server
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.environ.update(env)
            from api.modes import serve_options
            from promesa.settings import get_settings

            get_settings.cache_clear()
            import uvicorn

            uvicorn.run("api.main:create_app", factory=True, host="127.0.0.1", port=port,
                        log_level="warning", access_log=False, **serve_options())  # type: ignore[arg-type]
        finally:
            os._exit(0)

    def alive() -> bool:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)

    try:
        wait_ready(port, alive, health=True, seconds=ready_s)
        yield pid
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                if not alive():
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        except ChildProcessError:
            pass  # killed and reaped already
        except ProcessLookupError:
            pass


def wait_ready(port: int, proc: subprocess.Popen[bytes] | Callable[[], bool], *, health: bool,
               seconds: float) -> None:
    """Wait until the server answers (``/healthz``, or the port) or fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (proc() is False) if callable(proc) else proc.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited")
        try:
            if health:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    return
            else:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server on port {port} was not ready in {seconds:.0f} s")


def tree_cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) used by ``pid`` and its live children, from ``/proc``
    (None where there is no ``/proc``): read before and after a run, the difference is what
    the server spent on it."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for one in [pid, *_children(pid)]:
        try:
            fields = (proc / str(one) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone since it was listed
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids = [int(k) for k in task.read_text().split()]
        except OSError:
            continue
        for kid in kids:
            found += [kid, *_children(kid)]
    return found
