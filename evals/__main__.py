"""`python -m evals [--cases FILE] [--baseline]`: run the eval set, print the table, write the
report, exit 1 when a metric is under its threshold."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from assistant.corpus import load_corpus
from assistant.serve import prepare_assistant
from assistant.settings import get_settings

from .report import REPORTS_DIR, print_table, write_reports
from .runner import DEFAULT_CASES, gate, load_cases, results_as_dicts, run_cases, summarize


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--baseline", action="store_true", help="also answer with the naive recipe, side by side")
    parser.add_argument("--out", type=Path, default=REPORTS_DIR, help="report folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    settings = get_settings()
    assistant = prepare_assistant(settings)
    cases = load_cases(args.cases)
    corpus_text = {d.metadata["chunk_id"]: d.page_content for d in load_corpus(settings.corpus_dir).documents}

    def answerer(question, history):
        answer, trace = assistant.trace(question, history)
        return answer, [c.doc for c in (trace.retrieval.chunks if trace.retrieval else [])]

    results = run_cases(answerer, cases, corpus_text)
    summary = summarize(results)
    baseline = None
    if args.baseline:
        from .baseline import NaiveRAG

        naive = NaiveRAG(settings.corpus_dir, assistant.retriever.embeddings)
        baseline = summarize(run_cases(naive.answer, cases, naive.corpus_text))
    problems = gate(summary)
    rows = results_as_dicts(results)
    change = write_reports(summary, baseline, rows, problems, args.out)
    print_table(summary, baseline, rows, problems, change)
    print(f"Report: {args.out / 'latest.md'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
