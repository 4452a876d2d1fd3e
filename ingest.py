"""Build or update the vector store from corpus/: `python ingest.py [--corpus DIR] [--rebuild]`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from assistant.indexing import run_ingest
from assistant.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: corpus/ or ASSISTANT_CORPUS_DIR)")
    parser.add_argument("--rebuild", action="store_true", help="start from an empty store")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")

    report = run_ingest(get_settings(), args.corpus, rebuild=args.rebuild, progress=not args.quiet)
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    print(report.summary())
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
