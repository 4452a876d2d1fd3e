"""The whole answering pipeline, in one place:

    question → guard → follow-up resolution → retrieve → compose (or generate + verify) → Answer
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from collections.abc import Iterator
from typing import Any

from .answer import Answer
from .compose import Composer, Draft, missing_figure, render
from .embeddings import LocalEmbeddings
from .followup import clean_history, is_followup, standalone_question
from .guard import guard_question
from .prompts import load_prompt
from .retrieval import HybridRetriever, Retrieval
from .settings import Settings, get_settings
from .store import open_vector_store

log = logging.getLogger(__name__)


class IndexNotReadyError(RuntimeError):
    pass


@dataclass
class Trace:
    """What happened on the way to an answer: for evals, benchmarks and logs."""

    query: str = ""
    retrieval: Retrieval | None = None
    refusal: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)


class Assistant:
    def __init__(self, settings: Settings, retriever: HybridRetriever, generator=None):
        self.settings = settings
        self.retriever = retriever
        self.composer = Composer(
            term_weight=retriever.term_weight,
            section_chunks=retriever.section_chunks,
            in_corpus=retriever.term_in_corpus,
            max_sentences=settings["answer.max_sentences"],
            max_words=settings["answer.max_words"],
            faq_min_similarity=settings["answer.faq_min_similarity"],
            faq_bm25_weight=settings["answer.faq_bm25_weight"],
            strong_faq_match=settings["answer.strong_faq_match"],
            min_sentence_coverage=settings["answer.min_sentence_coverage"],
            near_duplicate_jaccard=settings["answer.near_duplicate_jaccard"],
        )
        self.generator = generator  # an LLM generator with verification, or None for extractive
        if generator is not None and generator.term_weight is None:
            generator.term_weight = retriever.term_weight

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "Assistant":
        settings = settings or get_settings()
        embeddings = LocalEmbeddings()
        store = open_vector_store(settings, embeddings)
        retriever = HybridRetriever.from_store(
            store, embeddings,
            k_dense=settings["retrieval.k_dense"], k_sparse=settings["retrieval.k_sparse"],
            k_final=settings["retrieval.k_final"], rrf_k=settings["retrieval.rrf_k"],
        )
        if not retriever.docs:
            raise IndexNotReadyError(
                f"The index in {settings.data_dir} is empty or missing. Build it with `python ingest.py` "
                "(or `python ingest.py --rebuild` if it is damaged)."
            )
        embeddings.embed_query("warm up")  # load the model now, not on the first user's question
        generator = None
        if settings.llm != "extractive":
            from .llm import LLMGenerator

            generator = LLMGenerator.from_settings(settings)
        return cls(settings, retriever, generator)

    @property
    def chunk_count(self) -> int:
        return len(self.retriever.docs)

    def ask(self, question: Any, history: Any = None) -> Answer:
        return self.trace(question, history)[0]

    def trace(self, question: Any, history: Any = None) -> tuple[Answer, Trace]:
        """The pipeline: question → guard → follow-up → retrieve → compose (or generate + verify) → Answer."""
        started = time.perf_counter()
        trace = Trace()
        timings = trace.timings_ms

        t = time.perf_counter()
        checked = guard_question(question, self.settings["guard.max_question_chars"])
        notes = []
        if checked.truncated:
            notes.append(load_prompt("truncated").format(limit=self.settings["guard.max_question_chars"]))
        if checked.personal_medical:
            notes.append(load_prompt("medical_note"))
        timings["guard"] = _ms(t)
        if checked.empty:
            body = load_prompt("refusal_off_subject") if checked.injection else load_prompt("empty_question")
            trace.refusal = "empty question"
            return self._finish(Answer(answer=_join(notes, body), refused=True), started, trace)

        history = clean_history(history, self.settings["guard.max_history_turns"])
        vocabulary = self.retriever.vocabulary
        focus = vocabulary.correct(checked.text)
        query = vocabulary.correct(self._standalone(checked.text, history))
        retrieval = self.retriever.search(query)
        trace.query, trace.retrieval = query, retrieval
        timings.update(retrieval.timings_ms)

        t = time.perf_counter()
        draft = self.composer.compose(query, retrieval, focus=focus)
        refusal = trace.refusal = self._refusal(draft, retrieval.top_dense, checked.text)
        if refusal is None and self.generator is not None:
            draft = self.generator.generate(query, retrieval, draft)
        timings["compose"] = _ms(t)

        if refusal is not None:
            log.info("refused (%s): %r", refusal, checked.text[:200])
            body = load_prompt("refusal_off_subject" if refusal == "off-subject" else "refusal_in_subject")
            answer = Answer(answer=_join(notes, body), refused=True, confidence=draft.confidence)
        else:
            text, citations = render(draft.sentences)
            answer = Answer(answer=_join(notes, text), citations=citations, confidence=draft.confidence)
        return self._finish(answer, started, trace)

    def _standalone(self, question: str, history: list[dict[str, str]]) -> str:
        """A follow-up as the question it stands for: condensed by the LLM when there is one."""
        if self.generator is not None and history and is_followup(question):
            return self.generator.condense(question, history)
        return standalone_question(question, history)

    def _refusal(self, draft: Draft, top_dense: float, question: str) -> str | None:
        """Why the sources cannot answer, or None when they can."""
        if top_dense < self.settings["refusal.min_dense_similarity"]:
            return "off-subject"
        unknown = self.retriever.vocabulary.unknown_terms(question)
        if len(unknown) > self.settings["refusal.max_unknown_terms"]:
            return "not in sources: " + ", ".join(unknown)
        if not draft.sentences or draft.confidence < self.settings["refusal.min_confidence"]:
            return "no supported answer"
        missing = missing_figure(question, [s.text for s in draft.sentences], self.retriever.vocabulary)
        if missing:
            return missing
        return None

    def stream(self, question: Any, history: Any = None) -> Iterator[str | Answer]:
        """Text as it is produced, then the final Answer."""
        answer = self.ask(question, history)
        words = answer.answer.split(" ")
        for i in range(0, len(words), 3):
            yield " ".join(words[i:i + 3]) + (" " if i + 3 < len(words) else "")
        yield answer

    def _finish(self, answer: Answer, started: float, trace: Trace) -> tuple[Answer, Trace]:
        answer.latency_ms = round(_ms(started), 2)
        trace.timings_ms["total"] = answer.latency_ms
        return answer, trace


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _join(notes: list[str], body: str) -> str:
    return "\n\n".join([*notes, body])
