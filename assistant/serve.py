"""Start-up for a serving process: make sure the index matches the corpus (or, for a replica,
wait for one), load it, and keep watching for a newer one."""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time

from .indexing import index_is_current, lexical_folder, run_ingest
from .pipeline import Assistant
from .settings import Settings

log = logging.getLogger(__name__)


def prepare_assistant(settings: Settings, ingest: bool = True, wait_s: float = 3600.0) -> Assistant:
    """Build the index when it is missing or stale, and rebuild it once when it cannot be opened.
    With ``ingest=False`` (a replica: ingest runs elsewhere), serve the index as it is, waiting up
    to ``wait_s`` for a first one."""
    if not ingest:
        _wait_for_index(settings, wait_s)
        return Assistant.from_settings(settings)
    if not index_is_current(settings):
        print("The index is missing or older than the corpus: building it first...", flush=True)
        report = run_ingest(settings)
        print(f"Index ready: {report.summary()}", flush=True)
        for error in report.errors:
            print(f"  skipped {error}", flush=True)
    try:
        return Assistant.from_settings(settings)
    except Exception as exc:  # a damaged or emptied store
        print(f"The index in {settings.data_dir} could not be used ({exc}).\n"
              "Rebuilding it now (the same as `python ingest.py --rebuild`)...", flush=True)
        report = run_ingest(settings, rebuild=True)
        print(f"Index rebuilt: {report.summary()}", flush=True)
        return Assistant.from_settings(settings)


def port_taken(host: str, port: int) -> bool:
    """Something already listens on host:port (another `make run`?). Checked before the index is
    built, so the user hears it at once, not after "Serving on ..."."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: a closing socket is no obstacle
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def _wait_for_index(settings: Settings, wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    said = False
    while lexical_folder(settings) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no index appeared in {wait_s:.0f} s: run `python ingest.py` with the same settings")
        if not said:
            print("Waiting for an ingest to build the index (`python ingest.py` with the same settings)...", flush=True)
            said = True
        time.sleep(min(settings.index_poll_s, 2.0))


def watch_index(assistant: Assistant, interval_s: float | None = None) -> threading.Thread | None:
    """Check every ``interval_s`` (ASSISTANT_INDEX_POLL_SECONDS; 0 turns it off) whether an ingest
    saved a newer index, and load it in the background. One cheap query per check."""
    interval_s = assistant.settings.index_poll_s if interval_s is None else interval_s
    if interval_s <= 0:
        return None

    def loop() -> None:
        while True:
            time.sleep(interval_s)
            try:
                assistant.refresh()
            except Exception:  # a database or store hiccup: answer from the loaded index, try again later
                log.exception("could not check for a new index")

    thread = threading.Thread(target=loop, name="index-watch", daemon=True)
    thread.start()
    return thread
