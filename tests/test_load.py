"""Load on a running app.py, loopback only and bounded: 50 API clients asking 10 questions
each, and 10 chat sessions through the Gradio queue. Every request is answered, with the
same answer as when asked alone."""

import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from benchmarks.common import AppProcess, pct
from evals.runner import load_cases


pytestmark = pytest.mark.slow

QUESTIONS = [c["question"] for c in load_cases() if not c.get("history")][:10]


@pytest.fixture(scope="module")
def app(built_settings, tmp_path_factory):
    data = tmp_path_factory.mktemp("load") / "data"
    shutil.copytree(built_settings.data_dir, data)
    with AppProcess({"ASSISTANT_DATA_DIR": str(data)}) as running:
        yield running


def _ask(http: httpx.Client, url: str, question: str) -> tuple[int, str, float]:
    t = time.perf_counter()
    r = http.post(f"{url}/api/ask", json={"question": question}, timeout=120)
    return r.status_code, r.json().get("answer", "") if r.status_code == 200 else "", (time.perf_counter() - t) * 1000


def test_50_api_clients_get_the_same_answers_as_one(app, capsys):
    with httpx.Client() as http:
        alone = {q: _ask(http, app.url, q)[1] for q in QUESTIONS}

    def client(k: int) -> list[tuple[str, int, str, float]]:
        with httpx.Client() as http:
            out = []
            for i in range(10):
                q = QUESTIONS[(k + i) % len(QUESTIONS)]
                status, answer, ms = _ask(http, app.url, q)
                out.append((q, status, answer, ms))
            return out

    started = time.perf_counter()
    with ThreadPoolExecutor(50) as pool:
        results = [r for rs in pool.map(client, range(50)) for r in rs]
    wall = time.perf_counter() - started
    latencies = [ms for *_, ms in results]
    with capsys.disabled():
        print(f"\nload: {len(results)} requests, {len(results) / wall:.1f}/s, p50 {pct(latencies, .5):.0f} ms, "
              f"p95 {pct(latencies, .95):.0f} ms")
    assert len(results) == 500
    assert [s for _, s, _, _ in results if s != 200] == []
    assert all(answer == alone[q] for q, _, answer, _ in results)


def test_10_chat_sessions_through_the_gradio_queue(app):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gradio_client import Client

    def session(k: int) -> tuple[str, str]:
        client = Client(app.url + "/", verbose=False)
        _, chat = client.predict("tell me about the MMPA certification program", [], api_name="/chat")
        _, chat = client.predict("How much does it cost?", chat, api_name="/chat")
        answers = [m for m in chat if m["role"] == "assistant" and not m.get("metadata")]
        return answers[0]["content"][0]["text"], answers[-1]["content"][0]["text"]

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(session, range(10)))
    assert len(results) == 10
    assert all("$1,400" in last for _, last in results)  # the follow-up used each session's own history
    assert len({r for r in results}) == 1
