"""Brings the vector store to exactly the corpus's chunks, incrementally.

LangChain's indexing API with a SQLite record manager does the bookkeeping: chunks are
keyed by a hash of their content and metadata, so an unchanged chunk is never embedded
again and a re-run with no change adds nothing. Beside the chunks, two derived layers
go through the same machinery, each in its own collection: every answerable sentence
(``units``) and every distinct word (``terms``), embedded once here so that answering
can judge a question by meaning without embedding the corpus again. Three things are
added around it:

* a file that fails to parse keeps its previous chunks (a bad edit never damages the index);
* chunks of a file deleted from the corpus are removed;
* a run killed at any point is repaired by the next one: store and records are reconciled
  before and after indexing, so they converge to the corpus with no duplicates.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.indexing import index
from tqdm import tqdm

from .corpus import CorpusError, corpus_fingerprint, load_corpus, term_documents, unit_documents
from .embeddings import LocalEmbeddings
from .settings import Settings
from .store import LAYERS, chroma_client, open_record_manager, open_vector_store, read_collection, recorded_groups

log = logging.getLogger(__name__)
SOURCE_KEY = "path"
STATE_FILE = "index-state.json"
BATCH_SIZE = 32


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[CorpusError] = field(default_factory=list)
    chunks: int = 0
    derived: dict[str, int] = field(default_factory=dict)  # units / terms embedded this run

    def summary(self) -> str:
        return (f"added={self.added} updated={self.updated} deleted={self.deleted} "
                f"unchanged={self.unchanged} failed={self.failed}")


def index_state(settings: Settings) -> dict:
    try:
        return json.loads((settings.data_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def index_is_current(settings: Settings, corpus_dir: Path | None = None) -> bool:
    """True when the last complete ingest saw exactly the corpus as it is now."""
    state = index_state(settings)
    corpus_dir = Path(corpus_dir or settings.corpus_dir)
    return bool(state) and state.get("fingerprint") == corpus_fingerprint(corpus_dir) and (
        settings.chroma_host is not None or settings.chroma_dir.exists()
    )


def _write_state(settings: Settings, corpus_dir: Path, chunks: int, failed: list[str]) -> None:
    path = settings.data_dir / STATE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"fingerprint": corpus_fingerprint(corpus_dir), "chunks": chunks, "failed": failed}))
    os.replace(tmp, path)  # atomic: a kill leaves the old state or the new one


def _clear_state(settings: Settings) -> None:
    (settings.data_dir / STATE_FILE).unlink(missing_ok=True)


def run_ingest(settings: Settings, corpus_dir: Path | None = None, *, rebuild: bool = False,
               progress: bool = True) -> IngestReport:
    corpus_dir = Path(corpus_dir or settings.corpus_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if rebuild:
        _drop_index(settings)
    loaded = load_corpus(corpus_dir)
    report = IngestReport(errors=loaded.errors, failed=len(loaded.errors))
    for error in loaded.errors:
        log.info("skipped %s", error)

    _clear_state(settings)  # until this run completes, the index counts as stale
    client = chroma_client(settings)
    embeddings = LocalEmbeddings()
    # Files that failed to parse are still present: they keep their chunks (and derived layers).
    present = set(loaded.chunks) | loaded.failed_paths
    derive = {"chunks": lambda docs: docs, "units": unit_documents, "terms": term_documents}
    for layer in LAYERS:
        docs = [d for file_chunks in loaded.chunks.values() for d in derive[layer](file_chunks)]
        result = _index_layer(settings, client, embeddings, layer, docs, present, progress)
        if layer == "chunks":
            report.added, report.updated = result["num_added"], result["num_updated"]
            report.unchanged, report.deleted = result["num_skipped"], result["num_deleted"]
            report.chunks = result["count"]
        else:
            report.derived[layer] = result["num_added"]
    # Current even when a file failed: running again cannot fix a file, and editing it changes the
    # fingerprint, which makes the index stale again. The state says which files failed.
    _write_state(settings, corpus_dir, report.chunks, sorted(loaded.failed_paths))
    return report


def _index_layer(settings: Settings, client, embeddings, layer: str, docs, present: set[str], progress: bool) -> dict:
    store = open_vector_store(settings, embeddings, client=client, layer=layer)
    records = open_record_manager(settings, layer)
    _forget_records_missing_from_store(store, records)
    bar = tqdm(docs, desc=f"Embedding {layer}", unit=layer[:-1], disable=not progress, leave=False)
    result = dict(index(bar, records, store, cleanup="scoped_full", source_id_key=SOURCE_KEY,
                        key_encoder="sha256", batch_size=BATCH_SIZE))
    bar.close()
    # Files gone from the corpus.
    for group in sorted(recorded_groups(records) - present):
        keys = records.list_keys(group_ids=[group])
        if keys:
            store.delete(ids=keys)
            records.delete_keys(keys)
            result["num_deleted"] += len(keys)
    result["num_deleted"] += _delete_store_orphans(store, records)
    result["count"] = store._collection.count()
    return result


def _store_ids(store) -> set[str]:
    return set(read_collection(store._collection, [])["ids"])


def _forget_records_missing_from_store(store, records) -> None:
    """A kill between deleting vectors and deleting their records leaves records for
    vectors that are gone; forget them so that those chunks are added again."""
    missing = set(records.list_keys()) - _store_ids(store)
    if missing:
        records.delete_keys(sorted(missing))


def _delete_store_orphans(store, records) -> int:
    """A kill between adding vectors and recording them leaves vectors no record knows."""
    orphans = _store_ids(store) - set(records.list_keys())
    if orphans:
        store.delete(ids=sorted(orphans))
    return len(orphans)


def _drop_index(settings: Settings) -> None:
    """Empty the collection and forget every record, through the clients (removing the
    folder under a live client would leave that client pointing at deleted files)."""
    _clear_state(settings)
    try:
        client = chroma_client(settings)
    except Exception as exc:
        if settings.chroma_host:
            raise
        _set_aside(settings, exc)
        client = chroma_client(settings)
    for layer in LAYERS:
        try:
            client.delete_collection(settings.collection_name(layer))
        except Exception:  # chromadb raises NotFoundError/ValueError by version when it does not exist
            pass
        records = open_record_manager(settings, layer)
        keys = records.list_keys()
        if keys:
            records.delete_keys(keys)


def _set_aside(settings: Settings, reason: Exception) -> None:
    """A store that cannot even be opened is moved aside (kept for inspection, not deleted)."""
    from chromadb.api.client import SharedSystemClient

    target = settings.chroma_dir.with_name(f"chroma.broken-{int(time.time())}")
    log.error("the store in %s cannot be opened (%s); moving it to %s and starting a new one",
              settings.chroma_dir, reason, target)
    SharedSystemClient.clear_system_cache()
    os.replace(settings.chroma_dir, target)
