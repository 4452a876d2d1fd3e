"""The lexical side of the index: BM25 over the chunks, the document frequency of every
content term, the corpus's vocabulary, the section map the composer follows from a FAQ entry
to its article, and the description of the sources.

Ingest builds it from the store's chunks and saves it (``ASSISTANT_INDEX_DIR``, one folder per
version); a serving process loads it, BM25 memory-mapped, instead of reading every chunk, so
start-up does not grow with the corpus. The version is a hash of the chunk ids, which are
hashes of the chunks' content: the same chunks give the same version.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np
from langchain_core.documents import Document

from .sources import SourceDescription
from .text import STOPWORDS, content_terms, stem, words
from .vocabulary import Vocabulary

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)

KEEP_VERSIONS = 3           # older versions stay a while for replicas still loading them
STATS_FILE = "lexical-4.json"  # the number is the format: a folder of an older format is rebuilt, never misread
SECTION_SEP = "\x1f"        # between doc id and section slug in the saved section map


def bm25_tokens(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def version_of(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:32]


@dataclass
class LexicalIndex:
    version: str
    ids: list[str]                                   # BM25 document number -> chunk id
    bm25: bm25s.BM25
    idf: dict[str, float]
    vocabulary: Vocabulary
    sections: dict[tuple[str, str | None], list[str]] = field(default_factory=dict)  # -> chunk ids, in order
    sources: SourceDescription = SourceDescription((), (), 0, ())

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def max_idf(self) -> float:
        return max(self.idf.values(), default=1.0)

    @classmethod
    def build(cls, docs: list[Document]) -> "LexicalIndex":
        ids = [d.id for d in docs]
        texts = [d.page_content for d in docs]
        bm25 = bm25s.BM25()
        if docs:
            bm25.index([bm25_tokens(t) for t in texts], show_progress=False)
        # Document frequency of content terms: weights for sentence scoring, and the
        # vocabulary that tells whether the corpus mentions a question's terms at all.
        df: dict[str, int] = {}
        for text in texts:
            for term in set(content_terms(text, keep_filler=True)):
                df[term] = df.get(term, 0) + 1
        n = max(len(docs), 1)
        idf = {t: float(np.log(1 + (n - f + 0.5) / (f + 0.5))) for t, f in df.items()}
        sections: dict[tuple[str, str | None], list[str]] = {}
        for doc in sorted(docs, key=lambda d: (d.metadata.get("doc_id", ""), d.metadata.get("position", 0))):
            meta = doc.metadata
            sections.setdefault((meta.get("doc_id"), meta.get("section_slug")), []).append(doc.id)
            sections.setdefault((meta.get("doc_id"), None), []).append(doc.id)
        # Readers' names are the corpus's words too ("what did Mary Ann ask?" is not corrected to "Maryland").
        headings = [d.metadata["section"] for d in docs if d.metadata.get("kind") == "comment" and d.metadata.get("section")]
        return cls(version=version_of(ids), ids=ids, bm25=bm25, idf=idf, vocabulary=Vocabulary.from_texts(texts + headings),
                   sections=sections, sources=SourceDescription.from_chunks(docs))

    def search(self, tokens: list[str], k: int) -> list[tuple[str, float]]:
        """The ids of the ``k`` best chunks by BM25 for these tokens, with their scores (> 0 only)."""
        if not self.ids or not tokens:
            return []
        results, scores = self.bm25.retrieve([tokens], k=min(k, len(self.ids)), show_progress=False)
        return [(self.ids[int(i)], float(s)) for i, s in zip(results[0], scores[0]) if s > 0]

    # --- saved form ---------------------------------------------------------------------------

    def save(self, root: Path) -> Path:
        """Write this version under ``root/<version>`` (whole or not at all) and drop old versions."""
        root = Path(root)
        folder = root / self.version
        if (folder / STATS_FILE).exists():
            return folder
        root.mkdir(parents=True, exist_ok=True)
        tmp = root / f".{self.version}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        if self.ids:
            self.bm25.save(str(tmp / "bm25"), show_progress=False)
        v = self.vocabulary
        stats = {
            "version": self.version, "ids": self.ids, "idf": self.idf,
            "vocabulary": {"words": sorted(v.words), "stems": sorted(v.stems), "names": sorted(v.names),
                           "long": list(v._long), "acronyms": v.acronyms, "initialisms": v.initialisms,
                           "runs": sorted(list(run) for run in v.runs)},
            "sections": {f"{d}{SECTION_SEP}{s or ''}": ids for (d, s), ids in self.sections.items()},
            "sources": {"articles": self.sources.articles, "topics": self.sources.topics,
                        "comments": self.sources.comments, "faq_questions": self.sources.faq_questions,
                        "commenters": [list(pair) for pair in self.sources.commenters]},
        }
        (tmp / STATS_FILE).write_text(json.dumps(stats, ensure_ascii=False))
        if folder.is_dir():  # this version in an older format (no STATS_FILE): replaced
            shutil.rmtree(folder, ignore_errors=True)
        try:
            os.replace(tmp, folder)  # atomic: a reader sees no folder or a whole one
        except OSError:  # another ingest saved the same version first
            shutil.rmtree(tmp, ignore_errors=True)
        _drop_old_versions(root, keep=folder)
        return folder

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        folder = Path(folder)
        stats = json.loads((folder / STATS_FILE).read_text())
        if stats["ids"]:
            bm25 = bm25s.BM25.load(str(folder / "bm25"), mmap=True, show_progress=False)
        else:
            bm25 = bm25s.BM25()
        voc = stats["vocabulary"]
        vocabulary = Vocabulary(words=frozenset(voc["words"]), stems=frozenset(voc["stems"]),
                                names=frozenset(voc["names"]), _long=tuple(voc["long"]),
                                acronyms={k: tuple(v) for k, v in voc["acronyms"].items()},
                                initialisms={k: tuple(v) for k, v in voc["initialisms"].items()},
                                runs=frozenset(tuple(run) for run in voc["runs"]))
        sections: dict[tuple[str, str | None], list[str]] = {}
        for key, ids in stats["sections"].items():
            doc_id, _, slug = key.partition(SECTION_SEP)
            sections[(doc_id, slug or None)] = ids
        src = stats["sources"]
        sources = SourceDescription(tuple(src["articles"]), tuple(src["topics"]), int(src["comments"]),
                                    tuple(src["faq_questions"]), tuple(tuple(pair) for pair in src["commenters"]))
        return cls(version=stats["version"], ids=stats["ids"], bm25=bm25, idf=stats["idf"], vocabulary=vocabulary,
                   sections=sections, sources=sources)


def _drop_old_versions(root: Path, keep: Path) -> None:
    folders = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in folders if p != keep][KEEP_VERSIONS - 1:]:
        shutil.rmtree(old, ignore_errors=True)
    for tmp in root.glob(".*.tmp"):  # left by a killed ingest, long enough ago to be dead
        if time.time() - tmp.stat().st_mtime > 3600:
            shutil.rmtree(tmp, ignore_errors=True)
