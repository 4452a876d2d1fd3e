"""`python -m evals [--cases FILE] [--split dev|holdout|all] [--baseline]`: run the eval splits,
print the tables, write the report (with the calibration curve of the dev split), exit 1 when
a metric of a split is under its threshold."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from assistant.corpus import load_corpus
from assistant.serve import prepare_assistant
from assistant.settings import get_settings

from .calibrate import chart, curves, markdown
from .report import REPORTS_DIR, print_table, write_reports
from .runner import SPLITS, gate, load_cases, results_as_dicts, run_cases, summarize


def build_assistant():
    return prepare_assistant(get_settings())


def answerer_for(assistant):
    def answerer(question, history):
        answer, trace = assistant.trace(question, history)
        reason = "; ".join(d.reason for d in trace.decisions) or (trace.refusal or "")
        return answer, [c.doc for c in (trace.retrieval.chunks if trace.retrieval else [])], reason
    return answerer


def evidence_pairs(assistant, cases: list[dict]) -> list:
    """(evidence of the first question's decision, expect_refusal) per case that reaches a decision."""
    pairs = []
    decider = assistant.decider
    decider.every_word = True  # so that a sweep of the word thresholds sees what the passages say of every word
    try:
        for case in cases:
            _, trace = assistant.trace(case["question"], case.get("history") or [])
            if trace.decision is not None:
                pairs.append((trace.decision.evidence, bool(case.get("expect_refusal"))))
    finally:
        decider.every_word = False
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    parser.add_argument("--cases", type=Path, help="one case file instead of the splits")
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--baseline", action="store_true", help="also answer with the naive recipe, side by side")
    parser.add_argument("--out", type=Path, default=REPORTS_DIR, help="report folder")
    parser.add_argument("--show-frozen-failures", action="store_true",
                        help="also print the failing cases of the frozen holdouts (they are always in the report)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    settings = get_settings()
    assistant = prepare_assistant(settings)
    corpus_text = {d.metadata["chunk_id"]: d.page_content for d in load_corpus(settings.corpus_dir).documents}
    if args.cases:
        files = {args.cases.stem: args.cases}
    else:
        files = SPLITS if args.split == "all" else {args.split: SPLITS[args.split]}
    naive = None
    if args.baseline:
        from .baseline import NaiveRAG

        naive = NaiveRAG(settings.corpus_dir, assistant.retriever.embeddings)

    splits = {}
    problems: list[str] = []
    for name, path in files.items():
        cases = load_cases(path)
        results = run_cases(answerer_for(assistant), cases, corpus_text)
        summary = summarize(results)
        baseline = summarize(run_cases(naive.answer, cases, naive.corpus_text)) if naive else None
        splits[name] = {"summary": summary, "baseline": baseline, "cases": results_as_dicts(results)}
        problems += gate(summary, split=name)

    calibration = ""
    if "dev" in files:
        curve = curves(evidence_pairs(assistant, load_cases(files["dev"])), assistant.thresholds)
        calibration = markdown(curve, assistant.thresholds)
        args.out.mkdir(parents=True, exist_ok=True)
        chart(curve, assistant.thresholds, args.out / "calibration.png")
        (args.out / "calibration.md").write_text(calibration)
    change = write_reports(splits, problems, args.out, calibration=calibration)
    print_table(splits, problems, change, frozen_failures=args.show_frozen_failures)
    print(f"Report: {args.out / 'latest.md'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
