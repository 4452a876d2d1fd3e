"""Serve the chat page and the HTTP API: `python app.py [--host H] [--port P]`."""

from __future__ import annotations

import argparse
import logging
import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.serve import port_taken, prepare_assistant, watch_index  # noqa: E402
from assistant.settings import get_settings  # noqa: E402

CONNECTIONS = 256          # open connections at once; more get 503 instead of piling up
HEADER_BYTES = 64 * 1024   # request line and headers


def bind_warning(host: str, auth: str | None) -> str | None:
    """Binding anything but loopback exposes the assistant to other machines: say so."""
    if host in ("127.0.0.1", "localhost", "::1"):
        return None
    return (f"WARNING: binding {host}: the assistant is reachable from other machines"
            + ("" if auth else " and ASSISTANT_AUTH is not set (no password)"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 7860)))
    parser.add_argument("--no-ingest", action="store_true",
                        help="a replica: serve the index an ingest elsewhere built (wait for one), never ingest here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    settings = get_settings()
    warning = bind_warning(args.host, settings.auth)
    if warning:
        print(warning, file=sys.stderr)
    if port_taken(args.host, args.port):
        print(f"Port {args.port} on {args.host} is already in use (is the assistant already running?). "
              f"Stop that process, or serve on another port: make run ARGS='--port {args.port + 1}'", file=sys.stderr)
        return 2
    assistant = prepare_assistant(settings, ingest=not args.no_ingest)
    watch_index(assistant)  # a newer index saved by an ingest is loaded without a restart

    import uvicorn

    from assistant.web import create_app

    app = create_app(assistant, auth=settings.auth, api_key=settings.api_key, admin_auth=settings.admin_auth)
    print(f"Serving on http://{args.host}:{args.port}  ({assistant.chunk_count} chunks, generator: {settings.llm})", flush=True)
    # Bounded connections and headers; request bodies are bounded and timed in assistant/limits.py.
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", limit_concurrency=CONNECTIONS,
                timeout_keep_alive=5, h11_max_incomplete_event_size=HEADER_BYTES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
