"""The vector store (Chroma, embedded or a server) and the ingest record manager (SQLite or PostgreSQL)."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from .settings import Settings

# Cosine distance: scores become 1 - distance, the cosine similarity of normalized vectors.
COLLECTION_CONFIGURATION = {"hnsw": {"space": "cosine"}}
# What ingest embeds: the chunks retrieval returns, and two layers derived from them
# (each answerable sentence, each distinct word), each its own collection and record namespace.
LAYERS = ("chunks", "units", "terms")


class StoreUnavailableError(RuntimeError):
    pass


def chroma_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=client_settings)
        except Exception as exc:  # chromadb raises several types for "cannot connect"
            raise StoreUnavailableError(
                f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} ({exc}). "
                "Start it with `chroma run --path DIR --port PORT`, or unset CHROMA_HOST to use the embedded store."
            ) from exc
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=client_settings)


def open_vector_store(settings: Settings, embeddings: Embeddings, client=None, layer: str = "chunks"):
    """LangChain's Chroma with our embedding function, never Chroma's default one."""
    from langchain_chroma import Chroma

    return Chroma(
        collection_name=settings.collection_name(layer),
        embedding_function=embeddings,
        client=client or chroma_client(settings),
        collection_configuration=COLLECTION_CONFIGURATION,
    )


def open_record_manager(settings: Settings, layer: str = "chunks"):
    # The module itself, not the package: the package also imports its vector-store helpers (0.4 s).
    from langchain_classic.indexes._sql_record_manager import SQLRecordManager

    from .database import engine_for

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    manager = SQLRecordManager(  # the process's one engine (pool) for this database
        namespace=f"chroma/{settings.collection_name(layer)}", engine=engine_for(settings.records_url, timeout=30))
    manager.create_schema()
    return manager


def recorded_groups(record_manager) -> set[str]:
    """Source files the record manager knows. The record manager has no public call for
    this, so ask its table directly (one indexed query)."""
    from langchain_classic.indexes._sql_record_manager import UpsertionRecord
    from sqlalchemy import select

    with record_manager._make_session() as session:
        rows = session.execute(
            select(UpsertionRecord.group_id).where(UpsertionRecord.namespace == record_manager.namespace).distinct()
        )
        return {group for (group,) in rows if group is not None}


def read_collection(collection, include: list[str], page: int = 5000) -> dict[str, list]:
    """Everything in a collection, page by page: one big get() runs into SQLite's variable limit."""
    out: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        batch = collection.get(include=include, limit=page, offset=offset)
        out["ids"].extend(batch["ids"])
        for key in include:
            out[key].extend(batch[key])
        if len(batch["ids"]) < page:
            return out
        offset += page
