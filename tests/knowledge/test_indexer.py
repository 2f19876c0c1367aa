from __future__ import annotations

from pathlib import Path

from knowledge.indexer import indexed_hashes, sync_index
from knowledge.store import open_client, open_collection
from promesa.settings import Settings


def test_reindex_touches_only_changed_documents(tmp_path: Path, library_copy: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    collection = open_collection(open_client(settings), settings)
    first = sync_index(collection, library_copy)
    assert (first.added, first.updated, first.unchanged, first.removed) == (4, 0, 0, 0)
    assert sync_index(collection, library_copy).unchanged == 4

    before = indexed_hashes(collection)
    pickup = library_copy / "pickup.en.md"
    pickup.write_text(pickup.read_text().replace("## Pickup hours {#pickup-hours}\n", "## Opening hours {#opening-hours}\n"))
    (library_copy / "returns.es.md").unlink()
    report = sync_index(collection, library_copy)
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 1, 2, 1)
    after = indexed_hashes(collection)
    assert "returns:es" not in after and after["returns:en"] == before["returns:en"]
    anchors = {m["anchor"] for m in collection.get(where={"doc_key": "pickup:en"})["metadatas"]}
    assert "opening-hours" in anchors and "pickup-hours" not in anchors


def test_a_bad_file_changes_nothing(tmp_path: Path, library_copy: Path) -> None:
    import pytest

    from knowledge.documents import PolicyFormatError

    settings = Settings(data_dir=tmp_path / "data")
    collection = open_collection(open_client(settings), settings)
    sync_index(collection, library_copy)
    count = collection.count()
    (library_copy / "broken.md").write_text("no front matter")
    with pytest.raises(PolicyFormatError):
        sync_index(collection, library_copy)
    assert collection.count() == count
