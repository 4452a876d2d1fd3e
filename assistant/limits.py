"""What a client may send, enforced at the edge of the whole app: the JSON API, the OpenAI
routes and the mounted Gradio app alike.

* A request body is read here, up to ``MAX_BODY_BYTES``, whether or not it declares its length
  (a chunked body is counted as it arrives): over the limit is ``413`` at once, without reading
  the rest. A client that stops sending for ``READ_TIMEOUT_S`` gets ``408``.
* Routes the product does not use are closed (``404``): Gradio's upload (the page has no upload
  component), its monitoring and run listings, and the API descriptions of the Gradio app.
* An exception inside a route becomes a short JSON error: ``400`` when the request did not fit
  the route (an unknown ``fn_index``, an unexpected keyword), ``500`` otherwise. Neither the
  body nor the log gets a traceback; the log gets one line.
* ``RateLimit`` counts actions per client in a sliding window (feedback votes use it)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections import OrderedDict, deque

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024   # room for a 100,000-character question, or history the pipeline never reads
READ_TIMEOUT_S = 30.0          # a client silent this long while sending its request is cut off
CLOSED_PATHS = ("/gradio_api/upload", "/upload", "/monitoring", "/gradio_api/runs", "/redoc", "/docs",
                "/openapi.json", "/gradio_api/openapi.json")
CLIENT_ERRORS = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def is_openai_path(path: str) -> bool:
    return path == "/v1" or path.startswith("/v1/")


def openai_error(message: str, type_: str = "invalid_request_error", param: str | None = None,
                 code: str | None = None) -> dict:
    """OpenAI's error object."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def error_body(path: str, status: int, message: str) -> dict:
    """An OpenAI error object under /v1, the API's ``{"detail": ...}`` elsewhere."""
    if is_openai_path(path):
        return openai_error(message)
    return {"detail": message}


class EdgeLimits:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES, read_timeout: float = READ_TIMEOUT_S,
                 closed: tuple[str, ...] = CLOSED_PATHS):
        self.app = app
        self.max_body = max_body
        self.read_timeout = read_timeout
        self.closed = closed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if any(path == p or path.startswith(p + "/") for p in self.closed):
            await self._reply(scope, send, 404, "not found")
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body:
            await self._reply(scope, send, 413, f"request body is over {self.max_body} bytes")
            return
        body = bytearray()
        more = scope.get("method") in ("POST", "PUT", "PATCH")
        while more:
            try:
                message = await asyncio.wait_for(receive(), timeout=self.read_timeout)
            except asyncio.TimeoutError:
                await self._reply(scope, send, 408, f"the request body did not arrive within {self.read_timeout:g} s")
                return
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                await self._reply(scope, send, 413, f"request body is over {self.max_body} bytes")
                return
        replayed = not body and scope.get("method") not in ("POST", "PUT", "PATCH")  # nothing was read: pass through

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, replay, watch)
        except Exception as exc:  # noqa: BLE001 - one line in the log, a short error to the client
            status = 400 if isinstance(exc, CLIENT_ERRORS) else 500
            log.warning("%s %s failed: %s", scope.get("method"), path, type(exc).__name__)
            if not started:
                await self._reply(scope, send, status, "the request does not fit this route" if status == 400
                                  else "internal error")

    @staticmethod
    async def _reply(scope: Scope, send: Send, status: int, message: str) -> None:
        body = json.dumps(error_body(scope.get("path", ""), status, message)).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


async def route_error(request: Request, exc: Exception) -> JSONResponse:
    """For an app's ``Exception`` handler (Gradio's): the same short error instead of a traceback page.
    Starlette raises the exception again after this response; ``EdgeLimits`` catches it quietly."""
    status = 400 if isinstance(exc, CLIENT_ERRORS) else 500
    message = "the request does not fit this route" if status == 400 else "internal error"
    return JSONResponse(error_body(request.url.path, status, message), status_code=status)


class RateLimit:
    """At most ``limit`` actions per ``window`` seconds per key (a client address), in memory."""

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 10_000):
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._seen: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._seen.pop(key, None) or deque()
            while times and now - times[0] >= self.window:
                times.popleft()
            allowed = len(times) < self.limit
            if allowed:
                times.append(now)
            self._seen[key] = times
            while len(self._seen) > self.max_keys:
                self._seen.popitem(last=False)
            return allowed
