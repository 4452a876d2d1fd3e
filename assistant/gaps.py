"""Knowledge gaps: the questions the sources did not answer (refused) or answered badly (a thumbs
down), grouped by meaning so that one question asked ten ways is one row, biggest group first.
Each group comes with example phrasings, the usual refusal reason, the closest corpus section and
a ready-to-paste ``corpus/faq.yaml`` entry skeleton for a maintainer to fill in."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from .text import slugify

GROUP_DISTANCE = 0.5    # cosine distance (average linkage) under which two questions are one group


@dataclass
class Gap:
    count: int
    examples: list[str]
    reason: str
    section: str              # the closest corpus section: "Title — Section"
    source: str               # its reference for a FAQ entry: doc_id#section-slug
    faq_entry: str = field(default="")


def knowledge_gaps(rows: list[dict], embed, search=None, centroid=None, distance: float = GROUP_DISTANCE) -> list[Gap]:
    """``rows`` from the question log; ``embed`` turns texts into vectors; ``search`` (a question →
    the retriever's result) finds the closest section; ``centroid``, the corpus's mean direction,
    is taken out of every vector first: every question here is about medical massage, and what
    tells two of them apart is the rest (Medicare against an hourly wage)."""
    wanted = [r for r in rows if r.get("refused") or r.get("vote") == 0]
    if not wanted:
        return []
    vectors = np.asarray(embed([r["question"] for r in wanted]), dtype=float)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-9)
    if centroid is not None:
        c = np.asarray(centroid, dtype=float)
        vectors -= np.outer(vectors @ c, c)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-9)
    if len(wanted) == 1:
        labels = np.zeros(1, dtype=int)
    else:
        labels = AgglomerativeClustering(n_clusters=None, distance_threshold=distance, metric="cosine",
                                         linkage="average").fit_predict(vectors)
    gaps = []
    for label in set(labels.tolist()):
        members = [i for i, x in enumerate(labels) if x == label]
        centre = vectors[members].mean(axis=0)
        ordered = sorted(members, key=lambda i: -float(vectors[i] @ centre))
        examples: list[str] = []
        for i in ordered:
            text = " ".join(wanted[i]["question"].split())
            if text.lower() not in (e.lower() for e in examples):
                examples.append(text)
            if len(examples) == 3:
                break
        reasons = Counter((wanted[i].get("reason") or ("thumbs down" if wanted[i].get("vote") == 0 else "")) for i in members)
        section, source = "", ""
        if search is not None:
            # A FAQ entry rests on an article section (or a comment), never on another entry.
            hits = [h for h in search(examples[0]).chunks if h.doc.metadata.get("kind") != "faq"]
            if hits:
                meta = hits[0].doc.metadata
                section = f"{meta.get('title', '')} — {meta.get('section', '')}"
                source = (meta.get("doc_id", "") if meta.get("kind") == "comment"
                          else f"{meta.get('doc_id', '')}#{slugify(meta.get('section', ''))}")
        gap = Gap(len(members), examples, reasons.most_common(1)[0][0], section, source)
        gap.faq_entry = faq_skeleton(examples[0], source)
        gaps.append(gap)
    gaps.sort(key=lambda g: (-g.count, g.examples[0].lower()))
    return gaps


def faq_skeleton(question: str, source: str) -> str:
    """A ``corpus/faq.yaml`` entry to paste under ``entries:``: the question filled in, the answer
    left to the maintainer (from the sources only), the section it would rest on suggested."""
    text = question.strip().rstrip("?.! ")
    text = text[:1].upper() + text[1:] + "?"
    lines = [f"  - id: {slugify(text)[:60].strip('-') or 'new-entry'}",
             f"    question: {json.dumps(text, ensure_ascii=False)}",
             "    answer: >-",
             "      TODO: answer from the sources only, or leave this entry out if they do not say."]
    if source:
        lines.append(f"    source: {source}")
    return "\n".join(lines)


def as_markdown(gaps: list[Gap], days: int) -> str:
    if not gaps:
        return f"No refused or disliked questions in the last {days} days."
    out = [f"# Knowledge gaps, last {days} days", ""]
    for n, gap in enumerate(gaps, 1):
        out += [f"## {n}. {gap.examples[0]} ({gap.count}×)", "",
                *(f"- {e}" for e in gap.examples), "",
                f"Reason: {gap.reason or '-'}. Closest section: {gap.section or '-'}.", "",
                "```yaml", gap.faq_entry, "```", ""]
    return "\n".join(out)


def as_json(gaps: list[Gap]) -> str:
    return json.dumps([asdict(g) for g in gaps], ensure_ascii=False, indent=2)
