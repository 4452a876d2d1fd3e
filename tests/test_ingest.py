import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ingest
from assistant.corpus import load_corpus
from assistant.embeddings import LocalEmbeddings
from assistant.indexing import index_is_current, index_state, run_ingest
from assistant.store import chroma_client

from .conftest import PROJECT, make_settings

pytestmark = pytest.mark.slow


def store_ids(settings) -> list[str]:
    collection = chroma_client(settings).get_or_create_collection(settings.collection)
    return collection.get(include=[])["ids"]


def store_chunk_ids(settings) -> list[str]:
    collection = chroma_client(settings).get_or_create_collection(settings.collection)
    return sorted(m["chunk_id"] for m in collection.get(include=["metadatas"])["metadatas"])


def expected_chunk_ids(corpus: Path) -> list[str]:
    return sorted(d.metadata["chunk_id"] for d in load_corpus(corpus).documents)


@pytest.fixture
def embed_spy(monkeypatch):
    """Records every text that gets embedded."""
    embedded: list[str] = []
    original = LocalEmbeddings.embed_documents

    def spy(self, texts):
        embedded.extend(texts)
        return original(self, texts)

    monkeypatch.setattr(LocalEmbeddings, "embed_documents", spy)
    return embedded


def test_first_ingest_adds_every_chunk(tmp_path, small_corpus):
    settings = make_settings(tmp_path / "data", small_corpus)
    report = run_ingest(settings, progress=False)
    assert report.added == len(expected_chunk_ids(small_corpus)) and report.failed == 0
    assert store_chunk_ids(settings) == expected_chunk_ids(small_corpus)
    assert index_is_current(settings)


def test_reingest_with_no_changes_adds_nothing_and_embeds_nothing(tmp_path, small_corpus, embed_spy):
    settings = make_settings(tmp_path / "data", small_corpus)
    run_ingest(settings, progress=False)
    embed_spy.clear()
    report = run_ingest(settings, progress=False)
    assert (report.added, report.updated, report.deleted) == (0, 0, 0)
    assert report.unchanged == len(expected_chunk_ids(small_corpus))
    assert embed_spy == []


def test_reingest_with_no_changes_does_not_load_the_model(tmp_path, small_corpus):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "data"), "ASSISTANT_CORPUS_DIR": str(small_corpus)}
    subprocess.run([sys.executable, "ingest.py", "--quiet"], cwd=PROJECT, env=env, check=True, capture_output=True)
    probe = ("import sys, ingest; code = ingest.main(['--quiet']); "
             "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH'); sys.exit(code)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT, env=env, check=True, capture_output=True, text=True)
    assert "added=0 updated=0 deleted=0" in out.stdout
    assert "NO-TORCH" in out.stdout


def test_editing_one_file_reembeds_only_its_changed_chunks(tmp_path, small_corpus, embed_spy):
    settings = make_settings(tmp_path / "data", small_corpus)
    run_ingest(settings, progress=False)
    embed_spy.clear()
    path = small_corpus / "articles" / "meaning.md"
    path.write_text(path.read_text().replace("about 23% of job offers growth", "about 23% of job offers growth (edited)"))
    report = run_ingest(settings, progress=False)
    assert report.added == 1 and report.deleted == 1
    # The edited chunk, its edited sentence, and the one new word ("edited"): nothing else is embedded again.
    assert sorted(embed_spy, key=len) == ["edited", "According to the Bureau of Labor Statistics, you can expect about "
                                          "23% of job offers growth (edited) in this sphere in the nearest future.",
                                          next(t for t in embed_spy if t.startswith("Medical Massage Therapy\n\n"))]
    assert report.derived == {"units": 1, "terms": 1}
    assert store_chunk_ids(settings) == expected_chunk_ids(small_corpus)


def test_deleting_a_file_removes_its_chunks(tmp_path, small_corpus):
    settings = make_settings(tmp_path / "data", small_corpus)
    run_ingest(settings, progress=False)
    before = len(store_ids(settings))
    (small_corpus / "comments" / "schools-cindy.md").unlink()
    report = run_ingest(settings, progress=False)
    assert report.deleted == 1
    assert len(store_ids(settings)) == before - 1
    assert not any(c.startswith("schools-comment-cindy") for c in store_chunk_ids(settings))


def test_rebuild_starts_from_empty(tmp_path, small_corpus, embed_spy):
    settings = make_settings(tmp_path / "data", small_corpus)
    run_ingest(settings, progress=False)
    embed_spy.clear()
    report = run_ingest(settings, rebuild=True, progress=False)
    assert report.added == len(expected_chunk_ids(small_corpus)) and report.unchanged == 0
    assert len(embed_spy) == report.added + report.derived["units"] + report.derived["terms"]
    assert store_chunk_ids(settings) == expected_chunk_ids(small_corpus)


BAD_FILES = {
    "empty": (b"", "file is empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    "latin1": ("---\nid: x\ntitle: Caf\xe9\nkind: article\n---\n\n# T\n\nText.\n".encode("latin-1"), "not UTF-8"),
    "front_matter": (b"---\nid: [unclosed\ntitle: x\nkind: article\n---\n\n# T\n\nSome text.\n", "front matter does not parse"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_reported_by_name_and_the_rest_is_ingested(tmp_path, small_corpus, case, capsys, monkeypatch):
    content, reason = BAD_FILES[case]
    (small_corpus / "articles" / f"bad-{case}.md").write_bytes(content)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(small_corpus))
    from assistant.settings import get_settings

    get_settings.cache_clear()
    try:
        code = ingest.main(["--quiet"])
    finally:
        get_settings.cache_clear()
    out, err = capsys.readouterr()
    assert code == 1
    assert f"articles/bad-{case}.md" in err and reason in err
    assert out.strip().endswith("failed=1")
    settings = make_settings(tmp_path / "data", small_corpus)
    assert store_chunk_ids(settings) == expected_chunk_ids(small_corpus)  # every good file is in


def test_faq_entry_without_answer_is_reported(tmp_path, small_corpus):
    (small_corpus / "faq.yaml").write_text(
        "title: FAQ\nentries:\n  - id: ok\n    question: Q1?\n    answer: A1.\n  - id: broken\n    question: Q2?\n"
    )
    report = run_ingest(make_settings(tmp_path / "data", small_corpus), progress=False)
    assert report.failed == 1
    assert "faq.yaml" in str(report.errors[0]) and "broken" in str(report.errors[0]) and "no answer" in str(report.errors[0])


def test_a_file_that_turns_bad_keeps_its_previous_chunks(tmp_path, small_corpus):
    settings = make_settings(tmp_path / "data", small_corpus)
    run_ingest(settings, progress=False)
    before = store_chunk_ids(settings)
    (small_corpus / "articles" / "meaning.md").write_bytes(b"---\nid: meaning\n  broken: [\n---\n")
    report = run_ingest(settings, progress=False)
    assert report.failed == 1 and report.deleted == 0
    assert store_chunk_ids(settings) == before
    # Current, with the failure on record: running again cannot fix the file; editing it can.
    assert index_is_current(settings) and index_state(settings)["failed"] == ["articles/meaning.md"]
    (small_corpus / "articles" / "meaning.md").write_bytes(b"---\nid: meaning\n  broken: [ again\n---\n")
    assert not index_is_current(settings)


def test_summary_line_matches_the_contract(tmp_path, small_corpus, capsys, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(small_corpus))
    from assistant.settings import get_settings

    get_settings.cache_clear()
    try:
        assert ingest.main(["--quiet"]) == 0
    finally:
        get_settings.cache_clear()
    line = capsys.readouterr().out.strip().splitlines()[-1]
    import re

    assert re.fullmatch(r"added=\d+ updated=\d+ deleted=\d+ unchanged=\d+ failed=\d+", line)


def _record_count(data_dir: Path) -> int:
    db = data_dir / "records.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("select count(*) from upsertion_record").fetchone()[0]
    except sqlite3.Error:
        return 0


def _bigger_corpus(base: Path, target: Path, articles: int = 10) -> Path:
    """The real corpus plus generated articles, so that an ingest takes several batches."""
    import shutil

    shutil.copytree(base, target)
    rng = random.Random(7)
    sentences = [s for d in load_corpus(base).documents for s in d.page_content.split(". ") if len(s) > 40]
    for a in range(articles):
        sections = []
        for s in range(8):
            body = "\n\n".join(rng.choice(sentences).rstrip(".") + f" (variant {a}-{s}-{i})." for i in range(12))
            sections.append(f"## Section {s}\n\n{body}")
        (target / "articles" / f"generated-{a}.md").write_text(
            f"---\nid: generated-{a}\ntitle: Generated {a}\nkind: article\n---\n\n# Generated {a}\n\n" + "\n\n".join(sections)
        )
    return target


@pytest.mark.parametrize("kill_after_records", [0, 1, 40, 100, 160])
def test_killed_ingest_converges_on_the_next_run(tmp_path, kill_after_records):
    corpus = _bigger_corpus(PROJECT / "corpus", tmp_path / "corpus")
    data = tmp_path / "data"
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_CORPUS_DIR": str(corpus)}
    proc = subprocess.Popen([sys.executable, "ingest.py", "--quiet"], cwd=PROJECT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if kill_after_records == 0 and (data / "chroma").exists():
            break
        if kill_after_records and _record_count(data) >= kill_after_records:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    done = subprocess.run([sys.executable, "ingest.py", "--quiet"], cwd=PROJECT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    settings = make_settings(data, corpus)
    ids = store_chunk_ids(settings)
    assert ids == expected_chunk_ids(corpus)  # exactly the corpus: nothing missing, no duplicates
    again = subprocess.run([sys.executable, "ingest.py", "--quiet"], cwd=PROJECT, env=env, capture_output=True, text=True)
    assert "added=0 updated=0 deleted=0" in again.stdout


def test_ingest_killed_while_removing_deleted_files_converges(tmp_path):
    corpus = _bigger_corpus(PROJECT / "corpus", tmp_path / "corpus", articles=4)
    data = tmp_path / "data"
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_CORPUS_DIR": str(corpus)}
    subprocess.run([sys.executable, "ingest.py", "--quiet"], cwd=PROJECT, env=env, check=True, capture_output=True)
    for path in (corpus / "articles").glob("generated-*.md"):
        path.unlink()
    full = _record_count(data)
    proc = subprocess.Popen([sys.executable, "ingest.py", "--quiet"], cwd=PROJECT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and _record_count(data) >= full:
        time.sleep(0.01)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = subprocess.run([sys.executable, "ingest.py", "--quiet"], cwd=PROJECT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert store_chunk_ids(make_settings(data, corpus)) == expected_chunk_ids(corpus)


def test_an_oversized_file_is_refused_by_name_and_the_rest_indexed(tmp_path, small_corpus):
    huge = small_corpus / "articles" / "huge.md"
    huge.write_text("---\nid: huge\ntitle: Huge\nkind: article\n---\n# Huge\n\n" + "Massage is old. " * 200_000)
    settings = make_settings(tmp_path / "data", small_corpus)
    started = time.monotonic()
    report = run_ingest(settings, progress=False)
    assert time.monotonic() - started < 120
    assert [e.path for e in report.errors] == ["articles/huge.md"] and "MB limit" in str(report.errors[0])
    assert store_chunk_ids(settings) == expected_chunk_ids(small_corpus)
    assert index_is_current(settings)  # the next start does not ingest again


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path, small_corpus):
    bomb = ["title: FAQ", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    bomb += [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    bomb += ["entries:", "  - id: x", "    question: Q?", "    answer: *i"]
    (small_corpus / "faq.yaml").write_text("\n".join(bomb) + "\n")
    started = time.monotonic()
    loaded = load_corpus(small_corpus)
    assert time.monotonic() - started < 5
    assert [e.path for e in loaded.errors] == ["faq.yaml"] and "aliases" in str(loaded.errors[0])
    assert set(loaded.chunks) == {"articles/meaning.md", "articles/schools.md", "comments/schools-cindy.md"}


def test_a_duplicate_id_is_blamed_on_the_duplicate_and_indexed_once(tmp_path, small_corpus):
    original = small_corpus / "articles" / "meaning.md"
    copy = small_corpus / "articles" / "a-copy.md"  # sorts before the original
    copy.write_text(original.read_text().replace("Medical Massage Therapy: Here", "A copy: Here", 1))
    loaded = load_corpus(small_corpus)
    assert [e.path for e in loaded.errors] == ["articles/a-copy.md"]
    assert "articles/meaning.md" in str(loaded.errors[0])
    settings = make_settings(tmp_path / "data", small_corpus)
    run_ingest(settings, progress=False)
    ids = store_chunk_ids(settings)
    assert len(ids) == len(set(ids))
    copy.unlink()
    assert ids == expected_chunk_ids(small_corpus)
