"""The OpenAI chat-completions API, so any client that speaks it (the `openai` SDK, LangChain's
`ChatOpenAI`, Open WebUI, LibreChat) gets the assistant's grounded, cited answers.

`POST /v1/chat/completions` (``stream`` true or false) and `GET /v1/models`. The last user
message is the question, the earlier user and assistant messages its history; system
messages are read by no one (the assistant answers from its sources whatever a prompt says).
The answer text keeps its ``[n]`` markers and ends with a "Sources:" list, so a plain client
shows them; the structured citations, ``refused`` and ``confidence`` travel in the extra
top-level field ``grounding`` (of the response, and of the last chunk of a stream). Errors
are OpenAI error objects: ``{"error": {"message", "type", "param", "code"}}``."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Callable, Iterator, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from .answer import Answer, plain_text
from .limits import openai_error
from .pipeline import Assistant

MODEL_ID = "medical-massage-assistant"
MODEL_CREATED = 1_764_547_200  # 2025-12-01, when this assistant's API was first served
MAX_CONTENT_CHARS = 100_000    # the same limits as /api/ask
MAX_MESSAGES = 10_000


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if self.content is None or isinstance(self.content, str):
            return self.content or ""
        return "\n".join(part.text or "" for part in self.content if part.type == "text")


class ChatRequest(BaseModel):
    """OpenAI's request; sampling fields (temperature, max_tokens, top_p, ...) are accepted and
    mean nothing to an answer composed from the sources' own sentences."""

    model_config = ConfigDict(extra="allow")
    model: str
    messages: list[Message] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool = False
    n: int = 1


class OpenAIError(Exception):
    def __init__(self, status: int, message: str, type_: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type_, param, code

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        return error_response(self.status, self.message, self.type, self.param, self.code, headers)


def error_response(status: int, message: str, type_: str = "invalid_request_error", param: str | None = None,
                   code: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(openai_error(message, type_, param, code), status_code=status, headers=headers)


def conversation(request: ChatRequest) -> tuple[str, list[dict[str, str]]]:
    """The question (the last user message) and the turns before it that the pipeline reads."""
    if request.model != MODEL_ID:
        raise OpenAIError(404, f"The model `{request.model}` does not exist; this server has `{MODEL_ID}`.",
                          param="model", code="model_not_found")
    if request.n != 1:
        raise OpenAIError(400, "Only one choice (n = 1) is produced.", param="n")
    turns = []
    for i, message in enumerate(request.messages):
        if isinstance(message.content, list) and any(p.type != "text" for p in message.content):
            raise OpenAIError(400, "Only text content is supported.", param=f"messages[{i}].content")
        text = message.text()
        if len(text) > MAX_CONTENT_CHARS:
            raise OpenAIError(400, f"messages[{i}] is over {MAX_CONTENT_CHARS} characters.",
                              param=f"messages[{i}].content", code="string_above_max_length")
        if message.role in ("user", "assistant"):
            turns.append({"role": message.role, "content": text})
    if not turns or turns[-1]["role"] != "user":
        raise OpenAIError(400, "The last user or assistant message must be the user's question.", param="messages")
    return turns[-1]["content"], turns[:-1]


def grounding(answer: Answer) -> dict[str, Any]:
    return {"refused": answer.refused, "confidence": answer.confidence,
            "citations": [c.model_dump() for c in answer.citations]}


def completion(answer: Answer, completion_id: str, created: int) -> dict[str, Any]:
    return {"id": completion_id, "object": "chat.completion", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": plain_text(answer), "refusal": None},
                         "logprobs": None, "finish_reason": "stop"}],
            "grounding": grounding(answer)}


def chunks(pieces: Iterator[str | Answer], completion_id: str, created: int,
           on_answer: Callable[[Answer], None] | None = None) -> Iterator[str]:
    """Server-sent events in OpenAI's chunk format: the role, the text as it comes, the sources,
    then a last chunk with ``finish_reason`` and ``grounding``, then ``[DONE]``."""
    def event(delta: dict, finish: str | None = None, **extra) -> str:
        body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    for piece in pieces:
        if isinstance(piece, Answer):
            if on_answer is not None:
                on_answer(piece)
            sources = plain_text(piece)[len(piece.answer):]
            if sources:
                yield event({"content": sources})
            yield event({}, "stop", grounding=grounding(piece))
            break
        yield event({"content": piece})
    yield "data: [DONE]\n\n"


def build_router(assistant: Assistant, on_answer: Callable[[str, Answer], None] | None = None) -> APIRouter:
    """``on_answer(question, answer)`` is told of every answer (the question log)."""
    notify = on_answer or (lambda question, answer: None)
    router = APIRouter(prefix="/v1")
    model = {"id": MODEL_ID, "object": "model", "created": MODEL_CREATED, "owned_by": "medical-massage-assistant"}

    @router.get("/models")
    def models() -> dict:
        return {"object": "list", "data": [model]}

    @router.get("/models/{model_id}")
    def one_model(model_id: str):
        if model_id != MODEL_ID:
            return error_response(404, f"The model `{model_id}` does not exist.", param="model", code="model_not_found")
        return model

    @router.post("/chat/completions")
    def chat_completions(request: ChatRequest):
        try:
            question, history = conversation(request)
        except OpenAIError as error:
            return error.response()
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if request.stream:
            return StreamingResponse(chunks(assistant.stream(question, history), completion_id, created,
                                            lambda answer: notify(question, answer)),
                                     media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
        answer = assistant.ask(question, history)
        notify(question, answer)
        return completion(answer, completion_id, created)

    return router
