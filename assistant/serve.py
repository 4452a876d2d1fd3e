"""Start-up for a serving process: make sure the index matches the corpus, then load."""

from __future__ import annotations

import logging

from .indexing import index_is_current, run_ingest
from .pipeline import Assistant
from .settings import Settings

log = logging.getLogger(__name__)


def prepare_assistant(settings: Settings) -> Assistant:
    """Build the index when it is missing or stale; rebuild it once when it cannot be opened."""
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
