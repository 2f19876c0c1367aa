"""One MiniLM model and one policy index per test session (loading the model takes seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromadb.api.models.Collection import Collection

from knowledge.embeddings import MiniLMEmbedding
from knowledge.indexer import sync_index
from knowledge.retriever import Retriever
from knowledge.store import open_client, open_collection
from promesa.settings import Settings


@pytest.fixture(scope="session")
def knowledge_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("knowledge"), environment="test")


@pytest.fixture(scope="session")
def policy_collection(knowledge_settings: Settings) -> Collection:
    collection = open_collection(open_client(knowledge_settings), knowledge_settings)
    sync_index(collection)
    return collection


@pytest.fixture(scope="session")
def retriever(policy_collection: Collection) -> Retriever:
    return Retriever(policy_collection, MiniLMEmbedding())


@pytest.fixture()
def library_copy(tmp_path: Path) -> Path:
    """A writable copy of a small part of the library."""
    from knowledge.documents import LIBRARY_DIR

    target = tmp_path / "policies"
    target.mkdir()
    for name in ("returns.en.md", "returns.es.md", "pickup.en.md", "compensation-limits.en.md"):
        (target / name).write_text((LIBRARY_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    return target
