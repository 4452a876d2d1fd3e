"""The whole answering pipeline, in one place:

    question → guard → split into questions → follow-up resolution → retrieve
             → decide (answer, partial or refuse) → compose (or generate + verify) → Answer
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from dataclasses import dataclass, field, replace
from collections.abc import Callable, Iterator
from typing import Any

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .answer import Answer
from .corpus import chunk_body
from .compose import Composer, Draft, render, render_answer, render_partial, render_refusal
from .compounds import noun_compounds
from .decision import (NO_MATCH, Decider, Decision, ScoredUnit, Thresholds, answer_type, asked_type, asks_only_its_type,
                       question_sentence, type_words, typed_names, who_asks)
from .embeddings import LocalEmbeddings
from .followup import (asked_again_of, clean_history, figure_referred_to, is_followup, is_keywords, refers_back,
                       split_questions, standalone_question, thing_asked_again, without_greeting)
from .guard import guard_question
from .prompts import load_prompt
from .lexical import LexicalIndex
from .polarity import OPENER, Polarity
from .retrieval import HybridRetriever, Retrieval
from .settings import Settings, get_settings
from .sources import SourceDescription, reader_named
from .store import chroma_client, open_vector_store
from .text import content_terms, overlap, split_units, typed_pattern, typed_sentences, words

_DEFINITE = re.compile(r"\bthe\s+(\w+)", re.I)  # "the field", "the job market": a thing the reader is taken to know
log = logging.getLogger(__name__)


def _names_lacked(decision: Decision, text: str) -> list[str]:
    """The names typed in ``text`` that the decision found the sources lack, as typed ("UK", "Ontario, Canada")."""
    out = []
    for term in decision.evidence.terms:
        if (term.typed_as_name or term.name_like) and term.word in decision.missing:
            match = re.search(rf"\b{typed_pattern(term.word)}\b", text, re.I)
            if match:
                out.append(match.group(0))
    return out


class IndexNotReadyError(RuntimeError):
    pass


@dataclass
class Trace:
    """What happened on the way to an answer: for evals, benchmarks and logs."""

    query: str = ""
    retrieval: Retrieval | None = None
    decision: Decision | None = None
    decisions: list[Decision] = field(default_factory=list)   # one per question in the message
    refusal: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Reading:
    """How a question is read: the query searched, what the user asked (salient words and the
    answer type are read from it), and what the sources say to that query."""

    query: str
    focus: str
    decision: Decision
    retrieval: Retrieval


@dataclass(frozen=True)
class _Parts:
    """What depends on the index's version, swapped together when a new one is loaded."""

    retriever: HybridRetriever
    decider: Decider
    composer: Composer
    sources: SourceDescription


class Assistant:
    def __init__(self, settings: Settings, retriever: HybridRetriever, generator=None):
        self.settings = settings
        self.thresholds = Thresholds.from_settings(settings)
        self.generator = generator  # an LLM generator with verification, or None for extractive
        self._local = threading.local()  # the parts one answer uses from start to end
        self._swap = threading.Lock()
        self._parts = self._build_parts(retriever)

    def _build_parts(self, retriever: HybridRetriever) -> _Parts:
        settings = self.settings
        decider = Decider(
            vocabulary=retriever.vocabulary, term_weight=retriever.term_weight, term_in_corpus=retriever.term_in_corpus,
            embed=retriever.embeddings.embed_documents, nearest_terms=retriever.nearest_terms,
            thresholds=self.thresholds, centroid=retriever.corpus_centroid(),
            word_vectors=getattr(retriever.embeddings, "word_vectors", None),
        )
        composer = Composer(
            section_chunks=retriever.section_chunks,
            max_sentences=settings["answer.max_sentences"],
            max_words=settings["answer.max_words"],
            near_duplicate=settings["answer.near_duplicate"],
            support_ratio=settings["answer.support_ratio"],
            max_related=settings["answer.max_related"],
            polarity=Polarity(retriever.lexical.sources.subject, self.thresholds.synonym_similarity,
                              settings["answer.same_question"], retriever.term_in_corpus, retriever.vocabulary.is_name,
                              self.thresholds.unmatched_shift, self.thresholds.word_in_passage),
            thresholds=self.thresholds,
        )
        if self.generator is not None:
            self.generator.term_weight = retriever.term_weight
        return _Parts(retriever, decider, composer, retriever.lexical.sources)

    def _current(self) -> _Parts:
        return getattr(self._local, "parts", None) or self._parts

    @property
    def retriever(self) -> HybridRetriever:
        return self._current().retriever

    @property
    def decider(self) -> Decider:
        return self._current().decider

    @property
    def composer(self) -> Composer:
        return self._current().composer

    @property
    def sources(self) -> SourceDescription:
        return self._current().sources

    @property
    def index_version(self) -> str:
        return self._parts.retriever.lexical.version

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "Assistant":
        from .indexing import lexical_folder

        settings = settings or get_settings()
        embeddings = LocalEmbeddings()
        client = chroma_client(settings)
        store, unit_store, term_store = (open_vector_store(settings, embeddings, client=client, layer=layer)
                                         for layer in ("chunks", "units", "terms"))
        folder = lexical_folder(settings)
        # The saved lexical index when there is one (start-up independent of the corpus's size);
        # otherwise built here from every chunk in the store.
        lexical = LexicalIndex.load(folder) if folder is not None else None
        retriever = HybridRetriever.from_store(
            store, embeddings, unit_store=unit_store, term_store=term_store, lexical=lexical,
            k_dense=settings["retrieval.k_dense"], k_sparse=settings["retrieval.k_sparse"],
            k_final=settings["retrieval.k_final"], rrf_k=settings["retrieval.rrf_k"],
        )
        if not retriever.chunk_count:
            raise IndexNotReadyError(
                f"The index in {settings.data_dir} is empty or missing. Build it with `python ingest.py` "
                "(or `python ingest.py --rebuild` if it is damaged)."
            )
        embeddings.embed_query("warm up")  # load the model now, not on the first user's question
        noun_compounds()  # and which word runs WordNet names as kinds (0.6 s)
        generator = None
        if settings.llm != "extractive":
            from .llm import LLMGenerator

            generator = LLMGenerator.from_settings(settings)
        return cls(settings, retriever, generator)

    def refresh(self) -> bool:
        """Load the index an ingest saved since this one was loaded, if any (answers go on from
        the loaded one meanwhile). True when a new version was swapped in."""
        from .indexing import index_state, lexical_folder

        state = index_state(self.settings)
        if not state or state.get("version") == self.index_version:
            return False
        folder = lexical_folder(self.settings, state)
        if folder is None:
            return False
        with self._swap:
            if state["version"] == self.index_version:
                return False
            started = time.perf_counter()
            lexical = LexicalIndex.load(folder)
            parts = self._build_parts(self._parts.retriever.with_lexical(lexical))
            self._parts = parts  # one assignment: an answer under way keeps the parts it started with
        log.info("loaded index version %s (%d chunks) in %.0f ms", lexical.version[:12], lexical.count,
                 _ms(started))
        return True

    @property
    def chunk_count(self) -> int:
        return self.retriever.chunk_count

    def ask(self, question: Any, history: Any = None) -> Answer:
        return self.trace(question, history)[0]

    def trace(self, question: Any, history: Any = None,
              on_text: Callable[[str], None] | None = None) -> tuple[Answer, Trace]:
        """The pipeline: guard → split → follow-up → retrieve → decide → compose (or generate + verify) → Answer.
        ``on_text`` gets the beginning of the answer text as an LLM's sentences pass verification
        (one question, no notes: then the answer text is exactly those sentences rendered)."""
        self._local.parts = self._parts  # a new index loaded meanwhile is for the next answer
        try:
            return self._trace(question, history, on_text)
        finally:
            self._local.parts = None

    def _trace(self, question: Any, history: Any, on_text: Callable[[str], None] | None) -> tuple[Answer, Trace]:
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
            body = render_refusal("off-subject", self.sources) if checked.injection else load_prompt("empty_question")
            trace.refusal = "empty question"
            return self._finish(Answer(answer=_join(notes, body), refused=True), started, trace)

        if checked.asks_for_advice:
            trace.refusal = "personal medical advice"
            body = load_prompt("advice_refusal").format(sources=self.sources.sentence())
            return self._finish(Answer(answer=_join(notes, body), refused=True), started, trace)

        history = clean_history(history, self.settings["guard.max_history_turns"])
        questions = split_questions(without_greeting(checked.text))
        parts: list[tuple[str, Decision, Draft]] = []
        progress = _Progress(on_text) if on_text is not None and len(questions) == 1 and not notes \
            and not checked.asks_to_prescribe else None  # a declined request's text opens with the decline
        lacked: list[str] = []                     # names the sources lack, typed in a question of the message
        lacking: tuple[Decision, Draft] | None = None  # the reply to the first question that typed one
        for number, text in enumerate(questions):
            # A second question in the same message leans on the first ("... and do I need it?").
            context = history + [{"role": "user", "content": q} for q in questions[:number]]
            # Such a name is where a later question that names nothing is asked too ("Is medical massage
            # recognised in the UK, and is there a body I must register with?").
            names_nothing = number > 0 and not self._names_anything(text)
            carries = bool(lacked) and names_nothing
            asked = f"{text} ({', '.join(lacked)})" if carries else text
            # One that names nothing is read with the question before it ("how many levels and how many days in total?").
            decision, draft, retrieval, query = self._answer_one(asked, context, timings, progress, leans=names_nothing)
            if carries and lacking and decision.refused and any(
                    set(words(missing)) & set(words(" ".join(lacked))) for missing in decision.missing):
                decision, draft = lacking  # refused over that name (too): both questions get the one reply
            parts.append((text, decision, draft))
            named = [name for name in _names_lacked(decision, text) if name not in lacked]
            if named and lacking is None:
                lacking = (decision, draft)
            lacked += named
            trace.decisions.append(decision)
            if number == 0:
                trace.query, trace.retrieval, trace.decision = query, retrieval, decision
        trace.refusal = None if any(not d.refused for _, d, _ in parts) else "; ".join(d.reason for _, d, _ in parts)
        if checked.asks_to_prescribe:
            trace.refusal = "asked to prescribe"
        if trace.refusal:  # the kind of reason only: a question's words may be health details
            log.info("refused (%s)", "; ".join(d.reason.split(":")[0] for _, d, _ in parts))
        answer = self._render(parts, [] if checked.asks_to_prescribe else notes)
        if checked.asks_to_prescribe:  # declined; what the sources say about it still helps
            said = answer.answer if answer.refused else f"**What my sources do say:**\n\n{answer.answer}"
            answer = Answer(answer=_join([*notes, load_prompt("prescribe_refusal")], said),
                            citations=answer.citations, refused=True, confidence=answer.confidence)
        return self._finish(answer, started, trace)

    def _answer_one(self, text: str, history: list[dict[str, str]], timings: dict[str, float],
                    progress: "_Progress | None" = None, leans: bool = False):
        """One question: read as typed (a follow-up with the conversation's subject carried over),
        decided, read a second way when the first reading says so, then composed."""
        vocabulary = self.retriever.vocabulary
        text = self._named_in_reply(text, history)
        focus = vocabulary.correct(text)
        standalone = self._standalone(text, history, leans)
        query = vocabulary.correct(standalone)
        read = _Reading(query, focus, *self._decide(query, focus, timings))
        if standalone == text:
            read = self._story_question(read, timings)
            read = self._about_the_subject(read, text, timings, bool(history))
            read = self._in_the_conversation(read, text, history, timings)
        else:
            read = self._followup_alone(read, text, timings)
            read = self._followup_asks_anew(read, text, history, timings)
        t = time.perf_counter()
        if read.decision.verdict == "answer":
            draft = self.composer.compose(read.decision, read.focus)
            if standalone == text:
                read, draft = self._whether_about_the_subject(read, draft, timings)
            else:
                read, draft = self._whether_asked_again(read, draft, text, history, timings)
            if self.generator is not None:
                draft = self.generator.generate(read.query, read.retrieval, draft, on_sentence=progress)
        else:
            draft = self.composer.related(read.decision, self.thresholds.related_score)
        timings["compose"] = timings.get("compose", 0.0) + _ms(t)
        return read.decision, draft, read.retrieval, read.query

    # Second readings. Each looks at the first reading of a question and returns it, or a reading
    # that answers better; _answer_one applies them in order.

    def _story_question(self, read: "_Reading", timings: dict[str, float]) -> "_Reading":
        """A story that ends in a question that stands on its own ("I went to a small school ...
        Can I advertise myself as a medical massage therapist?"): what it asks is answered, not what
        the story is about, with the names the story gives ("I live in Maryland"). A question that
        needs its story ("Can massage help?") keeps it."""
        asking = question_sentence(read.focus)
        # "I'm a registered nurse. Can I ...?" asks about the nurse: the story says who "I" is.
        if asking == read.focus or not self._stands_alone(asking) or who_asks(asking, read.focus):
            return read
        vocabulary = self.retriever.vocabulary
        named_there = vocabulary.names_in(asking)
        names = [n for n in vocabulary.names_in(read.focus) if n not in named_there]
        alone_query = " ".join([*names, asking])
        alone, found = self._decide(alone_query, asking, timings)
        return _Reading(alone_query, asking, alone, found) if alone.verdict == "answer" else read

    def _in_the_conversation(self, read: "_Reading", text: str, history: list[dict[str, str]],
                             timings: dict[str, float]) -> "_Reading":
        """A question that names its own things but matches nothing on its own, nor as a question about
        the subject, asked in a conversation, is read as a follow-up of it: "what do I need from the
        doctor?" after "does insurance cover medical massage?" asks what insurance needs from the doctor. So is
        one that asks for a figure of nothing it names and finds none ("how many days total?" after "what does
        the MMPA offer?")."""
        figure_of_nothing = read.decision.refused and read.decision.evidence.asks is not None \
            and not self._names_anything(text)
        if (read.decision.reason != NO_MATCH and not figure_of_nothing) or not history or self.generator is not None:
            return read
        joined = standalone_question(text, history, self._names_its_subject, leans=True)
        if joined == text:
            return read
        query = self.retriever.vocabulary.correct(joined)
        retried, found = self._decide(query, read.focus, timings)
        return _Reading(query, read.focus, retried, found) if retried.verdict == "answer" else read

    def _about_the_subject(self, read: "_Reading", text: str, timings: dict[str, float],
                           conversation: bool = False) -> "_Reading":
        """A message that leans on something ("is it too late to get into this?"), took nothing from
        the history and is not understood on its own is read as being about what every article is
        about; so is one that opens a conversation with a thing the reader is taken to know, a thing the
        sources speak of ("how fast is *the field* growing?"; not "*the claim*"). So are a few search words
        ("job outlook"), when the passage that answers then has every one of them ("car insurance" is not
        answered by billing)."""
        if read.decision.reason != NO_MATCH or not self.sources.subject:
            return read
        about = self._of_the_subject(read.query)
        vocabulary = self.retriever.vocabulary
        known = [m.group(1).lower() for m in _DEFINITE.finditer(text)]  # "the field": a thing the sources speak of
        if refers_back(text) or (not conversation and any(vocabulary.in_corpus(w) for w in known)):
            return _Reading(about, read.focus, *self._decide(about, read.focus, timings))
        if is_keywords(text):
            retried, found = self._decide(about, about, timings)
            passage = retried.lead.unit.hit.doc.page_content if retried.lead else ""
            if retried.verdict == "answer" and set(content_terms(read.focus)) <= set(content_terms(passage)):
                return _Reading(about, read.focus, retried, found)
        return read

    def _followup_alone(self, read: "_Reading", text: str, timings: dict[str, float]) -> "_Reading":
        """A follow-up the question before it drowns out ("is it hard?" after the job outlook: no
        passage is about both) is asked as itself, about what the conversation named, or else about
        what every article is about."""
        if read.decision.reason != NO_MATCH or not self.sources.subject:
            return read
        # The conversation about what every article is about first: "where does that number come from?" after
        # "what is the job outlook" (which itself matches only so) is still about the outlook.
        about = self._of_the_subject(read.query)
        retried, found = self._decide(about, read.focus, timings)
        if retried.verdict == "answer":
            return _Reading(about, read.focus, retried, found)
        alone, retried, found = self._asked_alone(text, read.query, read.focus, timings, about_subject=True)
        return _Reading(alone, read.focus, retried, found) if retried.verdict == "answer" else read

    def _followup_asks_anew(self, read: "_Reading", text: str, history: list[dict[str, str]],
                            timings: dict[str, float]) -> "_Reading":
        """A follow-up that asks something new about the same subject ("and is it required?" after the
        MMPA's cost) must not get the previous answer again, as it does when the previous question,
        joined to it, outweighs it. Then it is asked once more as itself, with the names the
        conversation used ("the MMPA"); when that is off the subject altogether and the question stands
        alone ("what is medical massage? and what's the weather like today?"), it is refused as such
        ("when?" after "who coined the term?" leans on it, and is answered by it)."""
        if read.decision.verdict != "answer" or self.generator is not None:
            return read
        previous = self._lead_before(history, timings)
        if previous is None or not _same_passage(read.decision.lead, previous, self.composer.near_duplicate):
            return read
        alone, retried, found = self._asked_alone(text, read.query, read.focus, timings)
        if (retried.verdict == "answer" and not _same_passage(retried.lead, previous, self.composer.near_duplicate)) \
                or (retried.reason == "off-subject" and self._stands_alone(text, things=1)):
            return _Reading(alone, read.focus, retried, found)
        return read

    def _whether_asked_again(self, read: "_Reading", draft: Draft, text: str, history: list[dict[str, str]],
                             timings: dict[str, float]) -> tuple["_Reading", Draft]:
        """"And what about certification?" after "do I need a license?" asks whether again, of another
        thing: it is asked as "do I need certification?", and that answer is taken when it says yes or no."""
        users = [turn["content"] for turn in history if turn["role"] == "user"]
        if not users or (draft.sentences and OPENER.match(draft.sentences[0].text)):
            return read, draft
        if not self.composer.polarity.asks_yes_no(users[-1]):
            return read, self._among_those(draft, text)
        again = asked_again_of(users[-1], text, self.retriever.vocabulary.is_name)
        if again is None:
            return read, draft
        query = self.retriever.vocabulary.correct(again)
        retried, found = self._decide(query, query, timings)
        if retried.verdict == "answer":
            # asked as a question of its own, it may in turn name nothing of the subject ("do I need a license?")
            alone, answered = self._whether_about_the_subject(_Reading(query, query, retried, found),
                                                              self.composer.compose(retried, query), timings)
            if answered.sentences and OPENER.match(answered.sentences[0].text):
                return alone, answered
        return read, draft

    def _among_those(self, draft: Draft, text: str) -> Draft:
        """"What about carpal tunnel?" after "what conditions does it treat?" asks whether it is among them: a list
        that opens the answer and names it says yes."""
        thing = thing_asked_again(text)
        if not thing or not draft.sentences:
            return draft
        first = draft.sentences[0]
        opener = self.composer.polarity.listed(f"is {thing} among them?", first.text)
        if not opener:
            return draft
        return replace(draft, sentences=[replace(first, text=f"{opener} {first.text}"), *draft.sentences[1:]])

    def _whether_about_the_subject(self, read: "_Reading", draft: Draft,
                                   timings: dict[str, float]) -> tuple["_Reading", Draft]:
        """"do i need a license?" names nothing of the subject, and MiniLM puts it closest to "What do
        state licensing requirements expect me to know?", which says neither yes nor no. Asked about
        what every article is about, it is "Do medical massage therapists need a license?": that
        answer is taken when it does say yes or no, from a FAQ question ``answer.subject_question`` close."""
        if question_sentence(read.focus) != read.focus or not self.sources.subject \
                or not self._unanswered_whether(read.focus, draft):
            return read, draft
        about = f"{read.query.rstrip(' ?')} for {self.sources.subject}?"
        retried, found = self._decide(about, about, timings)
        lead = retried.lead
        if retried.verdict == "answer" and lead is not None and lead.unit.role == "question" \
                and lead.unit.similarity >= self.settings["answer.subject_question"]:
            again = self.composer.compose(retried, about)
            if again.sentences and OPENER.match(again.sentences[0].text):
                return _Reading(about, read.focus, retried, found), again
        return read, draft

    def _unanswered_whether(self, question: str, draft: Draft) -> bool:
        """A yes/no question about nothing of the subject's own words whose answer opens with no "Yes."/"No."."""
        polarity = self.composer.polarity
        return bool(draft.sentences) and polarity.asks_yes_no(question) \
            and not set(content_terms(question)) & polarity.subject_terms and not OPENER.match(draft.sentences[0].text)

    def _asked_alone(self, text: str, query: str, focus: str, timings: dict[str, float],
                     about_subject: bool = False) -> tuple[str, Decision, Retrieval]:
        """A follow-up asked as itself, with the names the conversation used ("the MMPA"); with none,
        and ``about_subject``, about what every article is about."""
        vocabulary = self.retriever.vocabulary
        names = vocabulary.names_in(query) or ([self.sources.subject] if about_subject else [])
        alone = vocabulary.correct(" ".join([*names, text]))
        return (alone, *self._decide(alone, focus, timings))

    def _of_the_subject(self, query: str) -> str:
        """The query asked of what every article is about."""
        return f"{self.sources.subject} {query}"

    def _names_anything(self, question: str) -> bool:
        """The question names something itself: a name (the corpus's or one typed as a name) or the subject."""
        return bool(self.retriever.vocabulary.names_in(question) or typed_names(question)
                    or set(content_terms(question)) & set(content_terms(self.sources.subject)))

    def _stands_alone(self, question: str, things: int = 2) -> bool:
        """The question names ``things`` or more things of its own, beyond what every article is about,
        and leans on nothing before it."""
        said = " ".join(w for w in words(question) if w not in ENGLISH_STOP_WORDS)  # "everywhere" is no thing
        # What asks for the answer's type ("year" in "what year?") is no thing the question names.
        own = set(content_terms(said)) - set(content_terms(self.sources.subject)) - type_words(question)
        return len(own) >= things and not refers_back(question)

    def _lead_before(self, history: list[dict[str, str]], timings: dict[str, float]) -> "ScoredUnit | None":
        """What the answer to the user's previous question opened with."""
        users = [i for i, turn in enumerate(history) if turn["role"] == "user"]
        if not users:
            return None
        earlier, previous = history[:users[-1]], history[users[-1]]["content"]
        vocabulary = self.retriever.vocabulary
        decision, _ = self._decide(vocabulary.correct(self._standalone(previous, earlier)), vocabulary.correct(previous), timings)
        return decision.lead

    def _decide(self, query: str, focus: str, timings: dict[str, float]) -> tuple[Decision, Retrieval]:
        probes = self.decider.probes(query, focus)
        retrieval = self.retriever.search(query, also_embed=probes.texts)
        for stage, ms in retrieval.timings_ms.items():
            timings[stage] = timings.get(stage, 0.0) + ms
        # A reader the question names ("what did Cindy say ...?"): their comment is searched too, whatever
        # its words share with the question's.
        reader = reader_named([author for author, _ in self.sources.commenters], focus, query)
        if reader:
            retrieval = self.retriever.with_chunks(retrieval, [c for a, c in self.sources.commenters if a == reader]) \
                or retrieval
        t = time.perf_counter()
        decision = self.decider.decide(query, retrieval, focus=focus, probes=probes)
        # A question asking for a preferred answer type ("is there demand for ...?": the outlook) is decided
        # again with the passages closest to it that state one, when retrieval missed them: "demand" retrieves
        # the license passages, "actually ... these days" a sentence about popularity but not the outlook entry.
        kind = answer_type(asked_type(focus))
        if kind is not None and not kind.required:
            wider = self.retriever.with_units_stating(retrieval, lambda text: bool(kind.states.search(text)))
            if wider is not None:
                retrieval = wider
                decision = self.decider.decide(query, retrieval, focus=focus, probes=probes)
        timings["decide"] = timings.get("decide", 0.0) + _ms(t)
        return decision, retrieval

    def _render(self, parts: list[tuple[str, Decision, Draft]], notes: list[str]) -> Answer:
        citations: list = []
        blocks: dict[str, list[str]] = {}  # body -> the questions it answers, in order
        answered = any(not decision.refused for _, decision, _ in parts)
        bodies: dict[int, str] = {}  # a decision two questions share (both asked of the UK) is shown once
        for text, decision, draft in parts:
            if id(decision) in bodies:
                body = bodies[id(decision)]
            elif decision.verdict == "answer":
                body, citations = render_answer(draft, text, citations)
            elif decision.verdict == "partial" and draft.sentences:
                related, citations = render(draft.sentences, citations)
                body = render_partial(decision, text, related, self.sources)
            else:
                body = render_refusal(decision.reason, self.sources, decision, short=answered, question=text)
            bodies[id(decision)] = body
            blocks.setdefault(body, []).append(text)
        # Two questions one passage answers ("is it expensive? how long does it last?") get it once.
        shown = [body if len(parts) == 1 else "\n\n".join([*(f"**{_one_line(t)}**" for t in asked), body])
                 for body, asked in blocks.items()]
        confidence = max(draft.confidence for _, _, draft in parts)
        refused = all(decision.refused for _, decision, _ in parts)
        return Answer(answer=_join(notes, "\n\n".join(shown)), citations=citations, refused=refused,
                      confidence=confidence)

    def _standalone(self, question: str, history: list[dict[str, str]], leans: bool = False) -> str:
        """A follow-up as the question it stands for: condensed by the LLM when there is one."""
        names = self._names_its_subject
        leans = leans or bool(history and asks_only_its_type(question))
        if self.generator is not None and history and (leans or is_followup(question, names)):
            return self.generator.condense(question, history)
        return standalone_question(question, history, names, leans=leans)

    def _named_in_reply(self, question: str, history: list[dict[str, str]]) -> str:
        """"How much does it cost?" after a reply that opened on the MMPA asks the MMPA's price: a follow-up
        that leans on "it" and names nothing, after a question that named nothing either, is read with the one
        name the reply's opening names ("how much does it cost? (MMPA)")."""
        users = [turn["content"] for turn in history if turn["role"] == "user"]
        if not users or history[-1]["role"] != "assistant" or not refers_back(question) \
                or not is_followup(question, self._names_its_subject):
            return question
        # "Where does that number come from?" points at the figure the reply stated ("23% growth in job offers").
        if figure := figure_referred_to(question, history[-1]["content"]):
            return f"{question} ({figure})"
        vocabulary = self.retriever.vocabulary
        if vocabulary.names_in(question):
            return question
        if vocabulary.names_in(users[-1]) or typed_names(users[-1]):
            return question  # "it" is what the user named
        names = vocabulary.names_in(" ".join(typed_sentences(history[-1]["content"])[:2]))
        return f"{question} ({names[0]})" if len(names) == 1 else question

    def _names_its_subject(self, question: str) -> bool:
        vocabulary = self.retriever.vocabulary
        return any(vocabulary.is_name(w) for w in vocabulary.subject_words(question))

    def stream(self, question: Any, history: Any = None) -> Iterator[str | Answer]:
        """Text as it is produced, then the final Answer; the pieces joined are its text. With an
        LLM, each sentence goes out as soon as it is verified; the extractive answer, composed in
        milliseconds, goes out a few words at a time."""
        if self.generator is None:
            answer = self.ask(question, history)
            yield from _pieces(answer.answer)
            yield answer
            return
        events: queue.Queue = queue.Queue()

        def work() -> None:
            try:
                events.put(self.trace(question, history, on_text=events.put)[0])
            except BaseException as exc:  # raised again in the caller's thread
                events.put(exc)

        threading.Thread(target=work, name="answer", daemon=True).start()
        streamed = ""
        while not isinstance(event := events.get(), Answer):
            if isinstance(event, BaseException):
                raise event
            streamed += event
            yield event
        if not event.answer.startswith(streamed):  # cannot happen: only a whole-answer prefix is sent early
            log.error("streamed text is not the beginning of the answer")
        yield from _pieces(event.answer[len(streamed):])
        yield event

    def _finish(self, answer: Answer, started: float, trace: Trace) -> tuple[Answer, Trace]:
        answer.latency_ms = round(_ms(started), 2)
        answer.reason = trace.refusal or "answered"
        trace.timings_ms["total"] = answer.latency_ms
        return answer, trace


class _Progress:
    """Renders an LLM's verified sentences as they come, numbered as the final answer numbers
    them, and hands on what each adds to the text."""

    def __init__(self, emit: Callable[[str], None]):
        self.emit = emit
        self.sentences: list = []
        self.text = ""

    def __call__(self, sentence) -> None:
        self.sentences.append(sentence)
        text, _ = render(self.sentences)
        if text.startswith(self.text) and len(text) > len(self.text):
            self.emit(text[len(self.text):])
            self.text = text


def _pieces(text: str, words: int = 3) -> Iterator[str]:
    """``text`` a few words at a time; the pieces joined are ``text``."""
    parts = text.split(" ")
    for i in range(0, len(parts), words):
        yield " ".join(parts[i:i + words]) + (" " if i + words < len(parts) else "")


def _same_passage(a: "ScoredUnit | None", b: "ScoredUnit", near_duplicate: float) -> bool:
    """Two leads open with the same thing: the same FAQ entry or sentence, or one that says what
    the other does (a FAQ answer and the article sentence it was written from)."""
    if a is None:
        return False
    if a.unit.hit.doc.id == b.unit.hit.doc.id and (a.unit.kind == "faq" or a.unit.position == b.unit.position):
        return True
    return overlap(*(set(content_terms(_opening(lead), keep_filler=True)) for lead in (a, b))) >= near_duplicate


def _opening(lead: "ScoredUnit") -> str:
    """What an answer led by this unit opens with: a FAQ entry's first sentence, or the unit."""
    if lead.unit.kind == "faq":
        units = split_units(chunk_body(lead.unit.hit.doc))
        return units[0] if units else ""
    return lead.unit.text


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _join(notes: list[str], body: str) -> str:
    return "\n\n".join([*notes, body])


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(text.split()).replace("*", "")
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"
