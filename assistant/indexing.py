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
  before and after indexing, so they converge to the corpus with no duplicates;
* one ingest at a time, from any machine sharing the database (``database.ingest_lock``).

At the end, the lexical index (BM25, term statistics, vocabulary) is built from the stored
chunks and saved, and the index state row names its version: serving processes load that
instead of reading every chunk, and notice a new version without a restart.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.indexing import index
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from .corpus import CorpusError, corpus_fingerprint, load_corpus, term_documents, unit_documents
from .database import engine_for, ensure_tables, index_state_table, ingest_lock
from .embeddings import LocalEmbeddings
from .lexical import STATS_FILE, LexicalIndex
from .retrieval import read_chunks
from .settings import Settings
from .store import LAYERS, chroma_client, open_record_manager, open_vector_store, read_collection, recorded_groups

log = logging.getLogger(__name__)
SOURCE_KEY = "path"
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
    """What the last complete ingest saw: fingerprint, chunks, failed files, lexical version.
    Empty while an ingest runs, before the first one, or when the database cannot be read."""
    try:
        engine = engine_for(settings.records_url)
        ensure_tables(engine, index_state_table)
        with engine.connect() as conn:
            row = conn.execute(select(index_state_table).where(
                index_state_table.c.collection == settings.collection)).first()
    except (SQLAlchemyError, OSError) as exc:
        log.warning("cannot read the index state: %s", type(exc).__name__)
        return {}
    if row is None:
        return {}
    state = dict(row._mapping)
    state["failed"] = json.loads(state["failed"])
    return state


def lexical_folder(settings: Settings, state: dict | None = None) -> Path | None:
    """The saved lexical index of the current version, when it is there."""
    state = index_state(settings) if state is None else state
    folder = settings.lexical_dir / state["version"] if state.get("version") else None
    return folder if folder is not None and (folder / STATS_FILE).exists() else None


def index_is_current(settings: Settings, corpus_dir: Path | None = None) -> bool:
    """True when the last complete ingest saw exactly the corpus as it is now, and its saved
    lexical index is there."""
    state = index_state(settings)
    corpus_dir = Path(corpus_dir or settings.corpus_dir)
    return bool(state) and state.get("fingerprint") == corpus_fingerprint(corpus_dir) and (
        settings.chroma_host is not None or settings.chroma_dir.exists()
    ) and lexical_folder(settings, state) is not None


def _write_state(settings: Settings, corpus_dir: Path, chunks: int, failed: list[str], version: str) -> None:
    table = index_state_table
    engine = engine_for(settings.records_url)
    ensure_tables(engine, table)
    with engine.begin() as conn:  # one transaction: a kill leaves the old state or the new one
        conn.execute(delete(table).where(table.c.collection == settings.collection))
        conn.execute(insert(table).values(collection=settings.collection, fingerprint=corpus_fingerprint(corpus_dir),
                                          chunks=chunks, failed=json.dumps(failed), version=version,
                                          updated_at=time.time()))


def _clear_state(settings: Settings) -> None:
    engine = engine_for(settings.records_url)
    ensure_tables(engine, index_state_table)
    with engine.begin() as conn:
        conn.execute(delete(index_state_table).where(index_state_table.c.collection == settings.collection))


def save_lexical_index(settings: Settings, store) -> LexicalIndex:
    """Build the lexical index from every chunk in the store and save it for serving processes."""
    lexical = LexicalIndex.build(read_chunks(store))
    lexical.save(settings.lexical_dir)
    return lexical


def reindex_lexical(settings: Settings) -> LexicalIndex:
    """Save the lexical index of the store as it is (for a store also filled by other means,
    as the scale benchmark does), and point the index state at it."""
    with ingest_lock(settings.records_url, f"ingest:{settings.collection}"):
        state = index_state(settings)
        store = open_vector_store(settings, LocalEmbeddings(), client=chroma_client(settings))
        lexical = save_lexical_index(settings, store)
        _write_state(settings, settings.corpus_dir, lexical.count, state.get("failed", []), lexical.version)
        return lexical


def run_ingest(settings: Settings, corpus_dir: Path | None = None, *, rebuild: bool = False,
               progress: bool = True) -> IngestReport:
    corpus_dir = Path(corpus_dir or settings.corpus_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with ingest_lock(settings.records_url, f"ingest:{settings.collection}"):
        return _run_ingest(settings, corpus_dir, rebuild, progress)


def _run_ingest(settings: Settings, corpus_dir: Path, rebuild: bool, progress: bool) -> IngestReport:
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
    stores = {}
    for layer in LAYERS:
        docs = [d for file_chunks in loaded.chunks.values() for d in derive[layer](file_chunks)]
        stores[layer] = open_vector_store(settings, embeddings, client=client, layer=layer)
        result = _index_layer(settings, stores[layer], layer, docs, present, progress)
        if layer == "chunks":
            report.added, report.updated = result["num_added"], result["num_updated"]
            report.unchanged, report.deleted = result["num_skipped"], result["num_deleted"]
            report.chunks = result["count"]
        else:
            report.derived[layer] = result["num_added"]
    # Current even when a file failed: running again cannot fix a file, and editing it changes the
    # fingerprint, which makes the index stale again. The state says which files failed.
    lexical = save_lexical_index(settings, stores["chunks"])
    _write_state(settings, corpus_dir, report.chunks, sorted(loaded.failed_paths), lexical.version)
    return report


def _index_layer(settings: Settings, store, layer: str, docs, present: set[str], progress: bool) -> dict:
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
