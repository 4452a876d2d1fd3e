"""The maintainers' side: the question log, knowledge gaps, the /admin page and drafted replies."""

import json
import re
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from assistant.feedback import FeedbackStore
from assistant.gaps import knowledge_gaps
from assistant.questionlog import QuestionLog
from assistant.replies import Comment, draft_reply
from assistant.web import create_app

from .conftest import CORPUS, PROJECT
from .test_web import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, LiveServer

pytestmark = pytest.mark.slow
ADMIN = ("maintainer", "s3cret")


@pytest.fixture
def logged(assistant, tmp_path):
    feedback = FeedbackStore(tmp_path / "feedback.sqlite")
    log = QuestionLog(feedback.url)
    with LiveServer(create_app(assistant, feedback=feedback, question_log=log, admin_auth=":".join(ADMIN))) as live:
        yield live, log


def test_every_answer_is_logged_without_anything_identifying(logged):
    live, log = logged
    httpx.post(f"{live.url}/api/ask", json={"question": "is maryland different?"}, timeout=30)
    httpx.post(f"{live.url}/api/ask", json={"question": "does medicare cover medical massage?"}, timeout=30)
    httpx.post(f"{live.url}/v1/chat/completions", timeout=30, json={
        "model": "medical-massage-assistant", "messages": [{"role": "user", "content": "mmpa cost"}]})
    rows = log.rows()
    assert [r["question"] for r in rows] == ["is maryland different?", "does medicare cover medical massage?", "mmpa cost"]
    answered, refused, _ = rows
    assert answered["refused"] == 0 and answered["reason"] == "answered" and json.loads(answered["cited"])
    assert refused["refused"] == 1 and "medicare" in refused["reason"]
    assert answered["generator"] == "extractive" and answered["latency_ms"] > 0
    assert set(answered) == {"id", "created_at", "question", "refused", "reason", "confidence", "cited", "generator",
                             "latency_ms", "vote", "comment"}


def test_the_log_can_be_turned_off(assistant, tmp_path):
    log = QuestionLog(tmp_path / "f.sqlite", enabled=False)
    with LiveServer(create_app(assistant, feedback=FeedbackStore(tmp_path / "f.sqlite"), question_log=log)) as live:
        assert httpx.post(f"{live.url}/api/ask", json={"question": "is maryland different?"}, timeout=30).status_code == 200
        assert "not kept" in httpx.get(f"{live.url}/config", timeout=30).text
    assert log.rows() == []


def test_rows_older_than_the_retention_are_deleted(tmp_path):
    log = QuestionLog(tmp_path / "f.sqlite", retention_days=30)
    from assistant.answer import Answer

    old, new = log.record("old question", Answer(answer="x"), "extractive"), log.record("new", Answer(answer="y"), "extractive")
    with sqlite3.connect(tmp_path / "f.sqlite") as conn:
        conn.execute("update questions set created_at = ? where id = ?",
                     ((datetime.now(timezone.utc) - timedelta(days=31)).isoformat(timespec="seconds"), old))
    assert log.purge() == 1
    assert [r["id"] for r in log.rows()] == [new]


def test_a_failed_log_write_does_not_break_the_answer(assistant, tmp_path):
    (tmp_path / "blocked").mkdir()
    log = QuestionLog(tmp_path / "blocked")  # a directory: sqlite cannot open it
    with LiveServer(create_app(assistant, feedback=FeedbackStore(tmp_path / "f.sqlite"), question_log=log)) as live:
        r = httpx.post(f"{live.url}/api/ask", json={"question": "is maryland different?"}, timeout=30)
    assert r.status_code == 200 and "Registered Massage Practitioners" in r.json()["answer"]


def test_gaps_put_paraphrases_together_and_different_questions_apart(assistant):
    asked = {
        "medicare": ["does medicare cover medical massage?", "will medicare pay for my massage therapy",
                     "medicare coverage for medical massage"],
        "wage": ["how much do medical massage therapists make an hour?", "what is the hourly pay of a massage therapist",
                 "hourly wage for medical massage"],
        "cpt": ["what CPT code do I bill for medical massage?", "cpt code for medical massage"],
    }
    rows = [{"question": q, "refused": 1, "reason": f"not covered: {k}", "vote": None} for k, qs in asked.items() for q in qs]
    rows.append({"question": "is maryland different?", "refused": 0, "reason": "answered", "vote": 1})  # not a gap
    found = knowledge_gaps(rows, assistant.retriever.embeddings.embed_documents, assistant.retriever.search,
                           assistant.decider.centroid)
    groups = sorted(sorted(g.examples) for g in found)
    assert groups == sorted(sorted(qs) for qs in asked.values())
    assert found[0].count == 3 and found[-1].count == 2
    entry = found[-1].faq_entry
    assert entry.startswith("  - id: ") and "question: " in entry and "answer: >-" in entry and "source: " in entry


@pytest.mark.parametrize("path", ["/admin", "/admin/", "/admin/config", "/admin/gradio_api/info"])
def test_admin_is_a_404_without_its_setting_and_a_401_without_its_password(assistant, tmp_path, logged, path):
    with LiveServer(create_app(assistant, feedback=FeedbackStore(tmp_path / "f.sqlite"))) as plain:
        assert httpx.get(f"{plain.url}{path}", timeout=30).status_code == 404
    live, _ = logged
    assert httpx.get(f"{live.url}{path}", timeout=30).status_code == 401
    assert httpx.get(f"{live.url}{path}", auth=("maintainer", "wrong"), timeout=30).status_code == 401
    assert httpx.get(f"{live.url}{path}", auth=ADMIN, timeout=30, follow_redirects=True).status_code == 200
    assert "/admin" not in httpx.get(f"{live.url}/", timeout=30).text  # never linked from the chat


def test_admin_page_in_a_browser_shows_gaps_and_a_faq_skeleton(logged):
    sync_api = pytest.importorskip("playwright.sync_api")
    live, _ = logged
    for q in ("does medicare cover medical massage?", "will medicare pay for my massage", "what CPT code do I use?"):
        httpx.post(f"{live.url}/api/ask", json={"question": q}, timeout=30)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000},
                                      http_credentials={"username": ADMIN[0], "password": ADMIN[1]})
        page = context.new_page()
        page.goto(f"{live.url}/admin/", wait_until="load")
        page.click("#show-gaps")
        page.wait_for_function("document.querySelector('#gaps').innerText.includes('(2×)')", timeout=30_000)
        page.wait_for_timeout(500)  # the biggest group is chosen when the gaps arrive
        page.click("#make-faq")
        page.wait_for_function("document.querySelector('#faq-entry').innerText.includes('question:')", timeout=15_000)
        assert "medicare" in page.locator("#faq-entry").inner_text().lower()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "admin-gaps.png"), full_page=True)
        browser.close()


def _replies(built_settings, *args):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(built_settings.data_dir)}
    return subprocess.run([sys.executable, "-m", "assistant", "replies", *args], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=180)


def test_replies_command_drafts_only_unanswered_questions(built_settings):
    comments = sorted(str(p) for p in (CORPUS / "comments").glob("*.md"))
    out = _replies(built_settings, *comments)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("### Reply to") == 1 and "### Reply to Mary Ann Ninaus" in out.stdout
    assert "\nMary Ann – " in out.stdout and "Sources:" in out.stdout and "[1]" in out.stdout
    assert "schools-cindy.md: already has a reply" in out.stdout and "schools-nash-rich.md: asks nothing" in out.stdout
    everything = json.loads(_replies(built_settings, "--all", "--format", "json", *comments).stdout)
    assert len(everything["replies"]) == 3 and not everything["skipped"]


def test_a_pasted_comment_gets_a_grounded_draft_or_needs_review(assistant):
    answered = draft_reply(assistant, Comment("pasted", "Jo Smith", "Love this. Do I need a special certification?"))
    assert answered.text.startswith("Jo – ") and answered.citations and not answered.needs_review
    assert 2 <= answered.text.count("[") <= 12
    unknown = draft_reply(assistant, Comment("pasted", "Jo Smith", "Does Medicare pay for medical massage?"))
    assert unknown.needs_review and "do not answer" in unknown.why


def test_a_drafted_reply_is_plain_words(assistant):
    """The chat's italic framing ("*My sources don't cover “anxiety”, ...*") reads as plain words in a reply."""
    reply = draft_reply(assistant, Comment("pasted", "Jo Smith", "Does medical massage help with anxiety?"))
    assert reply.text.startswith("Jo – My sources don't cover “anxiety”") and "*" not in reply.text, reply.text


def test_a_vote_and_a_remark_in_the_chat_reach_the_log(logged):
    sync_api = pytest.importorskip("playwright.sync_api")
    live, log = logged
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{live.url}/", wait_until="load")
        page.fill("#question textarea", "how much is the mmpa training?")
        page.press("#question textarea", "Enter")
        page.locator("#chat button[aria-label='Dislike']").last.wait_for(state="visible", timeout=30_000)
        page.wait_for_timeout(1000)
        page.locator("#chat button[aria-label='Dislike']").last.click()
        page.fill("#remark textarea", "I wanted the price per level")
        page.click("#send-remark")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (log.rows() and log.rows()[-1]["comment"]):
            time.sleep(0.2)
        browser.close()
    row = log.rows()[-1]
    assert row["question"] == "how much is the mmpa training?" and row["vote"] == 0
    assert row["comment"] == "I wanted the price per level"


def test_gaps_command_reads_the_log(built_settings, tmp_path):
    from assistant.answer import Answer

    db = tmp_path / "feedback.sqlite"
    log = QuestionLog(db)
    for q in ("does medicare cover medical massage?", "will medicare pay for massage", "is maryland different?"):
        log.record(q, Answer(answer="...", refused="maryland" not in q, reason="not covered: medicare"), "extractive")
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(built_settings.data_dir), "ASSISTANT_FEEDBACK_DB": str(db)}
    out = subprocess.run([sys.executable, "-m", "assistant", "gaps", "--days", "7", "--format", "json"], cwd=PROJECT,
                         env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    (gap,) = json.loads(out.stdout)
    assert gap["count"] == 2 and "medicare" in gap["faq_entry"].lower() and gap["reason"] == "not covered: medicare"


def test_a_drafted_reply_to_two_questions_answers_each_in_its_own_paragraph(assistant):
    """The chat's bold part headings read as "**Do I need ...** Yes. ..." run into one paragraph of a reply."""
    reply = draft_reply(assistant, Comment("pasted", "Jo Smith", "Do I need a prescription from the patient's doctor, "
                                           "and is there a special certification I need first?"))
    paragraphs = reply.text.split("\n\n")
    assert "*" not in reply.text and len(paragraphs) == 3 and paragraphs[0] == "Jo –", reply.text
    assert paragraphs[1].startswith("To “Do I need a prescription") and "Yes." in paragraphs[1], reply.text
    assert paragraphs[2].startswith("To “is there a special certification") and "No." in paragraphs[2], reply.text
    assert all(re.search(r"\[\d+\]", p) for p in paragraphs[1:]) and reply.citations
