"""The Chroma side of the policy index: embedded by default, a Chroma server by URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from knowledge.embeddings import make_embedding_function
from promesa.errors import InvalidInput
from promesa.settings import Settings

COLLECTION = "promesa_policies"


def open_client(settings: Settings, path: Path | None = None) -> ClientAPI:
    """A Chroma client: ``HttpClient`` when ``settings.chroma_url`` is set, else embedded.

    Args:
        settings: The process settings.
        path: Overrides the embedded folder (default ``settings.data_dir / "chroma"``).
    """
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url and path is None:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise InvalidInput(f"bad Chroma URL {settings.chroma_url!r}", field="chroma_url")
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    folder = path or settings.data_dir / "chroma"
    folder.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(folder), settings=chroma_settings)


def open_collection(client: ClientAPI, settings: Settings) -> Collection:
    """The policy collection (cosine space), created on first use."""
    return client.get_or_create_collection(
        COLLECTION,
        embedding_function=make_embedding_function(settings),  # type: ignore[arg-type]
        configuration={"hnsw": {"space": "cosine"}},
    )
