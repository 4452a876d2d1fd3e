"""The naive recipe a user would otherwise build: LangChain's text splitter at 1000/200 over
the corpus files, Chroma similarity search, the top chunk as the answer, no refusals."""

from __future__ import annotations

from pathlib import Path

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.answer import Answer, Citation
from assistant.corpus import corpus_files
from assistant.embeddings import LocalEmbeddings


class NaiveRAG:
    def __init__(self, corpus_dir: Path, embeddings=None):
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        docs: list[Document] = []
        for path in corpus_files(corpus_dir):
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            for i, piece in enumerate(splitter.split_text(text)):
                docs.append(Document(page_content=piece, metadata={"title": path.stem, "chunk_id": f"{path.name}:{i}"}))
        self.corpus_text = {d.metadata["chunk_id"]: d.page_content for d in docs}
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(collection_name="naive_baseline", embedding_function=embeddings or LocalEmbeddings(),
                            client=client, collection_configuration={"hnsw": {"space": "cosine"}})
        self.store.add_documents(docs, ids=[d.metadata["chunk_id"] for d in docs])

    def answer(self, question: str, history: list | None = None) -> tuple[Answer, list[Document]]:
        import time

        started = time.perf_counter()
        hits = self.store.similarity_search(question or " ", k=5)
        top = hits[0]
        answer = Answer(
            answer=f"{top.page_content} [1]",
            citations=[Citation(n=1, doc_id=top.metadata["title"], title=top.metadata["title"], section="",
                                snippet=top.page_content, chunk_id=top.metadata["chunk_id"])],
            refused=False, confidence=0.0, latency_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return answer, hits
