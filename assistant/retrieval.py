"""Hybrid retrieval: dense search in Chroma plus BM25 over the same chunks, fused by
reciprocal rank fusion. The BM25 index is built from the store's own chunks at start-up,
so the two always agree."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import bm25s
import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from .store import read_collection
from .text import STOPWORDS, content_terms, stem, words
from .vocabulary import Vocabulary

logging.getLogger("bm25s").setLevel(logging.WARNING)


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
class Retrieval:
    """Results plus what the composer and the refusal check need to know about the query."""

    query: str
    chunks: list[RetrievedChunk]
    query_vector: list[float] | None = None
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

    @classmethod
    def from_store(cls, store, embeddings, **params) -> "HybridRetriever":
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
        return cls(store=store, embeddings=embeddings, docs=docs, bm25=bm25, vocabulary=Vocabulary.from_texts(texts),
                   idf=idf, max_idf=max(idf.values(), default=1.0), sections=sections, **params)

    def section_chunks(self, reference: str) -> list[Document]:
        """Chunks behind a FAQ's ``source``: ``<doc id>#<section slug>`` or a whole ``<doc id>``."""
        doc_id, _, slug = reference.partition("#")
        return self.sections.get((doc_id, slug or None), [])

    def term_weight(self, term: str) -> float:
        return self.idf.get(term, self.max_idf)

    def term_in_corpus(self, term: str) -> bool:
        return term in self.idf

    def search(self, query: str) -> Retrieval:
        timings: dict[str, float] = {}
        t = time.perf_counter()
        vector = self.embeddings.embed_query(query)
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
        return Retrieval(query=query, chunks=chunks, query_vector=vector, timings_ms=timings)

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
