"""Hybrid retrieval: dense search in Chroma plus BM25 over the same chunks, fused by
reciprocal rank fusion. The BM25 index is built from the store's own chunks at start-up,
so the two always agree. The retrieved chunks come back with their answerable units
(sentences) and the unit vectors ingest stored, scored against the question."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import bm25s
import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from .corpus import unit_documents
from .store import read_collection
from .text import STOPWORDS, content_terms, stem, words
from .vocabulary import Vocabulary

logging.getLogger("bm25s").setLevel(logging.WARNING)
UNIT_CACHE_CHUNKS = 4096  # chunks whose sentence vectors stay in memory (a few MB)


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


def _bm25_tokens(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS]


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
    docs: list[Document] = []
    bm25: object = None
    vocabulary: Vocabulary = Vocabulary(frozenset(), frozenset())
    idf: dict = {}
    max_idf: float = 1.0  # the weight of a term the corpus never uses
    sections: dict = {}
    _unit_vectors: dict = PrivateAttr(default_factory=dict)  # chunk id -> {unit number: vector}, bounded

    @classmethod
    def from_store(cls, store, embeddings, unit_store=None, term_store=None, **params) -> "HybridRetriever":
        data = read_collection(store._collection, ["documents", "metadatas"])
        docs = [Document(page_content=text or "", metadata=meta or {}, id=id_)
                for id_, text, meta in zip(data["ids"], data["documents"], data["metadatas"])]
        texts = [d.page_content for d in docs]
        bm25 = bm25s.BM25()
        if docs:
            bm25.index([_bm25_tokens(t) for t in texts], show_progress=False)
        # Document frequency of content terms: weights for sentence scoring, and the
        # vocabulary that tells whether the corpus mentions a question's terms at all.
        df: dict[str, int] = {}
        for text in texts:
            for term in set(content_terms(text, keep_filler=True)):
                df[term] = df.get(term, 0) + 1
        n = max(len(docs), 1)
        idf = {t: float(np.log(1 + (n - f + 0.5) / (f + 0.5))) for t, f in df.items()}
        sections: dict[tuple[str, str], list[Document]] = {}
        for doc in sorted(docs, key=lambda d: (d.metadata.get("doc_id", ""), d.metadata.get("position", 0))):
            meta = doc.metadata
            sections.setdefault((meta.get("doc_id"), meta.get("section_slug")), []).append(doc)
            sections.setdefault((meta.get("doc_id"), None), []).append(doc)
        return cls(store=store, embeddings=embeddings, unit_store=unit_store, term_store=term_store,
                   docs=docs, bm25=bm25, vocabulary=Vocabulary.from_texts(texts),
                   idf=idf, max_idf=max(idf.values(), default=1.0), sections=sections, **params)

    def section_chunks(self, reference: str) -> list[Document]:
        """Chunks behind a FAQ's ``source``: ``<doc id>#<section slug>`` or a whole ``<doc id>``."""
        doc_id, _, slug = reference.partition("#")
        return self.sections.get((doc_id, slug or None), [])

    def term_weight(self, term: str) -> float:
        return self.idf.get(term, self.max_idf)

    def term_in_corpus(self, term: str) -> bool:
        return term in self.idf

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
        dense_hits = self.store.similarity_search_by_vector_with_relevance_scores(vector, k=self.k_dense) if self.docs else []
        timings["dense"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        sparse_hits = self._bm25(query)
        timings["bm25"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        fused: dict[str, RetrievedChunk] = {}
        for rank, (doc, distance) in enumerate(dense_hits):
            hit = fused.setdefault(doc.id, RetrievedChunk(doc=doc, score=0.0))
            hit.dense, hit.dense_rank = 1.0 - float(distance), rank
            hit.score += 1.0 / (self.rrf_k + rank + 1)
        for rank, (i, score) in enumerate(sparse_hits):
            doc = self.docs[i]
            hit = fused.setdefault(doc.id, RetrievedChunk(doc=doc, score=0.0))
            hit.bm25, hit.bm25_rank = score, rank
            hit.score += 1.0 / (self.rrf_k + rank + 1)
        # A chunk found only by BM25 still gets its true cosine similarity, from the stored vector.
        missing = [h for h in fused.values() if h.dense_rank is None]
        if missing:
            got = self.store._collection.get(ids=[h.doc.id for h in missing], include=["embeddings"])
            q = np.asarray(vector)
            by_id = dict(zip(got["ids"], got["embeddings"]))
            for h in missing:
                if h.doc.id in by_id:
                    h.dense = float(np.dot(q, np.asarray(by_id[h.doc.id])))
        chunks = sorted(fused.values(), key=lambda h: (-h.score, h.doc.metadata.get("chunk_id", "")))[: self.k_final]
        timings["fusion"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        units = self._units(chunks, np.asarray(vector))
        timings["units"] = (time.perf_counter() - t) * 1000
        return Retrieval(query=query, chunks=chunks, query_vector=vector, units=units, probe_vectors=probe_vectors,
                         timings_ms=timings)

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
                units.append(Unit(text=doc.page_content, hit=hit, position=doc.metadata["unit"], role=doc.metadata["role"],
                                  similarity=float(vec @ q) if vec is not None else hit.dense))
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

    def _bm25(self, query: str) -> list[tuple[int, float]]:
        tokens = _bm25_tokens(query)
        if not self.docs or not tokens:
            return []
        k = min(self.k_sparse, len(self.docs))
        results, scores = self.bm25.retrieve([tokens], k=k, show_progress=False)
        return [(int(i), float(s)) for i, s in zip(results[0], scores[0]) if s > 0]

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        out = []
        for hit in self.search(query).chunks:
            meta = {**hit.doc.metadata, "score": hit.score, "dense": hit.dense, "bm25": hit.bm25}
            out.append(Document(page_content=hit.doc.page_content, metadata=meta, id=hit.doc.id))
        return out
