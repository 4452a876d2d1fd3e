"""The OpenAI-compatible API, served for real on 127.0.0.1 and called with the official `openai`
package and with LangChain's `ChatOpenAI`, as users of those clients would."""

import re

import httpx
import openai
import pytest

from assistant.feedback import FeedbackStore
from assistant.openai_api import MODEL_ID
from assistant.web import create_app

from .test_web import LiveServer

KEY = "test-key-0123"


@pytest.fixture(scope="module")
def server(assistant, tmp_path_factory):
    feedback = FeedbackStore(tmp_path_factory.mktemp("openai-feedback") / "feedback.sqlite")
    with LiveServer(create_app(assistant, feedback=feedback, api_key=KEY)) as live:
        yield live


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=KEY, max_retries=0, timeout=60)


def _ask(client, *messages, **extra):
    return client.chat.completions.create(model=MODEL_ID, messages=list(messages), **extra)


def test_models_lists_the_one_model(client):
    assert [m.id for m in client.models.list()] == [MODEL_ID]
    assert client.models.retrieve(MODEL_ID).id == MODEL_ID


def test_a_question_gets_the_cited_answer_with_its_sources(client, assistant):
    response = _ask(client, {"role": "user", "content": "Is Maryland different for licensing?"},
                    temperature=0.7, max_tokens=50)  # accepted; they mean nothing to an extractive answer
    text = response.choices[0].message.content
    assert response.choices[0].finish_reason == "stop" and response.model == MODEL_ID
    assert "Registered Massage Practitioners" in text and "[1]" in text
    assert "\nSources:\n[1] " in text
    grounding = response.model_extra["grounding"]
    assert grounding["refused"] is False and grounding["citations"][0]["n"] == 1
    assert text.startswith(assistant.ask("Is Maryland different for licensing?").answer)


def test_the_streamed_text_joined_equals_the_answer(client):
    question = {"role": "user", "content": "Do I need a special certification to do medical massage?"}
    whole = _ask(client, question)
    chunks = list(_ask(client, question, stream=True))
    assert len(chunks) > 3  # it really streams
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == whole.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["grounding"] == whole.model_extra["grounding"]


def test_the_stream_is_server_sent_events_ending_in_done(server):
    body = {"model": MODEL_ID, "stream": True, "messages": [{"role": "user", "content": "mmpa cost"}]}
    with httpx.stream("POST", f"{server.url}/v1/chat/completions", json=body, timeout=60,
                      headers={"Authorization": f"Bearer {KEY}"}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [line for line in r.iter_lines() if line]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]" and "$1,400" in "".join(events)


def test_earlier_messages_are_the_history_of_a_follow_up(client):
    response = _ask(client,
                    {"role": "system", "content": "You are a helpful assistant."},
                    {"role": "user", "content": "tell me about the MMPA certification program"},
                    {"role": "assistant", "content": "The MMPA offers a certification program with three levels."},
                    {"role": "user", "content": [{"type": "text", "text": "How much does it cost?"}]})
    assert "$1,400" in response.choices[0].message.content


def test_a_question_the_sources_do_not_answer_is_flagged_refused(client):
    response = _ask(client, {"role": "user", "content": "What CPT code do I bill medical massage under?"})
    assert response.model_extra["grounding"]["refused"] is True
    assert re.search(r"don't cover|not (covered|found)", response.choices[0].message.content)


def test_an_unknown_model_is_a_404_error_object(client):
    with pytest.raises(openai.NotFoundError) as error:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert error.value.body["code"] == "model_not_found"


def test_a_wrong_or_missing_key_is_refused(server):
    wrong = openai.OpenAI(base_url=f"{server.url}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as error:
        _ask(wrong, {"role": "user", "content": "What is medical massage?"})
    assert error.value.body["code"] == "invalid_api_key"
    assert httpx.get(f"{server.url}/v1/models").status_code == 401


@pytest.mark.parametrize("body, param", [
    ({"model": MODEL_ID, "messages": [{"role": "user", "content": "x" * 100_001}]}, "messages[0].content"),
    ({"model": MODEL_ID, "messages": []}, "messages"),
    ({"model": MODEL_ID, "messages": [{"role": "wizard", "content": "hi"}]}, "messages[0].role"),
    ({"model": MODEL_ID, "messages": [{"role": "user", "content": "hi"}], "n": 3}, "n"),
    ({"model": MODEL_ID, "messages": [{"role": "assistant", "content": "hi"}]}, "messages"),
])
def test_bad_requests_get_openai_error_objects_not_tracebacks(server, body, param):
    r = httpx.post(f"{server.url}/v1/chat/completions", json=body, timeout=30,
                   headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param and error["message"]
    assert "Traceback" not in r.text


def test_a_body_that_is_not_json_is_a_400_error_object(server):
    r = httpx.post(f"{server.url}/v1/chat/completions", content=b"\xff{not json", timeout=30,
                   headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["message"]


def test_langchain_chat_openai_talks_to_it(server):
    from langchain_openai import ChatOpenAI

    chat = ChatOpenAI(base_url=f"{server.url}/v1", api_key=KEY, model=MODEL_ID, max_retries=0, timeout=60)
    reply = chat.invoke("does insurance need a prescription?")
    assert "prescribed" in reply.content and "Sources:" in reply.content
    streamed = "".join(chunk.content for chunk in chat.stream("does insurance need a prescription?"))
    assert streamed == reply.content


def test_basic_auth_still_guards_the_page_when_a_key_is_set(assistant, tmp_path):
    app = create_app(assistant, feedback=FeedbackStore(tmp_path / "f.sqlite"), auth="maintainer:pw", api_key=KEY)
    with LiveServer(app) as live:
        assert httpx.get(f"{live.url}/healthz").status_code == 401
        assert httpx.get(f"{live.url}/v1/models", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
        assert httpx.get(f"{live.url}/v1/models", auth=("maintainer", "pw")).status_code == 200
        assert httpx.get(f"{live.url}/v1/models").status_code == 401
