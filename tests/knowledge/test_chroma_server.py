"""The distributed path for real: a Chroma server on loopback, reached through ``chroma_url``.

Runs by default when the venv ships the ``chroma`` executable (chromadb does); deselect with
``-m "not chroma_server"``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from knowledge.embeddings import MiniLMEmbedding
from knowledge.indexer import sync_index
from knowledge.retriever import Retriever
from knowledge.store import COLLECTION, open_client, open_collection
from promesa.principal import Principal, Role
from promesa.settings import Settings

CHROMA = Path(sys.executable).parent / "chroma"
STARTUP_SECONDS = 30

pytestmark = [
    pytest.mark.chroma_server,
    pytest.mark.skipif(not CHROMA.exists(), reason="no chroma executable in the venv"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def chroma_url(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path / "chroma.log").open("wb")
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"chroma exited with {process.returncode}: {(tmp_path / 'chroma.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"chroma did not answer within {STARTUP_SECONDS}s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def test_index_search_and_reopen_through_a_chroma_server(chroma_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", chroma_url=chroma_url)
    client = open_client(settings)
    assert type(client).__name__ != "PersistentClient"
    collection = open_collection(client, settings)
    first = sync_index(collection)
    assert first.added >= 30 and first.chunks == collection.count() > 100
    assert not (tmp_path / "data" / "chroma").exists()  # nothing embedded on local files

    retriever = Retriever(collection, MiniLMEmbedding())
    customer = Principal(role=Role.customer, subject="C-1000")
    hits = retriever.search(customer, "¿Cuántos días tengo para devolver un producto?")
    assert hits[0].citation == "returns#return-window" and hits[0].locale == "es"

    # A new client (another process would do the same) finds the index as it was left.
    reopened = open_collection(open_client(settings), settings)
    assert reopened.count() == collection.count()
    assert sync_index(reopened).unchanged == first.added
    stored = open_client(settings).get_collection(COLLECTION)  # no embedding function passed
    result = stored.query(query_texts=["How many days do I have to return an item?"], n_results=1, where={"locale": "en"})
    assert result["metadatas"] is not None and result["metadatas"][0][0]["anchor"] == "return-window"
