"""`python -m assistant ask "QUESTION" [--json]`, `python -m assistant batch IN.jsonl [-o OUT.jsonl]`,
`python -m assistant gaps [--days N] [--format md|json]` and `python -m assistant replies PATH... [--all]`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from . import Assistant
from .answer import plain_text


def _explain(decision) -> str:
    ev = decision.evidence
    lines = [f"decision: {decision.verdict} ({decision.reason}); scores {decision.scores}",
             f"asks: {ev.asks or '-'}; names: {ev.names or '-'}"]
    lines += [f"term {t.word!r}: nearest {t.nearest!r} {t.nearest_similarity:.2f}, shift {t.shift:.3f}, "
              f"domain {t.domain:.3f}" + (", typed as a name" if t.typed_as_name else "")
              + (", name-like" if t.name_like else "") for t in ev.terms]
    lines += [f"  {u.score:.3f} (sim {u.unit.similarity:.2f}, cov {u.coverage:.2f}) {u.unit.kind}/{u.unit.role}: "
              f"{u.unit.text[:90]!r}" for u in ev.units[:5]]
    return "\n".join(lines)


def _batch(assistant: Assistant, source, sink) -> int:
    errors = 0
    for number, line in enumerate(source, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                raise ValueError("each line needs a JSON object with a string 'question'")
        except ValueError as exc:
            print(f"line {number}: {exc}", file=sys.stderr)
            errors += 1
            continue
        answer = assistant.ask(item["question"], item.get("history"))
        sink.write(json.dumps({"id": item.get("id"), **answer.model_dump()}, ensure_ascii=False) + "\n")
        sink.flush()
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the Answer JSON")
    ask.add_argument("--explain", action="store_true", help="also print the decision and the evidence behind it")
    batch = sub.add_parser("batch", help="answer one JSON question per line, in order, loading the models once")
    batch.add_argument("input", type=Path)
    batch.add_argument("-o", "--output", type=Path)
    gaps = sub.add_parser("gaps", help="refused and disliked questions from the question log, grouped by meaning")
    gaps.add_argument("--days", type=int, default=30)
    gaps.add_argument("--format", choices=["md", "json"], default="md")
    replies = sub.add_parser("replies", help="draft replies to the comments that ask something and have no reply")
    replies.add_argument("paths", type=Path, nargs="+", help="comment files (corpus Markdown) or plain-text comments")
    replies.add_argument("--all", action="store_true", help="also comments that ask nothing or have a reply")
    replies.add_argument("--format", choices=["md", "json"], default="md")
    replies.add_argument("-o", "--output", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")

    assistant = Assistant.from_settings()
    if args.command == "gaps":
        from . import gaps as g
        from .questionlog import QuestionLog

        settings = assistant.settings
        rows = QuestionLog(settings.feedback_url, settings.question_log, settings.question_log_days).rows(args.days)
        found = g.knowledge_gaps(rows, assistant.retriever.embeddings.embed_documents, assistant.retriever.search,
                                 assistant.decider.centroid)
        print(g.as_json(found) if args.format == "json" else g.as_markdown(found, args.days))
        return 0
    if args.command == "replies":
        from . import replies as r

        missing = [str(p) for p in args.paths if not p.is_file()]
        if missing:
            print(f"not a file: {', '.join(missing)}", file=sys.stderr)
            return 2
        drafted, skipped = r.drafts(assistant, args.paths, include_all=args.all)
        text = r.as_json(drafted, skipped) if args.format == "json" else r.as_markdown(drafted, skipped)
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            print(text)
        return 0
    if args.command == "ask":
        answer, trace = assistant.trace(args.question)
        print(answer.model_dump_json(indent=2) if args.json else plain_text(answer))
        if args.explain:
            for decision in trace.decisions:
                print("\n" + _explain(decision))
        return 0
    with args.input.open(encoding="utf-8", errors="replace") as source:
        if args.output:
            with args.output.open("w", encoding="utf-8") as sink:
                return _batch(assistant, source, sink)
        return _batch(assistant, source, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
