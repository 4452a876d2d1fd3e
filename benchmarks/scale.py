"""`python -m benchmarks.scale N DIR`: the shipped corpus plus N synthetic chunks with
precomputed (random, seeded) vectors. Start-up is measured twice, each in a new process:
building the lexical index from every chunk (as before ASSISTANT_INDEX_DIR existed) and
loading the one ingest saved. Prints one JSON line."""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before the heavy imports: start-up counts them

import json  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402


def fill(n: int, work: Path) -> dict:
    from assistant.corpus import load_corpus
    from assistant.embeddings import LocalEmbeddings
    from assistant.indexing import reindex_lexical, run_ingest
    from assistant.settings import Settings
    from assistant.store import chroma_client, open_vector_store

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
    reindex_lexical(settings)  # what ingest does at its end, over all the chunks
    return {"store_add_per_s": round(n / add_s) if add_s > 0.5 else None,
            "lexical_save_s": round(time.perf_counter() - t, 1)}


def start(work: Path, mode: str) -> dict:
    """One serving process's start-up: ``saved`` loads the lexical index ingest saved,
    ``rebuilt`` builds it from every chunk in the store."""
    from assistant import Assistant
    from assistant.embeddings import LocalEmbeddings
    from assistant.settings import Settings

    from .__main__ import STAGES, questions
    from .common import peak_rss_mb, rss_mb, summary

    imported = time.perf_counter()
    LocalEmbeddings().embed_query("warm up")  # the model load, the same in both modes
    model_loaded = time.perf_counter()
    overrides = {"index_dir": work / "no-saved-index"} if mode == "rebuilt" else {}
    settings = Settings.from_env(env={}, data_dir=work, **overrides)
    assistant = Assistant.from_settings(settings)
    qs = questions()
    assistant.ask(*qs[0])
    first_answer = time.perf_counter()
    out = {"mode": mode, "chunks": assistant.chunk_count, "imports_s": round(imported - STARTED, 2),
           "model_load_s": round(model_loaded - imported, 2),
           "after_model_to_first_answer_s": round(first_answer - model_loaded, 2),
           "to_first_answer_s": round(first_answer - STARTED, 2), "rss_mb": rss_mb()}
    if mode == "saved":
        for q, h in qs:
            assistant.ask(q, h)
        stages = {s: [] for s in STAGES}
        for _ in range(2):
            for q, h in qs:
                _, trace = assistant.trace(q, h)
                for s in STAGES:
                    stages[s].append(trace.timings_ms.get(s, 0.0))
        out.update({s: summary(v) for s, v in stages.items()})
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def main() -> None:
    if sys.argv[1] == "--start":
        print(json.dumps(start(Path(sys.argv[3]), sys.argv[2])))
        return
    n, work = int(sys.argv[1]), Path(sys.argv[2])
    out = fill(n, work)
    for mode in ("rebuilt", "saved"):  # each in a new process, so that its memory is its own
        run = subprocess.run([sys.executable, "-m", "benchmarks.scale", "--start", mode, str(work)],
                             capture_output=True, text=True, check=True)
        out[mode] = json.loads(run.stdout.strip().splitlines()[-1])
        print(f"  {mode}: first answer {out[mode]['to_first_answer_s']} s, RSS {out[mode]['rss_mb']} MB",
              file=sys.stderr, flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
