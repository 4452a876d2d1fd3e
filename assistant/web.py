"""The HTTP API and the Gradio chat page, on one FastAPI app. Rendering happens here, at
the edge: everything before it is a structured ``Answer``."""

from __future__ import annotations

import base64
import html
import logging
import os
import secrets
from typing import Literal

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
from fastapi import FastAPI, Request  # noqa: E402
from fastapi.exception_handlers import http_exception_handler  # noqa: E402
from fastapi.exceptions import RequestValidationError  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from starlette.exceptions import HTTPException as StarletteHTTPException  # noqa: E402
from starlette.routing import Mount  # noqa: E402
from pydantic import BaseModel, Field  # noqa: E402

from .answer import Answer  # noqa: E402
from .feedback import FeedbackStore  # noqa: E402
from .indexing import index_is_current, index_state  # noqa: E402
from .limits import MAX_BODY_BYTES, READ_TIMEOUT_S, EdgeLimits, RateLimit, is_openai_path, route_error  # noqa: E402
from .openai_api import build_router, error_response  # noqa: E402
from .questionlog import QuestionLog  # noqa: E402
from .pipeline import Assistant  # noqa: E402

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 100_000
MAX_HISTORY_ITEMS = 10_000
QUEUE_CONCURRENCY = 4   # answers are CPU-bound (~20 ms each); 4 workers keep 2 cores busy without thrashing
QUEUE_MAX_SIZE = 64     # beyond this a visitor is told the assistant is busy instead of waiting unboundedly

EXAMPLES = [
    "Do I need a special certification to do medical massage?",
    "Does insurance need a prescription before it pays?",
    "Can I put “medical massage therapist” on my business cards?",
    "Is a massage training center a medical school?",
    "Is Maryland different for licensing?",
    "What's the job outlook?",
]
DISCLAIMER = (
    "General information from the sources listed below each answer, **not medical, legal or billing advice**. "
    "Check with your insurer, your state's massage therapy board or a physician before you act on it."
)
CSS = """
.disclaimer {font-size: 0.9em; opacity: 0.85}
.examples button {font-size: 0.85em !important}
"""
THEME = gr.themes.Soft(font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_QUESTION_CHARS)


class AskRequest(BaseModel):
    question: str = Field(max_length=MAX_QUESTION_CHARS, description="the user's question")
    history: list[Turn] = Field(default_factory=list, max_length=MAX_HISTORY_ITEMS)


def as_text(markdown: str) -> str:
    """User and corpus text may contain markup: it is shown, never executed."""
    return html.escape(markdown, quote=False)


def render_answer(answer: Answer) -> str:
    if answer.refused and answer.citations:  # a partial answer: what is missing, then what the sources do say
        return "> **Not fully covered by my sources.**\n\n" + as_text(answer.answer)
    if answer.refused:
        suggestions = "\n".join(f"- {q}" for q in EXAMPLES[:3])
        return ("> **Not found in my sources.**\n>\n> " + as_text(answer.answer).replace("\n\n", "\n>\n> ")
                + f"\n\n*Questions I can answer, for example:*\n\n{suggestions}")
    return as_text(answer.answer)


def render_sources(answer: Answer) -> str:
    lines = []
    for c in answer.citations:
        snippet = as_text(c.snippet).replace("\n", " ")
        lines.append(f"**[{c.n}] {as_text(c.title)}** — *{as_text(c.section)}*\n\n> {snippet}")
    return "\n\n".join(lines)


def history_from_display(display: list, keep_chars: int) -> list[dict[str, str]]:
    """The conversation as the page shows it: its questions and answers, without the folded
    sources blocks, as plain text."""
    history = []
    for message in display:
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            continue
        if (message.get("metadata") or {}).get("title"):
            continue
        content = message.get("content")
        if isinstance(content, list):  # Gradio may hand back normalized content parts
            content = " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        if isinstance(content, str) and content.strip():
            history.append({"role": message["role"], "content": html.unescape(content)[:keep_chars]})
    return history


FEEDBACK_PER_MINUTE = 30      # votes one client may cast per minute
MAX_REMEMBERED_ANSWERS = 50    # answers a session keeps for voting on
SESSION_TTL_S = 3600           # a conversation idle this long is freed


def build_ui(assistant: Assistant, feedback: FeedbackStore, log: QuestionLog) -> gr.Blocks:
    keep_chars = assistant.settings["guard.max_question_chars"]  # all the pipeline reads of a message
    votes = RateLimit(FEEDBACK_PER_MINUTE)

    def new_conversation() -> dict:
        return {"history": [], "answers": {}, "voted": []}

    def respond(message: str, display: list, convo: dict):
        convo = convo or new_conversation()
        display = list(display or [])
        if display and not convo["history"]:
            # A page whose server went away (another replica took it over, or this one restarted):
            # the chat it shows is the conversation, so a follow-up still knows what "it" is.
            convo["history"] = history_from_display(display, keep_chars)
        # The pipeline sees the message (and says when it cuts it); the session keeps only what it reads.
        full = message if isinstance(message, str) else ""
        question = full[:keep_chars]
        display.append({"role": "user", "content": as_text(question) + ("…" if len(full) > keep_chars else "") or "…"})
        display.append({"role": "assistant", "content": ""})
        yield "", display, convo
        answer = None
        streamed = ""
        for piece in assistant.stream(full, convo["history"]):
            if isinstance(piece, Answer):
                answer = piece
                break
            streamed += piece
            display[-1] = {"role": "assistant", "content": as_text(streamed)}
            yield "", display, convo
        display[-1] = {"role": "assistant", "content": render_answer(answer)}
        record = {"question": question, "log_id": log.record(question, answer, assistant.settings.llm),
                  **answer.model_dump()}
        answers = convo["answers"]
        answers[len(display) - 1] = record
        for old in sorted(answers)[:-MAX_REMEMBERED_ANSWERS]:
            del answers[old]
        if answer.citations:
            display.append({"role": "assistant", "content": render_sources(answer),
                            "metadata": {"title": f"Sources ({len(answer.citations)})", "status": "done"}})
            convo["answers"][len(display) - 1] = record
        convo["history"] = convo["history"] + [{"role": "user", "content": question},
                                               {"role": "assistant", "content": answer.answer}]
        yield "", display, convo

    def on_like(convo: dict, data: gr.LikeData, request: gr.Request):
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        record = (convo or {}).get("answers", {}).get(index)
        if record is None:
            return
        voted = convo.setdefault("voted", [])
        if record["answer"] in voted:  # one vote per answer per session (the sources message shares it)
            return
        client = getattr(getattr(request, "client", None), "host", None) or "unknown"
        if not votes.allow(client):
            gr.Warning("That is a lot of votes in a minute; this one was not saved.")
            return
        voted.append(record["answer"])
        log.vote(record.get("log_id"), bool(data.liked))
        if not feedback.record(liked=bool(data.liked), question=record["question"], answer=record["answer"],
                               citations=record["citations"], refused=record["refused"]):
            gr.Warning("Your feedback could not be saved right now, sorry. The chat still works.")

    def on_remark(text: str, convo: dict, request: gr.Request):
        answers = (convo or {}).get("answers", {})
        if not (text or "").strip() or not answers:
            return text
        client = getattr(getattr(request, "client", None), "host", None) or "unknown"
        if not votes.allow(client):
            gr.Warning("That is a lot of messages in a minute; this one was not sent.")
            return text
        if log.comment(answers[max(answers)].get("log_id"), str(text)):
            gr.Info("Thank you: the maintainers will see it.")
            return ""
        gr.Warning("Your comment could not be saved right now, sorry.")
        return text

    with gr.Blocks(title="Medical massage career & insurance assistant") as ui:
        gr.Markdown("## Medical massage therapy: careers, certification and insurance\n"
                    "Ask about certification and licensing, schools, what insurers need before they pay, or the job outlook. "
                    "Every answer cites the article passage it comes from.")
        kept = (f"Questions are kept {log.retention_days} days, without any name, address or identifier, so the "
                "maintainers can see what the sources are missing." if log.enabled else "Questions are not kept.")
        gr.Markdown(DISCLAIMER + "\n\n" + assistant.sources.sentence(topics=False) + " " + kept,
                    elem_classes=["disclaimer"])
        convo = gr.State(new_conversation(), time_to_live=SESSION_TTL_S)
        chat = gr.Chatbot(label="Chat", height=480, feedback_options=("Like", "Dislike"), elem_id="chat",
                          render_markdown=True, sanitize_html=True, buttons=["copy"])
        with gr.Row():
            box = gr.Textbox(placeholder="Type your question and press Enter", show_label=False, scale=5,
                             max_lines=6, elem_id="question", autofocus=True, max_length=MAX_QUESTION_CHARS)
            send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask")
        with gr.Row(elem_classes=["examples"]):
            example_buttons = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLES]
        if log.enabled:
            with gr.Row():
                remark = gr.Textbox(placeholder="Anything wrong or missing in the last answer? (optional, sent to the "
                                    "maintainers with the question)", show_label=False, scale=5, max_lines=3,
                                    max_length=2_000, elem_id="remark")
                send_remark = gr.Button("Send", size="sm", scale=1, min_width=80, elem_id="send-remark")
        clear = gr.Button("New chat", size="sm", elem_id="new-chat")

        box.submit(respond, [box, chat, convo], [box, chat, convo], api_name="chat")
        send.click(respond, [box, chat, convo], [box, chat, convo], api_visibility="private")
        for button, question in zip(example_buttons, EXAMPLES):
            button.click(respond, [gr.State(question), chat, convo], [box, chat, convo], api_visibility="private")
        chat.like(on_like, [convo], None, api_visibility="private")
        if log.enabled:
            remark.submit(on_remark, [remark, convo], remark, api_visibility="private")
            send_remark.click(on_remark, [remark, convo], remark, api_visibility="private")
        clear.click(lambda: ([], new_conversation(), ""), None, [chat, convo, box], api_visibility="private")
    ui.queue(default_concurrency_limit=QUEUE_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    return ui


def create_app(assistant: Assistant, feedback: FeedbackStore | None = None, auth: str | None = None,
               api_key: str | None = None, read_timeout: float = READ_TIMEOUT_S, admin_auth: str | None = None,
               question_log: QuestionLog | None = None) -> FastAPI:
    """``auth`` ("user:password") guards every route with basic auth; ``api_key`` also lets an
    OpenAI client in to ``/v1`` with ``Authorization: Bearer <key>``; ``admin_auth`` creates the
    maintainers' page at ``/admin``, behind its own password (without it, ``/admin`` is a 404)."""
    settings = assistant.settings
    feedback = feedback or FeedbackStore(settings.feedback_url)
    log = question_log or QuestionLog(feedback.url, settings.question_log, settings.question_log_days)
    if log.enabled:
        log.purge()
    api = FastAPI(title="Medical massage assistant", docs_url="/api/docs", openapi_url="/api/openapi.json",
                  redoc_url=None)

    @api.middleware("http")
    async def limits_and_auth(request: Request, call_next):
        openai = _is_openai(request)
        header = request.headers.get("authorization", "")
        path = request.url.path
        if path == "/admin" or path.startswith("/admin/"):  # its own password, and no page without one
            if not admin_auth:
                return JSONResponse({"detail": "Not Found"}, status_code=404)
            if not _authorized(header, admin_auth):
                return JSONResponse({"detail": "authentication required"}, status_code=401,
                                    headers={"WWW-Authenticate": 'Basic realm="maintainers"'})
        elif openai and (auth or api_key):
            if not ((api_key and _bearer(header, api_key)) or (auth and _authorized(header, auth))):
                return error_response(401, "Incorrect or missing API key.", code="invalid_api_key",
                                      headers={"WWW-Authenticate": 'Bearer realm="assistant"'})
        elif auth and not _authorized(header, auth):
            return JSONResponse({"detail": "authentication required"}, status_code=401,
                                headers={"WWW-Authenticate": 'Basic realm="assistant"'})
        return await call_next(request)

    @api.exception_handler(StarletteHTTPException)
    async def unreadable_body(request: Request, exc: StarletteHTTPException):
        # FastAPI answers 400 when the body cannot be decoded at all; the contract says 422.
        if exc.status_code == 400 and _is_openai(request):
            return error_response(400, "The body is not valid UTF-8 JSON.")
        if exc.status_code == 400 and request.url.path.startswith("/api/"):
            return JSONResponse({"detail": [{"loc": ["body"], "msg": "the body is not valid UTF-8 JSON",
                                             "type": "json_invalid"}]}, status_code=422)
        return await http_exception_handler(request, exc)

    @api.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        if not _is_openai(request):  # what is wrong and where, never the input echoed back
            return JSONResponse({"detail": [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "invalid"),
                                             "type": e.get("type", "invalid")} for e in exc.errors()[:20]]},
                                status_code=422)
        first = exc.errors()[0] if exc.errors() else {}
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first.get("loc", ())[1:]).lstrip(".") or None
        return error_response(400, f"{where or 'body'}: {first.get('msg', 'invalid request')}", param=where)

    @api.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "chunks": assistant.chunk_count, "llm": settings.llm,
                "index": "current" if index_is_current(settings) else "stale",
                "index_version": assistant.index_version[:12],
                "failed_files": len(index_state(settings).get("failed", []))}

    @api.post("/api/ask", response_model=Answer)
    def ask(request: AskRequest) -> Answer:
        answer = assistant.ask(request.question, [t.model_dump() for t in request.history])
        log.record(request.question, answer, settings.llm)
        return answer

    api.include_router(build_router(assistant, on_answer=lambda q, a: log.record(q, a, settings.llm)))
    if admin_auth:  # mounted before the chat page, which takes every other path
        from fastapi.responses import RedirectResponse

        from .admin import build_admin

        api.add_api_route("/admin", lambda: RedirectResponse("/admin/"), include_in_schema=False)

        gr.mount_gradio_app(api, build_admin(assistant, log, feedback), path="/admin", theme=THEME,
                            footer_links=[], show_error=False)
    ui = build_ui(assistant, feedback, log)
    app = gr.mount_gradio_app(api, ui, path="/", theme=THEME, css=CSS, footer_links=[], show_error=False)
    for route in app.routes:  # Gradio's own routes answer a request that does not fit them with a short error
        if isinstance(route, Mount) and hasattr(route.app, "add_exception_handler"):
            route.app.add_exception_handler(Exception, route_error)
    app.add_middleware(EdgeLimits, max_body=MAX_BODY_BYTES, read_timeout=read_timeout)
    return app


def _is_openai(request: Request) -> bool:
    return is_openai_path(request.url.path)


def _bearer(header: str, key: str) -> bool:
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), key.encode())


def _authorized(header: str, expected: str) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(encoded, validate=True).decode("utf-8")
    except ValueError:
        return False
    return secrets.compare_digest(given.encode(), expected.encode())
