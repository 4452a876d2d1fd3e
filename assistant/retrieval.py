"""Hybrid retrieval: dense search in Chroma plus BM25 over the same chunks, fused by
reciprocal rank fusion. The BM25 side is the lexical index ingest saved (``lexical.py``),
or, when there is none, one built from the store's own chunks. The retrieved chunks come
back with their answerable units (sentences) and the unit vectors ingest stored, scored
against the question."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from collections.abc import Callable

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from .corpus import unit_documents
from .lexical import LexicalIndex, bm25_tokens
from .store import read_collection
from .vocabulary import Vocabulary

log = logging.getLogger(__name__)
UNIT_CACHE_CHUNKS = 4096  # chunks whose sentence vectors stay in memory (a few MB)
SECTION_CACHE = 256       # sections whose chunks stay in memory


@dataclass
class RetrievedChunk:
    doc: Document
    score: float                 # fused (RRF) score
    dense: float = 0.0           # cosine similarity to the question
    bm25: float = 0.0
    dense_rank: int | None = None
    bm25_rank: int | None = None

    @property
    def metadata(self) -> dict:
        return self.doc.metadata


@dataclass
class Unit:
    """One answerable unit of a retrieved chunk: a sentence, a list with its lead-in, or a FAQ question."""

    text: str
    hit: RetrievedChunk
    position: int                # order within the chunk
    role: str = "text"           # "question" for a FAQ entry's question
    similarity: float = 0.0      # cosine similarity to the question (the chunk's, when no unit vector is stored)
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)  # stored at ingest, if any

    @property
    def kind(self) -> str:
        return self.hit.metadata.get("kind", "article")


@dataclass
class Retrieval:
    """Results plus what the decision and the composer need to know about the query."""

    query: str
    chunks: list[RetrievedChunk]
    query_vector: list[float] | None = None
    units: list[Unit] = field(default_factory=list)
    probe_vectors: list[list[float]] = field(default_factory=list)  # of ``also_embed``, in order
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def top_dense(self) -> float:
        return max((c.dense for c in self.chunks), default=0.0)


class HybridRetriever(BaseRetriever):
    """A LangChain retriever; ``search`` returns the scored chunks behind it."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: object
    embeddings: object
    unit_store: object = None    # the "units" layer: one stored vector per answerable sentence
    term_store: object = None    # the "terms" layer: one stored vector per corpus word
    k_dense: int = 8
    k_sparse: int = 8
    k_final: int = 6
    rrf_k: int = 60
    lexical: LexicalIndex
    _unit_vectors: dict = PrivateAttr(default_factory=dict)  # chunk id -> {unit number: vector}, bounded
    _sections: dict = PrivateAttr(default_factory=dict)      # FAQ source reference -> its chunks, bounded
    _stored: dict = PrivateAttr(default_factory=dict)        # store id -> (chunk, vector), bounded: ids are content hashes
    _max_idf: float = PrivateAttr(default=1.0)

    def model_post_init(self, context) -> None:
        self._max_idf = self.lexical.max_idf  # the weight of a term the corpus never uses

    @classmethod
    def from_store(cls, store, embeddings, unit_store=None, term_store=None, lexical: LexicalIndex | None = None,
                   **params) -> "HybridRetriever":
        """With ``lexical`` (the saved index), nothing is read from the store; without it, the
        lexical index is built from every chunk in the store (what ingest does before saving it)."""
        if lexical is None:
            lexical = LexicalIndex.build(read_chunks(store))
        return cls(store=store, embeddings=embeddings, unit_store=unit_store, term_store=term_store,
                   lexical=lexical, **params)

    def with_lexical(self, lexical: LexicalIndex) -> "HybridRetriever":
        """The same stores and parameters over another version of the lexical index."""
        return type(self)(store=self.store, embeddings=self.embeddings, unit_store=self.unit_store,
                          term_store=self.term_store, k_dense=self.k_dense, k_sparse=self.k_sparse,
                          k_final=self.k_final, rrf_k=self.rrf_k, lexical=lexical)

    @property
    def vocabulary(self) -> Vocabulary:
        return self.lexical.vocabulary

    @property
    def chunk_count(self) -> int:
        return self.lexical.count

    def section_chunks(self, reference: str) -> list[Document]:
        """Chunks behind a FAQ's ``source``: ``<doc id>#<section slug>`` or a whole ``<doc id>``."""
        cached = self._sections.get(reference)
        if cached is None:
            doc_id, _, slug = reference.partition("#")
            ids = self.lexical.sections.get((doc_id, slug or None), [])
            found = {d.id: d for d in self._documents(ids)}
            cached = [found[i] for i in ids if i in found]  # a chunk an ingest removed since is skipped
            if len(self._sections) >= SECTION_CACHE:
                self._sections.pop(next(iter(self._sections)))
            self._sections[reference] = cached
        return cached

    def term_weight(self, term: str) -> float:
        return self.lexical.idf.get(term, self._max_idf)

    def term_in_corpus(self, term: str) -> bool:
        return term in self.lexical.idf

    def _documents(self, ids: list[str] = (), embeddings: bool = False, chunk_ids: list[str] = ()
                   ) -> list[tuple[Document, list[float] | None]] | list[Document]:
        """Chunks read from the store by their store ids, or by their ``chunk_id`` metadata."""
        if not ids and not chunk_ids:
            return []
        include = ["documents", "metadatas"] + (["embeddings"] if embeddings else [])
        if ids:
            got = self.store._collection.get(ids=list(ids), include=include)
        else:
            got = self.store._collection.get(where={"chunk_id": {"$in": list(chunk_ids)}}, include=include)
        docs = [Document(page_content=text or "", metadata=meta or {}, id=id_)
                for id_, text, meta in zip(got["ids"], got["documents"], got["metadatas"])]
        return list(zip(docs, got["embeddings"])) if embeddings else docs

    def _stored_chunks(self, ids: set[str]) -> dict[str, tuple[Document, list[float]]]:
        """Chunks with their stored vectors by store id, read once: an id is a hash of the chunk's content,
        so what it names never changes (this retriever serves one version of the index)."""
        missing = sorted(i for i in ids if i not in self._stored)
        if missing:
            if len(self._stored) > UNIT_CACHE_CHUNKS:
                self._stored.clear()
            self._stored.update((doc.id, (doc, vec)) for doc, vec in self._documents(missing, embeddings=True))
        return {i: self._stored[i] for i in ids if i in self._stored}

    def search(self, query: str, also_embed: list[str] = ()) -> Retrieval:
        """``also_embed``: texts the caller needs vectors of, embedded in the same batch as the
        query (one model call instead of two)."""
        timings: dict[str, float] = {}
        t = time.perf_counter()
        if also_embed:
            vector, *probe_vectors = self.embeddings.embed_documents([query, *also_embed])
        else:
            vector, probe_vectors = self.embeddings.embed_query(query), []
        timings["embed"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        dense_hits = (self.store.similarity_search_by_vector_with_relevance_scores(vector, k=self.k_dense)
                      if self.lexical.count else [])
        timings["dense"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        sparse_hits = self.lexical.search(bm25_tokens(query), self.k_sparse)
        timings["bm25"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        fused: dict[str, RetrievedChunk] = {}
        for rank, (doc, distance) in enumerate(dense_hits):
            hit = fused.setdefault(doc.id, RetrievedChunk(doc=doc, score=0.0))
            hit.dense, hit.dense_rank = 1.0 - float(distance), rank
            hit.score += 1.0 / (self.rrf_k + rank + 1)
        # A chunk found only by BM25 is read from the store (one call), with its stored vector
        # for its true cosine similarity. One an ingest has removed since is skipped.
        only_sparse = {id_ for id_, _ in sparse_hits if id_ not in fused}
        stored = self._stored_chunks(only_sparse)
        q = np.asarray(vector)
        for rank, (id_, score) in enumerate(sparse_hits):
            if id_ not in fused and id_ not in stored:
                continue
            if id_ not in fused:
                doc, vec = stored[id_]
                fused[id_] = RetrievedChunk(doc=doc, score=0.0, dense=float(np.dot(q, np.asarray(vec))))
            hit = fused[id_]
            hit.bm25, hit.bm25_rank = score, rank
            hit.score += 1.0 / (self.rrf_k + rank + 1)
        chunks = sorted(fused.values(), key=lambda h: (-h.score, h.doc.metadata.get("chunk_id", "")))[: self.k_final]
        timings["fusion"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        units = self._units(chunks, np.asarray(vector))
        timings["units"] = (time.perf_counter() - t) * 1000
        return Retrieval(query=query, chunks=chunks, query_vector=vector, units=units, probe_vectors=probe_vectors,
                         timings_ms=timings)

    def with_units_stating(self, retrieval: Retrieval, states: Callable[[str], bool], k: int = 8,
                           among: int = 24) -> Retrieval | None:
        """The retrieval with the chunks of the ``k`` units closest to the question (sentences and FAQ
        questions, by their stored vectors, among its ``among`` closest) that ``states`` accepts and that it
        lacks; None when none is new. "Is there demand for ...?" retrieves the license passages ("need"); the
        closest unit that states an outlook is the FAQ question "What is the job outlook ...?" (0.83)."""
        if self.unit_store is None or retrieval.query_vector is None:
            return None
        hits = self.unit_store.similarity_search_by_vector_with_relevance_scores(retrieval.query_vector, k=among)
        stating = [doc for doc, _ in hits if states(doc.metadata.get("text", doc.page_content))][:k]
        return self.with_chunks(retrieval, list(dict.fromkeys(doc.metadata.get("chunk_id", "") for doc in stating)))

    def with_chunks(self, retrieval: Retrieval, chunk_ids: list[str]) -> Retrieval | None:
        """The retrieval with these chunks added (those it lacks), scored against the question; None
        when none is new."""
        have = {c.metadata.get("chunk_id", "") for c in retrieval.chunks}
        wanted = [i for i in chunk_ids if i not in have]
        if not wanted or retrieval.query_vector is None:
            return None
        q = np.asarray(retrieval.query_vector)
        added = [RetrievedChunk(doc=doc, score=0.0, dense=float(np.dot(q, np.asarray(vec))))
                 for doc, vec in self._documents(chunk_ids=wanted, embeddings=True)]
        if not added:
            return None
        return Retrieval(query=retrieval.query, chunks=retrieval.chunks + added, query_vector=retrieval.query_vector,
                         units=retrieval.units + self._units(added, q), probe_vectors=retrieval.probe_vectors,
                         timings_ms=retrieval.timings_ms)

    def _units(self, chunks: list[RetrievedChunk], q: np.ndarray) -> list[Unit]:
        """The units of the retrieved chunks with their similarity to the question, from the
        vectors stored at ingest. A chunk whose units were never stored (a store filled by
        other means) still yields its units, scored with the chunk's own similarity."""
        stored: dict[tuple[str, int], np.ndarray] = {}
        missing = [c for c in chunks if c.doc.id not in self._unit_vectors]
        if self.unit_store is not None and missing:
            got = self.unit_store._collection.get(
                where={"chunk_id": {"$in": [c.metadata.get("chunk_id", "") for c in missing]}},
                include=["metadatas", "embeddings"])
            by_chunk: dict[str, dict[int, np.ndarray]] = {}
            for meta, vec in zip(got["metadatas"], got["embeddings"]):
                by_chunk.setdefault(meta["chunk_id"], {})[int(meta["unit"])] = np.asarray(vec)
            for c in missing:
                # Keyed by the chunk's id, a hash of its content: an edited chunk is a new key.
                self._unit_vectors[c.doc.id] = by_chunk.get(c.metadata.get("chunk_id", ""), {})
                if len(self._unit_vectors) > UNIT_CACHE_CHUNKS:
                    self._unit_vectors.pop(next(iter(self._unit_vectors)))
        for c in chunks:
            for number, vec in self._unit_vectors.get(c.doc.id, {}).items():
                stored[(c.metadata.get("chunk_id", ""), number)] = vec
        units = []
        for hit in chunks:
            for doc in unit_documents([hit.doc]):
                key = (hit.metadata.get("chunk_id", ""), doc.metadata["unit"])
                vec = stored.get(key)
                units.append(Unit(text=doc.metadata.get("text", doc.page_content), hit=hit, position=doc.metadata["unit"], role=doc.metadata["role"],
                                  similarity=float(vec @ q) if vec is not None else hit.dense, vector=vec))
        return units

    def nearest_terms(self, vectors: list[list[float]], n: int = 3) -> list[list[tuple[str, float]]]:
        """For each word vector, the ``n`` closest words the corpus uses, with their cosine similarity."""
        if self.term_store is None or not vectors or not self.term_store._collection.count():
            return [[] for _ in vectors]
        # A word used in several files is stored once per file: ask for enough to find n different ones.
        got = self.term_store._collection.query(query_embeddings=vectors, n_results=4 * n,
                                                include=["documents", "distances"])
        out = []
        for docs, dists in zip(got["documents"], got["distances"]):
            closest: dict[str, float] = {}
            for doc, dist in zip(docs, dists):
                closest.setdefault(doc, 1.0 - float(dist))
            out.append(list(closest.items())[:n])
        return out

    def corpus_centroid(self, sample: int = 5000) -> np.ndarray | None:
        """The mean direction of the corpus's sentences (from at most ``sample`` stored unit
        vectors, so start-up does not grow with the corpus): how close a word is to it says
        whether the word belongs to the subject's domain."""
        if self.unit_store is None:
            return None
        got = self.unit_store._collection.get(limit=sample, include=["embeddings"])
        if not len(got["ids"]):
            return None
        mean = np.asarray(got["embeddings"]).mean(axis=0)
        return mean / (np.linalg.norm(mean) or 1.0)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        out = []
        for hit in self.search(query).chunks:
            meta = {**hit.doc.metadata, "score": hit.score, "dense": hit.dense, "bm25": hit.bm25}
            out.append(Document(page_content=hit.doc.page_content, metadata=meta, id=hit.doc.id))
        return out


def read_chunks(store) -> list[Document]:
    """Every chunk in the store (paged): what the lexical index is built from."""
    data = read_collection(store._collection, ["documents", "metadatas"])
    return [Document(page_content=text or "", metadata=meta or {}, id=id_)
            for id_, text, meta in zip(data["ids"], data["documents"], data["metadatas"])]
