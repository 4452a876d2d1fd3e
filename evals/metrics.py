"""Deterministic checks of one answer against one case. Support is measured by token
overlap: a sentence is supported by a passage when at least SUPPORT_THRESHOLD of its
content words (stemmed, stopwords removed) occur in that passage."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer import Answer
from assistant.text import content_terms, split_sentences

SUPPORT_THRESHOLD = 0.5
_MARKERS = re.compile(r"((?:\s*\[\d+\])+)")
_NUMBER = re.compile(r"\d+")


@dataclass
class CaseResult:
    id: str
    category: str
    question: str
    passed: bool
    failures: list[str]
    refused: bool
    expect_refusal: bool
    answer: str
    hit_rank: int | None          # 1-based rank of the first retrieved chunk matching expected_source
    sentences: int = 0
    grounded: int = 0
    citations: int = 0
    valid_citations: int = 0
    words: int = 0
    latency_ms: float = 0.0
    intent: str = ""
    cited: list[str] = field(default_factory=list)   # doc_id#section of each citation
    reason: str = ""                                 # the decision's reason (why refused)
    details: dict = field(default_factory=dict)


def support(sentence: str, passage: str) -> float:
    terms = set(content_terms(sentence, keep_filler=True))
    if not terms:
        return 1.0
    return len(terms & set(content_terms(passage, keep_filler=True))) / len(terms)


def cited_sentences(answer_text: str) -> list[tuple[str, list[int]]]:
    """(claim, [citation numbers]): within a paragraph, the text before each group of markers is
    one claim (a sentence, a list with its lead-in, or a whole quoted passage); text after the
    last marker is split into sentences that cite nothing. A paragraph wholly in emphasis
    (a heading such as the question being answered, or the assistant's own framing) is no claim."""
    out: list[tuple[str, list[int]]] = []
    for paragraph in re.split(r"\n\s*\n(?!- )", answer_text):
        if _EMPHASIS.fullmatch(paragraph.strip()):
            continue
        out.extend(_claims(paragraph))
    return out


_EMPHASIS = re.compile(r"(\*\*?)[^*].*\1", re.DOTALL)


def _claims(answer_text: str) -> list[tuple[str, list[int]]]:
    out: list[tuple[str, list[int]]] = []
    pieces = _MARKERS.split(answer_text)
    for i in range(0, len(pieces), 2):
        text = pieces[i].strip()
        marks = [int(n) for n in re.findall(r"\d+", pieces[i + 1])] if i + 1 < len(pieces) else []
        if not text:
            continue
        if marks:
            out.append((text, marks))
        else:
            out.extend((s, []) for s in split_sentences(text) if re.search(r"[A-Za-z]", s))
    return out


def check_grounding(answer: Answer, corpus_text: dict[str, str]) -> tuple[int, int, int, int, list[str]]:
    """Sentences grounded, sentences, valid citations, citations, problems.

    A sentence is grounded when one of its cited snippets supports it. A citation is valid
    when its snippet is verbatim in the chunk it names and it supports every sentence citing it."""
    problems: list[str] = []
    by_n = {c.n: c for c in answer.citations}
    sentences = cited_sentences(_strip_notes(answer.answer))
    if answer.refused:  # a refusal's own words cite nothing; what it offers from the sources must be grounded
        sentences = [(text, marks) for text, marks in sentences if marks]
    grounded = 0
    supports_all: dict[int, bool] = {n: True for n in by_n}
    cited_numbers: set[int] = set()
    for text, marks in sentences:
        scores = [support(text, by_n[n].snippet) for n in marks if n in by_n]
        cited_numbers.update(n for n in marks if n in by_n)
        if scores and max(scores) >= SUPPORT_THRESHOLD:
            grounded += 1
        else:
            problems.append(f"ungrounded sentence: {text[:80]!r}")
        for n in marks:
            if n not in by_n:
                problems.append(f"marker [{n}] has no citation")
            elif support(text, by_n[n].snippet) < SUPPORT_THRESHOLD:
                supports_all[n] = False
    valid = 0
    for n, citation in by_n.items():
        verbatim = citation.snippet in corpus_text.get(citation.chunk_id, "")
        if verbatim and supports_all[n] and n in cited_numbers:
            valid += 1
        else:
            problems.append(f"citation [{n}] invalid (verbatim={verbatim}, supports={supports_all[n]})")
    return grounded, len(sentences), valid, len(by_n), problems


def _strip_notes(text: str) -> str:
    """Notes the assistant adds (a physician note, a truncation notice) are not claims from the sources."""
    paragraphs = [p for p in text.split("\n\n") if not (p.startswith("**I can't give advice") or p.startswith("*Your question was"))]
    return "\n\n".join(paragraphs)


def check_case(case: dict, answer: Answer) -> list[str]:
    failures = []
    for group in case.get("must_include", []):
        if not any(re.search(p, answer.answer, re.I) for p in group):
            failures.append(f"missing one of {group}")
    for pattern in case.get("must_not_include", []):
        if re.search(pattern, answer.answer, re.I):
            failures.append(f"contains forbidden {pattern!r}")
    if answer.refused != bool(case.get("expect_refusal")):
        failures.append(f"refused={answer.refused}, expected {bool(case.get('expect_refusal'))}")
    lead = case.get("lead")
    if lead and not answer.refused:
        first = first_sentence(answer.answer)
        if not any(re.search(p, first, re.I) for p in lead):
            failures.append(f"first sentence {first[:60]!r} does not answer it ({lead})")
    source = case.get("expected_source")
    if source and not answer.refused:
        if not any(re.search(source, f"{c.title}\n{c.section}\n{c.snippet}", re.I) for c in answer.citations):
            failures.append(f"no citation matches expected_source {source!r}")
    return failures


def first_sentence(answer_text: str) -> str:
    """What the user reads first: the first claim after any notes, markers removed."""
    claims = cited_sentences(_strip_notes(answer_text))
    if not claims:
        return ""
    text = claims[0][0]
    return split_sentences(text)[0] if split_sentences(text) else text


def source_rank(case: dict, retrieved: list) -> int | None:
    source = case.get("expected_source")
    if not source:
        return None
    for rank, doc in enumerate(retrieved, 1):
        meta = doc.metadata
        # A FAQ entry stands for the article section it rests on.
        rests_on = meta.get("rests_on", "").replace("-", " ").replace("#", " ")
        if re.search(source, f"{meta.get('title', '')}\n{meta.get('section', '')}\n{rests_on}\n{doc.page_content}", re.I):
            return rank
    return 0  # expected but not found


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
