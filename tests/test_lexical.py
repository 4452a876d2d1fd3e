"""The lexical index ingest saves: loading it answers exactly as building it from the store
did, a running assistant picks up a newer one without a restart, and one ingest runs at a time."""

from __future__ import annotations

import json
import threading

import pytest

from assistant import Assistant
from assistant.indexing import index_is_current, index_state, lexical_folder, run_ingest
from assistant.lexical import LexicalIndex
from assistant.retrieval import HybridRetriever

from .conftest import PROJECT, make_settings
from .test_scaleout import NEW_ARTICLE, OREGON_QUESTION

pytestmark = pytest.mark.slow


def eval_questions(limit: int = 80) -> list[str]:
    out = []
    for name in ("cases.jsonl", "holdout.jsonl"):
        for line in (PROJECT / "evals" / name).read_text().splitlines():
            if line.strip():
                out.append(json.loads(line)["question"])
    return out[:: max(1, len(out) // limit)]


def test_the_saved_index_answers_exactly_as_one_built_from_the_store(assistant, built_settings):
    saved = assistant.retriever
    assert lexical_folder(built_settings) is not None
    rebuilt = HybridRetriever.from_store(saved.store, saved.embeddings, unit_store=saved.unit_store,
                                         term_store=saved.term_store, k_dense=saved.k_dense, k_sparse=saved.k_sparse,
                                         k_final=saved.k_final, rrf_k=saved.rrf_k)
    assert rebuilt.lexical.version == saved.lexical.version
    in_memory = Assistant(built_settings, rebuilt)
    questions = eval_questions()
    assert len(questions) > 40
    for question in questions:
        a, b = assistant.ask(question), in_memory.ask(question)
        assert (a.answer, a.refused, [c.chunk_id for c in a.citations]) == \
               (b.answer, b.refused, [c.chunk_id for c in b.citations]), question


def test_saving_and_loading_keeps_every_statistic(assistant):
    original = assistant.retriever.lexical
    loaded = LexicalIndex.load(lexical_folder(assistant.settings))
    assert loaded.ids == original.ids and loaded.idf == original.idf and loaded.sections == original.sections
    assert loaded.vocabulary == original.vocabulary and loaded.vocabulary.acronyms == original.vocabulary.acronyms
    assert loaded.vocabulary.initialisms == original.vocabulary.initialisms and "rmp" in loaded.vocabulary.initialisms
    assert loaded.vocabulary.runs == original.vocabulary.runs and loaded.vocabulary.says_run(["health", "insurance"])
    assert loaded.sources == original.sources and ("Cindy", "schools-comment-cindy:000") in loaded.sources.commenters
    tokens = ["mmpa", "cost"]
    assert loaded.search(tokens, 5) == original.search(tokens, 5)


def test_a_saved_index_of_an_older_format_is_rebuilt_not_misread(tmp_path, small_corpus):
    settings = make_settings(tmp_path / "data", small_corpus)
    run_ingest(settings, progress=False)
    folder = lexical_folder(settings)
    for path in folder.iterdir():  # as an older release left it: another stats file name
        if path.is_file():
            path.rename(folder / "lexical.json")
    assert lexical_folder(settings) is None and not index_is_current(settings)
    run_ingest(settings, progress=False)  # nothing to embed; the lexical index is written again
    assert lexical_folder(settings) == folder and index_is_current(settings)
    assert LexicalIndex.load(folder).vocabulary.words


def test_a_running_assistant_loads_a_newer_index_without_a_restart(tmp_path, corpus_copy):
    settings = make_settings(tmp_path / "data", corpus_copy)
    run_ingest(settings, progress=False)
    running = Assistant.from_settings(settings)
    old_version = running.index_version
    assert running.refresh() is False  # nothing new yet
    assert "every two years" not in running.ask(OREGON_QUESTION).answer

    (corpus_copy / "articles" / "oregon.md").write_text(NEW_ARTICLE, encoding="utf-8")
    assert not index_is_current(settings)
    run_ingest(settings, progress=False)
    assert index_state(settings)["version"] != old_version
    assert running.refresh() is True and running.index_version == index_state(settings)["version"]
    answer = running.ask(OREGON_QUESTION)
    assert "every two years" in answer.answer and answer.citations[0].title == "Medical Massage in Oregon"
    assert "Medical Massage in Oregon" in running.sources.sentence()


def test_an_answer_under_way_keeps_the_index_it_started_with(tmp_path, corpus_copy, monkeypatch):
    settings = make_settings(tmp_path / "data", corpus_copy)
    run_ingest(settings, progress=False)
    running = Assistant.from_settings(settings)
    (corpus_copy / "articles" / "oregon.md").write_text(NEW_ARTICLE, encoding="utf-8")
    run_ingest(settings, progress=False)
    seen = []
    decide = type(running.decider).decide

    def slow_decide(self, *args, **kwargs):  # the swap happens between retrieval and composing
        seen.append(running.retriever)
        if len(seen) == 1:
            swapper = threading.Thread(target=running.refresh)
            swapper.start()
            swapper.join()
        seen.append(running.retriever)
        return decide(self, *args, **kwargs)

    monkeypatch.setattr(type(running.decider), "decide", slow_decide)
    running.ask("what is medical massage?")
    assert seen[0] is seen[1]                  # the same parts all through that answer
    running.ask("what is medical massage?")
    assert seen[2] is not seen[0]              # and the next answer uses the new ones


def test_two_ingests_at_once_in_one_data_folder_run_one_after_the_other(tmp_path, small_corpus):
    settings = make_settings(tmp_path / "data", small_corpus)
    reports = []
    threads = [threading.Thread(target=lambda: reports.append(run_ingest(settings, progress=False))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.added for r in reports) == [0, reports[0].chunks]
    assert all(r.chunks == reports[0].chunks for r in reports) and index_is_current(settings)


def test_a_chunk_found_only_by_bm25_is_read_from_the_store_once(assistant, monkeypatch):
    # Its store id is a hash of its content: what it names never changes, so warm answers skip the read.
    retriever = assistant.retriever.with_lexical(assistant.retriever.lexical)  # a fresh retriever, empty caches
    reads = []
    original = type(retriever)._documents
    monkeypatch.setattr(type(retriever), "_documents",
                        lambda self, ids=(), **kw: reads.append(list(ids)) or original(self, ids, **kw))
    query = "Maryland Registered Massage Practitioners NCBTMB Pete Sparring 1997"  # names several passages
    first = retriever.search(query)
    read_first = sum(len(ids) for ids in reads)
    second = retriever.search(query)
    assert [c.doc.id for c in first.chunks] == [c.doc.id for c in second.chunks]
    assert [c.dense for c in first.chunks] == [c.dense for c in second.chunks]
    assert read_first > 0 and sum(len(ids) for ids in reads) == read_first, reads
