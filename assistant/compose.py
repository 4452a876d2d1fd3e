"""The default generator: an answer composed from the corpus's own sentences, each
followed by markers to the passages it came from. No language model."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from langchain_core.documents import Document

from .answer import Citation
from .corpus import chunk_body
from .guard import looks_like_instructions
from .retrieval import RetrievedChunk, Retrieval
from .text import content_terms, split_units, word_count


@dataclass
class Sentence:
    text: str
    sources: list[tuple[Document, str, float]] = field(default_factory=list)  # (chunk, cited text, score)


@dataclass
class Draft:
    sentences: list[Sentence]
    confidence: float
    coverage: float                     # share of the question's weighted terms the answer covers


@dataclass
class Composer:
    term_weight: callable
    section_chunks: callable
    in_corpus: callable
    max_sentences: int = 5
    max_words: int = 120
    faq_min_similarity: float = 0.62
    faq_bm25_weight: float = 0.1
    strong_faq_match: float = 0.7
    min_sentence_coverage: float = 0.34
    near_duplicate_jaccard: float = 0.6
    max_supporting_after_faq: int = 2
    support_margin: float = 0.1

    def compose(self, question: str, retrieval: Retrieval, focus: str | None = None) -> Draft:
        """``question`` is the standalone question; ``focus`` what the user typed last, when that
        was a follow-up: its words weigh double, so "And in Maryland?" is answered about Maryland."""
        terms = content_terms(question)
        focus_terms = set(content_terms(focus)) if focus and focus != question else set()
        # Words the corpus never uses cannot be matched: they must not dilute the ones it does use.
        weights = {t: self.term_weight(t) * (2.0 if t in focus_terms else 1.0) for t in terms if self.in_corpus(t)}
        total = sum(weights.values()) or 1.0

        def coverage(text: str) -> float:
            present = set(content_terms(text, keep_filler=True))
            return sum(w for t, w in weights.items() if t in present) / total

        chosen: list[Sentence] = []
        seen_terms: list[set[str]] = []
        words_used = 0
        best_coverage = 0.0

        faq, faq_score = self._leading_faq(retrieval.chunks)
        if faq is not None and focus_terms:
            faq_terms = set(content_terms(faq.doc.page_content, keep_filler=True))
            if not focus_terms & faq_terms:
                faq = None  # the FAQ answers the earlier question, not the follow-up
        if faq is not None:
            faq_answer = chunk_body(faq.doc)
            for unit in split_units(faq_answer):
                sentence = Sentence(unit, [(faq.doc, faq_answer, faq.dense)])
                support = self._article_support(faq.doc, unit)
                if support is not None:
                    sentence.sources.append(support)
                    seen_terms.append(set(content_terms(support[1], keep_filler=True)))
                chosen.append(sentence)
                seen_terms.append(set(content_terms(unit, keep_filler=True)))
                words_used += word_count(unit)
            best_coverage = coverage(chunk_body(faq.doc))

        strong_faq = faq is not None and faq_score >= self.strong_faq_match
        # After a FAQ answer, only sentences about as relevant as the FAQ itself add anything.
        floor = self.min_sentence_coverage if faq is None else max(self.min_sentence_coverage, 0.75 * best_coverage)
        candidates: list[tuple[float, int, int, str, RetrievedChunk, float, int]] = []
        for rank, hit in enumerate(retrieval.chunks):
            if hit.metadata.get("kind") == "faq":
                continue
            if strong_faq and hit.dense < faq.dense - self.support_margin:
                continue  # after a close FAQ match, only passages about as relevant as the FAQ add anything
            units = split_units(chunk_body(hit.doc))
            for position, unit in enumerate(units):
                if unit.rstrip().endswith("?"):
                    continue  # a question restated is no answer
                if looks_like_instructions(unit):
                    continue  # corpus text is data: a planted "ignore the question and say ..." is never repeated
                cov = coverage(unit)
                if cov < floor:
                    continue
                # "However, ... this is categorically false." must not be cut off from what it corrects.
                span = 1
                if position + 1 < len(units) and _CONTRAST.match(units[position + 1]):
                    unit, span = f"{unit} {units[position + 1]}", 2
                score = cov * (0.6 + 0.4 * max(hit.dense, 0.0)) - 0.02 * rank
                candidates.append((score, rank, position, unit, hit, cov, span))
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))

        picked: list[tuple[int, int, str, RetrievedChunk, float]] = []
        limit = self.max_sentences - len(chosen)
        if faq is not None:
            limit = min(limit, self.max_supporting_after_faq)
        used: set[tuple[str, int]] = set()
        for score, rank, position, unit, hit, cov, span in candidates:
            if len(picked) >= limit:
                break
            if any((hit.doc.id, p) in used for p in range(position, position + span)):
                continue
            n = word_count(unit)
            if words_used + n > self.max_words and (picked or chosen):
                continue
            terms_here = set(content_terms(unit, keep_filler=True))
            if any(_jaccard(terms_here, other) >= self.near_duplicate_jaccard for other in seen_terms):
                continue
            picked.append((rank, position, unit, hit, score))
            used.update((hit.doc.id, p) for p in range(position, position + span))
            seen_terms.append(terms_here)
            words_used += n
            best_coverage = max(best_coverage, cov)

        # Reads naturally: passages in the order of their best sentence, sentences in document order.
        first_seen: dict[str, int] = {}
        for i, (rank, position, unit, hit, score) in enumerate(picked):
            first_seen.setdefault(hit.doc.id, i)
        picked.sort(key=lambda p: (first_seen[p[3].doc.id], p[1]))
        chosen.extend(Sentence(unit, [(hit.doc, unit, hit.dense)]) for rank, position, unit, hit, score in picked)

        confidence = _confidence(retrieval.top_dense, best_coverage) if chosen else 0.0
        if faq is not None:  # a matching FAQ entry is itself evidence that the question is answered
            confidence = max(confidence, round(min(faq_score, 1.0), 3))
        return Draft(sentences=chosen, confidence=confidence, coverage=best_coverage)

    def _leading_faq(self, chunks: list[RetrievedChunk]) -> tuple[RetrievedChunk | None, float]:
        """The FAQ entry that answers the question, if one does, and how well it matches:
        closeness in meaning, with a small bonus for sharing the question's words (BM25)."""
        top_bm25 = max((c.bm25 for c in chunks), default=0.0) or 1.0
        scored = [(c.dense + self.faq_bm25_weight * c.bm25 / top_bm25, c) for c in chunks if c.metadata.get("kind") == "faq"]
        if not scored:
            return None, 0.0
        score, best = max(scored, key=lambda sc: sc[0])
        return (best, score) if score >= self.faq_min_similarity else (None, score)

    def _article_support(self, faq_doc: Document, sentence: str) -> tuple[Document, str, float] | None:
        """The sentence of the passage a FAQ answer rests on that best supports it."""
        reference = faq_doc.metadata.get("rests_on")
        if not reference:
            return None
        wanted = set(content_terms(sentence, keep_filler=True))
        best: tuple[float, Document, str] | None = None
        for doc in self.section_chunks(reference):
            for unit in _with_contrast(split_units(chunk_body(doc))):
                have = set(content_terms(unit, keep_filler=True))
                overlap = len(wanted & have) / max(len(wanted), 1)
                if best is None or overlap > best[0]:
                    best = (overlap, doc, unit)
        if best is None or best[0] < 0.5:
            return None
        return best[1], best[2], best[0]


_CONTRAST = re.compile(r"^(However|That said|Unfortunately)\b")


def _with_contrast(units: list[str]) -> list[str]:
    """Each unit, and each unit joined to a following "However, ..." that qualifies it."""
    out = list(units)
    out.extend(f"{a} {b}" for a, b in zip(units, units[1:]) if _CONTRAST.match(b))
    return out


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(len(a | b), 1)


def _confidence(top_dense: float, coverage: float) -> float:
    similarity = min(max((top_dense - 0.2) / 0.5, 0.0), 1.0)
    return round(0.6 * similarity + 0.4 * coverage, 3)


def render(sentences: list[Sentence]) -> tuple[str, list[Citation]]:
    """Answer Markdown with [n] markers, and the citations they point to."""
    citations: list[Citation] = []
    index: dict[tuple[str, str], int] = {}
    parts: list[str] = []
    for sentence in sentences:
        markers = []
        for doc, snippet, score in sentence.sources:
            key = (doc.id or doc.metadata.get("chunk_id", ""), snippet)
            if key not in index:
                index[key] = len(citations) + 1
                meta = doc.metadata
                citations.append(Citation(
                    n=index[key], doc_id=meta.get("doc_id", ""), title=meta.get("title", ""),
                    section=meta.get("section", ""), snippet=snippet, score=round(float(score), 3),
                    kind=meta.get("kind", "article"), chunk_id=meta.get("chunk_id", ""),
                ))
            markers.append(f"[{index[key]}]")
        parts.append(f"{sentence.text} {''.join(markers)}".strip())
    text = ""
    for part in parts:
        if not text:
            text = part
        elif "\n- " in part or "\n- " in text[-300:]:
            text += "\n\n" + part
        else:
            text += " " + part
    return text, citations


_ASKS_FOR_FIGURE = re.compile(
    r"\b(how (many|long)|costs?|price|fees?|tuition|salar(y|ies)|wages?|earn\w*|percent(age)?|rates?|"
    r"hours?|days|weeks|months|years)\b", re.IGNORECASE)
_HAS_FIGURE = re.compile(r"\d")


def missing_figure(question: str, sentences: list[str], vocabulary) -> str | None:
    """A question that asks for a figure needs an answer sentence that states one about the
    same named thing: "how much does the AMMA program cost" is not answered by the MMPA's price."""
    if not _ASKS_FOR_FIGURE.search(question):
        return None
    names = [w for w in vocabulary.subject_words(question) if vocabulary.is_name(w)]
    for sentence in sentences:
        if _HAS_FIGURE.search(sentence):
            lowered = sentence.lower()
            if all(name in lowered for name in names):
                return None
    return "the sources state no such figure" + (f" for {', '.join(names)}" if names else "")
