"""The HTTP API and the chat page, served for real on 127.0.0.1 and driven by Chromium."""

import base64
import json
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from assistant.feedback import FeedbackStore
from assistant.web import create_app

from .conftest import PROJECT

ARTIFACTS = PROJECT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, app):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def feedback(tmp_path_factory):
    return FeedbackStore(tmp_path_factory.mktemp("feedback") / "feedback.sqlite")


@pytest.fixture(scope="module")
def server(assistant, feedback):
    with LiveServer(create_app(assistant, feedback=feedback)) as live:
        yield live


# --- HTTP API ------------------------------------------------------------------------------

def test_healthz_reports_the_index(server, assistant):
    r = httpx.get(f"{server.url}/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["chunks"] == assistant.chunk_count


def test_ask_returns_the_answer_json(server):
    r = httpx.post(f"{server.url}/api/ask", json={"question": "Is Maryland different?", "history": []}, timeout=30)
    assert r.status_code == 200
    body = r.json()
    assert "Registered Massage Practitioners" in body["answer"]
    assert body["citations"][0]["n"] == 1 and body["refused"] is False


def test_ask_uses_history_for_followups(server):
    history = [{"role": "user", "content": "what is the MMPA program?"}, {"role": "assistant", "content": "..."}]
    r = httpx.post(f"{server.url}/api/ask", json={"question": "how much does it cost?", "history": history}, timeout=30)
    assert "$1,400" in r.json()["answer"]


@pytest.mark.parametrize("body, where", [
    ({}, "question"),
    ({"question": 42}, "question"),
    ({"question": "hi", "history": [{"role": "wizard", "content": "x"}]}, "role"),
    ({"question": "hi", "history": "not a list"}, "history"),
])
def test_malformed_bodies_get_a_422_that_says_what_is_wrong(server, body, where):
    r = httpx.post(f"{server.url}/api/ask", json=body)
    assert r.status_code == 422
    assert where in json.dumps(r.json()["detail"])


def test_body_that_is_not_json_gets_a_422(server):
    r = httpx.post(f"{server.url}/api/ask", content=b"\xff\xfe{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_huge_body_is_rejected_with_413(server):
    r = httpx.post(f"{server.url}/api/ask", json={"question": "x" * 2_000_000})
    assert r.status_code == 413


def test_basic_auth_protects_everything_when_configured(assistant, feedback):
    with LiveServer(create_app(assistant, feedback=feedback, auth="maria:s3cret")) as live:
        assert httpx.get(f"{live.url}/healthz").status_code == 401
        assert httpx.get(f"{live.url}/").status_code == 401
        good = "Basic " + base64.b64encode(b"maria:s3cret").decode()
        bad = "Basic " + base64.b64encode(b"maria:wrong").decode()
        assert httpx.get(f"{live.url}/healthz", headers={"authorization": bad}).status_code == 401
        assert httpx.get(f"{live.url}/healthz", headers={"authorization": good}).status_code == 200


# --- the chat page in Chromium -------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (make test installs it)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requests = []
    page.on("request", lambda r: page.requests.append(r.url))
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(server.url + "/", wait_until="load")
    page.wait_for_selector("#question textarea", timeout=30_000)
    yield page
    outside = [u for u in page.requests if not u.startswith(server.url) and not u.startswith(("data:", "blob:"))]
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    context.close()


def ask(page, question: str, answers_before: int | None = None):
    count = page.locator("#chat [data-testid='bot']").count() if answers_before is None else answers_before
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(
        f"document.querySelectorAll('#chat [data-testid=\"bot\"]').length > {count} && "
        "!document.querySelector('#chat .pending')", timeout=30_000)
    page.wait_for_timeout(700)  # let the stream finish
    return page.locator("#chat [data-testid='bot']").last


@pytest.mark.browser
def test_question_shows_streamed_answer_with_sources(page):
    ask(page, "Do I need a special certification to do medical massage?")
    expect_text(page, "not needed")
    sources = page.get_by_text(re.compile(r"Sources \(\d+\)")).last
    sources.wait_for(state="visible")
    page.locator("#chat button[aria-label='Like']").last.wait_for(state="visible")
    page.wait_for_timeout(1000)  # the last streamed update re-renders the message
    section = page.get_by_text("Do You Need a Special Medical Massage Certification?").first
    assert not section.is_visible()  # the sources block starts folded under the answer
    sources.click()
    section.wait_for(state="visible", timeout=5_000)
    page.wait_for_timeout(500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-desktop.png"))


def expect_text(page, text: str, timeout: int = 15_000) -> None:
    page.wait_for_function("t => document.querySelector('#chat').innerText.includes(t)", arg=text, timeout=timeout)


@pytest.mark.browser
def test_clicking_an_example_asks_it(page):
    page.get_by_role("button", name=re.compile("business cards")).click()
    expect_text(page, "not an official designation")


@pytest.mark.browser
def test_followup_in_the_same_chat_and_new_chat_starts_over(page):
    ask(page, "tell me about the MMPA certification program")
    ask(page, "How much does it cost?")
    expect_text(page, "$1,400")
    page.click("#new-chat")
    page.wait_for_function("document.querySelectorAll('#chat [data-testid=\"bot\"]').length === 0")
    ask(page, "what is medical massage?", answers_before=0)
    assert "MMPA certification program" not in page.locator("#chat").inner_text()


@pytest.mark.browser
def test_refused_question_looks_like_a_refusal(page):
    ask(page, "what's the capital of France?")
    expect_text(page, "Not found in my sources")
    assert page.locator("#chat blockquote").count() >= 1
    assert "Paris" not in page.locator("#chat").inner_text()


@pytest.mark.browser
def test_thumbs_up_is_stored_with_question_answer_and_citations(page, feedback):
    before = len(feedback.rows())
    ask(page, "does insurance need a prescription?")
    page.locator("#chat button[aria-label='Like']").last.click()
    deadline = time.monotonic() + 10
    while len(feedback.rows()) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    row = feedback.rows()[-1]
    assert row["liked"] == 1 and row["question"] == "does insurance need a prescription?"
    assert "prescri" in row["answer"] and json.loads(row["citations"])
    assert set(row) == {"id", "created_at", "liked", "question", "answer", "citations", "refused"}  # nothing identifying


@pytest.mark.browser
def test_one_answer_gets_one_vote_however_often_it_is_clicked(page, feedback):
    before = len(feedback.rows())
    ask(page, "what is the job outlook for medical massage?")
    for i in range(12):
        label = "Like" if i % 2 == 0 else "Dislike"
        page.locator(f"#chat button[aria-label='{label}']").last.click()
        page.wait_for_timeout(150)
    page.wait_for_timeout(1500)
    rows = feedback.rows()[before:]
    assert len(rows) == 1 and rows[0]["liked"] == 1


@pytest.mark.browser
def test_script_typed_in_the_box_is_shown_as_text_and_never_runs(page):
    page.evaluate("window.__pwned = false")
    ask(page, "<script>window.__pwned = true; alert('x')</script><img src=x onerror=\"window.__pwned=true\"> what is medical massage?")
    expect_text(page, "<script>")
    assert page.evaluate("window.__pwned") is False
    assert page.dialogs == []


@pytest.mark.browser
def test_phone_layout(browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    page = context.new_page()
    page.goto(server.url + "/", wait_until="load")
    page.wait_for_selector("#question textarea", timeout=30_000)
    ask(page, "Can I put medical massage therapist on my business cards?")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"page scrolls sideways on a phone ({width}px)"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-phone.png"), full_page=True)
    context.close()


def test_binding_beyond_loopback_prints_a_warning():
    import app

    assert app.bind_warning("127.0.0.1", None) is None
    assert "reachable from other machines" in app.bind_warning("0.0.0.0", None)
    assert "no password" in app.bind_warning("0.0.0.0", None)
    assert "no password" not in app.bind_warning("0.0.0.0", "u:p")


def test_a_port_already_in_use_is_said_at_once_not_after_building_the_index(capsys, monkeypatch):
    import socket

    import app

    def never(*args, **kwargs):
        raise AssertionError("the index must not be built when the port is taken")
    monkeypatch.setattr(app, "prepare_assistant", never)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert app.main(["--port", str(port)]) == 2
    assert f"Port {port} on 127.0.0.1 is already in use" in capsys.readouterr().err
    from assistant.serve import port_taken
    assert not port_taken("127.0.0.1", port)  # closed: free again
