"""Incremental indexing: only documents whose content hash changed are re-embedded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chromadb.api.models.Collection import Collection
from pydantic import BaseModel

from knowledge.documents import LIBRARY_DIR, PolicyDocument, load_library
from promesa.settings import Settings


class IndexReport(BaseModel):
    """What a sync did, by document (a document is one file: id + locale)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0


def chunk_id(document: PolicyDocument, anchor: str) -> str:
    """The id of a document's section: document id, locale and section anchor."""
    return f"{document.id}:{document.locale}#{anchor}"


def chunk_text(document: PolicyDocument, title: str, text: str) -> str:
    """What is embedded and matched: the document and section titles give the text context."""
    return f"{document.title} — {title}\n\n{text}"


def indexed_hashes(collection: Collection) -> dict[str, str]:
    """``doc_key -> content_hash`` of what the collection holds now."""
    stored = collection.get(include=["metadatas"])
    return {str(m["doc_key"]): str(m["content_hash"]) for m in stored["metadatas"] or []}


#: Called after each document with (documents done, documents in all, the document's key).
OnDocument = Callable[[int, int, str], None]


def sync_index(collection: Collection, library_dir: Path = LIBRARY_DIR,
               on_document: OnDocument | None = None) -> IndexReport:
    """Bring ``collection`` in line with the library: add new, replace changed, drop deleted.

    The library is parsed and validated first, so a bad file changes nothing in the index.
    ``on_document`` hears of each document as it is done (embedding them is the slow part).
    """
    documents = load_library(library_dir)
    current = indexed_hashes(collection)
    report = IndexReport()
    wanted = {d.key for d in documents}
    for key in sorted(set(current) - wanted):
        collection.delete(where={"doc_key": key})
        report.removed += 1
    for done, document in enumerate(documents, 1):
        if on_document is not None and done > 1:
            on_document(done - 1, len(documents), documents[done - 2].key)
        previous = current.get(document.key)
        if previous == document.content_hash:
            report.unchanged += 1
            continue
        if previous is not None:
            # Sections may have been renamed or removed: drop the old chunks first.
            collection.delete(where={"doc_key": document.key})
            report.updated += 1
        else:
            report.added += 1
        collection.upsert(
            ids=[chunk_id(document, s.anchor) for s in document.sections],
            documents=[chunk_text(document, s.title, s.text) for s in document.sections],
            metadatas=[
                {
                    "doc_id": document.id,
                    "doc_key": document.key,
                    "anchor": s.anchor,
                    "title": document.title,
                    "section_title": s.title,
                    "audience": document.audience,
                    "locale": document.locale,
                    "version": document.version,
                    "content_hash": document.content_hash,
                }
                for s in document.sections
            ],
        )
    if on_document is not None and documents:
        on_document(len(documents), len(documents), documents[-1].key)
    report.chunks = collection.count()
    return report


def build_index(settings: Settings, on_document: OnDocument | None = None) -> IndexReport:
    """Sync the library into the configured Chroma (embedded, or the server at ``chroma_url``)."""
    from knowledge.store import open_client, open_collection

    return sync_index(open_collection(open_client(settings), settings), on_document=on_document)
