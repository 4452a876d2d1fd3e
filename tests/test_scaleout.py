"""Past one machine, with real servers on 127.0.0.1: PostgreSQL (ASSISTANT_DB_URL) for the
ingest records, the index state, feedback and the question log; a `chroma run` server; two
app replicas that never ingest (`--no-ingest`) and load what an ingest elsewhere saved
(ASSISTANT_INDEX_DIR, a shared folder); nginx in front, configured as the README says."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from benchmarks.common import AppProcess
from benchmarks.servers import ChromaServer, Nginx, PostgresServer, postgres_bin

from .conftest import CORPUS, PROJECT

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(postgres_bin() is None or not os.path.exists("/usr/sbin/nginx"),
                                 reason="`make test` installs Debian's postgresql and nginx")]

NEW_ARTICLE = """---
id: oregon
title: "Medical Massage in Oregon"
kind: article
---

# Medical Massage in Oregon

## License renewal in Oregon

In Oregon, licensed massage therapists renew their license every two years.

Each renewal in Oregon requires 25 hours of continuing education.
"""
OREGON_QUESTION = "How often do Oregon massage therapists renew their license?"


def ingest(env: dict[str, str], data_dir) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "ingest.py", "--quiet"], cwd=PROJECT,
                            env={**os.environ, **env, "ASSISTANT_DATA_DIR": str(data_dir)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-2000:]
    return out


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """PostgreSQL + Chroma server + one ingest (from its own data folder, as another machine
    would run it) + two replicas, each with its own empty data folder."""
    root = tmp_path_factory.mktemp("scaleout")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    with PostgresServer() as pg, ChromaServer(root / "chroma") as chroma:
        env = {"ASSISTANT_DB_URL": pg.url, "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma.port),
               "ASSISTANT_INDEX_DIR": str(root / "shared-index"), "ASSISTANT_CORPUS_DIR": str(corpus),
               "ASSISTANT_INDEX_POLL_SECONDS": "1"}
        finished(ingest(env, root / "ingest-machine"))
        replicas = [AppProcess({**env, "ASSISTANT_DATA_DIR": str(root / f"replica-{i}")}, args=("--no-ingest",),
                               timeout=180) for i in range(2)]
        for replica in replicas:
            replica.__enter__()
        try:
            yield {"env": env, "root": root, "corpus": corpus, "pg": pg, "replicas": replicas}
        finally:
            for replica in replicas:
                replica.__exit__(None, None, None)


def ask(url: str, question: str, history: list | None = None, retries: int = 0) -> dict:
    for attempt in range(retries + 1):
        try:
            r = httpx.post(f"{url}/api/ask", json={"question": question, "history": history or []}, timeout=60)
            if r.status_code == 200:
                return r.json()
            error = f"HTTP {r.status_code}"
        except httpx.HTTPError as exc:
            error = repr(exc)
        if attempt == retries:
            raise AssertionError(f"{question!r} failed after {retries + 1} tries: {error}")
    raise AssertionError("unreachable")


def db_rows(url: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_two_ingests_started_at_once_leave_exactly_the_corpus_chunks(cluster, tmp_path):
    from assistant.corpus import load_corpus

    env = {**cluster["env"], "ASSISTANT_COLLECTION": "race"}
    procs = [ingest(env, tmp_path / f"machine-{i}") for i in range(2)]
    outputs = [finished(p) for p in procs]
    expected = len(load_corpus(cluster["corpus"]).documents)
    # One ran first and added everything; the other waited for the lock and found nothing to do.
    added = [o for o in outputs if o.startswith(f"added={expected} ")]
    unchanged = [o for o in outputs if o.startswith("added=0 ") and f"unchanged={expected} " in o]
    assert len(added) == 1 and len(unchanged) == 1, outputs
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=int(env["CHROMA_PORT"]))
    assert client.get_collection("race").count() == expected
    ids = client.get_collection("race").get(include=[])["ids"]
    assert len(set(ids)) == expected
    recorded = db_rows(cluster["pg"].url, "select count(*) from upsertion_record where namespace = 'chroma/race'")
    assert recorded == [(expected,)]


def test_both_replicas_answer_the_same_from_the_shared_index(cluster):
    first, second = (ask(r.url, "is maryland different?") for r in cluster["replicas"])
    assert "Registered Massage Practitioners" in first["answer"]
    assert first["answer"] == second["answer"] and first["citations"] == second["citations"]
    health = [httpx.get(r.url + "/healthz").json() for r in cluster["replicas"]]
    assert health[0]["index_version"] == health[1]["index_version"] and health[0]["chunks"] == health[1]["chunks"]


@pytest.mark.browser
def test_votes_and_questions_through_either_replica_land_in_one_table(cluster):
    sync_api = pytest.importorskip("playwright.sync_api")
    from .test_web import CHROMIUM, CHROMIUM_ARGS

    questions = ["what is medical massage?", "is maryland different?"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for replica, question in zip(cluster["replicas"], questions):
            page = browser.new_page()
            page.goto(replica.url + "/", wait_until="load")
            page.wait_for_selector("#question textarea", timeout=30_000)
            page.fill("#question textarea", question)
            page.press("#question textarea", "Enter")
            page.locator("#chat button[aria-label='Like']").last.wait_for(state="visible", timeout=30_000)
            page.wait_for_timeout(1000)
            page.locator("#chat button[aria-label='Like']").last.click()
            page.wait_for_timeout(1000)
            page.close()
        browser.close()
    url = cluster["pg"].url
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        votes = sorted(q for (q,) in db_rows(url, "select question from feedback where liked = 1"))
        if votes == sorted(questions):
            break
        time.sleep(0.5)
    assert votes == sorted(questions)
    logged = {q: v for q, v in db_rows(url, "select question, vote from questions")}
    assert all(logged.get(q) == 1 for q in questions), logged


def test_an_ingest_elsewhere_reaches_both_replicas_without_a_restart(cluster):
    replicas = cluster["replicas"]
    pids = [r.proc.pid for r in replicas]
    before = [ask(r.url, OREGON_QUESTION) for r in replicas]
    assert all("every two years" not in a["answer"] for a in before)
    (cluster["corpus"] / "articles" / "oregon.md").write_text(NEW_ARTICLE, encoding="utf-8")
    out = finished(ingest(cluster["env"], cluster["root"] / "ingest-machine"))
    assert "added=1" in out
    deadline = time.monotonic() + 60
    answers = []
    while time.monotonic() < deadline:
        answers = [ask(r.url, OREGON_QUESTION) for r in replicas]
        if all("every two years" in a["answer"] for a in answers):
            break
        time.sleep(0.5)
    assert all("every two years" in a["answer"] for a in answers), [a["answer"][:100] for a in answers]
    assert all(any(c["title"] == "Medical Massage in Oregon" for c in a["citations"]) for a in answers)
    assert [r.proc.pid for r in replicas] == pids and all(r.proc.poll() is None for r in replicas)
    # The refusal describes the sources as they are now, on both.
    described = [ask(r.url, "what's the weather tomorrow?")["answer"] for r in replicas]
    assert all("Medical Massage in Oregon" in d for d in described), described


def test_killing_a_replica_mid_load_loses_no_request(cluster):
    replicas = cluster["replicas"]
    with Nginx([f"127.0.0.1:{r.port}" for r in replicas]) as lb:
        solo = ask(lb.url, "do i need a prescription for insurance to pay?")
        results: list[dict] = []
        errors: list[str] = []

        def client(n: int) -> None:
            for _ in range(n):
                try:  # a client retries once, as a browser or an SDK would
                    results.append(ask(lb.url, "do i need a prescription for insurance to pay?", retries=1))
                except AssertionError as exc:
                    errors.append(str(exc))

        threads = [threading.Thread(target=client, args=(15,)) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        os.kill(replicas[0].proc.pid, signal.SIGKILL)  # mid-load, without warning
        for t in threads:
            t.join()
        assert errors == []
        assert len(results) == 60
        assert all(r["answer"] == solo["answer"] for r in results)
        replicas[0].proc.wait()


@pytest.mark.browser
def test_a_chat_page_whose_replica_died_goes_on_with_its_visible_history(cluster):
    """The page sticks to one replica; when that one dies, the load balancer sends it to the
    other, which takes the conversation from what the page shows."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from .test_web import CHROMIUM, CHROMIUM_ARGS

    first, second = cluster["replicas"]
    if first.proc.poll() is None:  # make the page start on ``second``: ``first`` is down
        first.proc.kill()
        first.proc.wait()
    with Nginx([f"127.0.0.1:{first.port}", f"127.0.0.1:{second.port}"]) as lb, \
            sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(lb.url + "/", wait_until="load")
        page.wait_for_selector("#question textarea", timeout=30_000)
        page.fill("#question textarea", "how much does the MMPA certification cost?")
        page.press("#question textarea", "Enter")
        page.wait_for_function("document.querySelector('#chat').innerText.includes('1,400')", timeout=30_000)
        with AppProcess(first.env, port=first.port, args=("--no-ingest",), timeout=180):
            second.proc.kill()  # the page's replica dies; ``first`` is back on its port
            second.proc.wait()
            deadline = time.monotonic() + 60
            text = ""
            while time.monotonic() < deadline and "13 days" not in text.split("how long does it take?")[-1]:
                page.fill("#question textarea", "how long does it take?")
                page.press("#question textarea", "Enter")
                page.wait_for_timeout(3000)
                text = page.locator("#chat").inner_text()
            # "it" is the MMPA certification, known only from the conversation the page shows.
            assert "13 days" in text.split("how long does it take?")[-1]
            assert "Traceback" not in text
        browser.close()
