"""`python -m benchmarks.scale N DIR`: the shipped corpus plus N synthetic chunks with
precomputed (random, seeded) vectors; prints one JSON line with timings and peak memory."""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import numpy as np


def main() -> None:
    n, work = int(sys.argv[1]), Path(sys.argv[2])
    from assistant import Assistant
    from assistant.corpus import load_corpus
    from assistant.embeddings import LocalEmbeddings
    from assistant.indexing import run_ingest
    from assistant.settings import Settings
    from assistant.store import chroma_client, open_vector_store

    from .__main__ import STAGES, questions
    from .common import peak_rss_mb, summary

    settings = Settings.from_env(env={}, data_dir=work)
    reuse = work.exists()  # a filled store from an earlier run of the same size is used as it is
    run_ingest(settings, progress=False)
    rng = random.Random(42)
    sentences = [s for d in load_corpus(settings.corpus_dir).documents for s in d.page_content.replace("\n", " ").split(". ")]
    words = sorted({w for s in sentences for w in s.split()})
    collection = open_vector_store(settings, LocalEmbeddings(), client=chroma_client(settings))._collection
    vectors = np.random.default_rng(42).standard_normal((n, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    t = time.perf_counter()
    batch = 5000
    for start in range(0, 0 if reuse and collection.count() >= n else n, batch):
        ids, docs, metas = [], [], []
        for i in range(start, min(start + batch, n)):
            # Realistic sentence lengths: 4-8 sentences of 8-30 words, vocabulary of the real corpus.
            text = " ".join(" ".join(rng.choice(words) for _ in range(rng.randint(8, 30))) + "." for _ in range(rng.randint(4, 8)))
            ids.append(f"synthetic-{i}")
            docs.append(text)
            metas.append({"doc_id": f"synthetic-{i // 8}", "title": f"Synthetic {i // 8}", "section": f"Section {i % 8}",
                          "section_slug": f"section-{i % 8}", "kind": "article", "position": i % 8,
                          "chunk_id": f"synthetic-{i // 8}:{i % 8:03d}", "path": f"synthetic/{i // 8}.md"})
        collection.add(ids=ids, documents=docs, metadatas=metas, embeddings=vectors[start:start + len(ids)])
        print(f"  {start + len(ids)} chunks added, {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    add_s = time.perf_counter() - t

    t = time.perf_counter()
    assistant = Assistant.from_settings(settings)
    startup_s = time.perf_counter() - t
    print(f"  assistant ready in {startup_s:.1f} s", file=sys.stderr, flush=True)
    qs = questions()
    for q, h in qs:
        assistant.ask(q, h)
    stages = {s: [] for s in STAGES}
    for _ in range(2):
        for q, h in qs:
            _, trace = assistant.trace(q, h)
            for s in STAGES:
                stages[s].append(trace.timings_ms.get(s, 0.0))
    out = {s: summary(v) for s, v in stages.items()}
    out.update({"chunks": assistant.chunk_count, "store_add_per_s": round(n / add_s), "startup_s": round(startup_s, 1),
                "peak_rss_mb": peak_rss_mb()})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
