"""The maintainers' page, ``/admin``: knowledge gaps with FAQ skeletons, feedback and use over
time, the eval history, and drafted replies to a pasted comment. It exists only when
``ASSISTANT_ADMIN_AUTH`` is set, and every route under it asks for that password (web.py)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import gradio as gr
import pandas as pd

from . import gaps as gap_report
from .feedback import FeedbackStore
from .pipeline import Assistant
from .questionlog import QuestionLog
from .replies import Comment, as_markdown as replies_markdown, draft_reply

EVAL_REPORTS = Path(__file__).resolve().parent.parent / "evals" / "reports"


def usage_frames(rows: list[dict], votes: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Questions per day with the share refused; thumbs up and down per day."""
    per_day = Counter(r["created_at"][:10] for r in rows)
    refused = Counter(r["created_at"][:10] for r in rows if r["refused"])
    use = pd.DataFrame([{"day": d, "questions": n, "refused share": round(refused[d] / n, 3)}
                        for d, n in sorted(per_day.items())], columns=["day", "questions", "refused share"])
    thumbs = Counter((v["created_at"][:10], "up" if v["liked"] else "down") for v in votes)
    votes_df = pd.DataFrame([{"day": d, "vote": k, "count": n} for (d, k), n in sorted(thumbs.items())],
                            columns=["day", "vote", "count"])
    return use, votes_df


def eval_history(path: Path = EVAL_REPORTS / "history.jsonl") -> pd.DataFrame:
    rows = []
    if path.exists():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                run = json.loads(line)
            except json.JSONDecodeError:
                continue
            for key, value in run.items():  # "pass_rate" is the dev split's, "<split>_pass_rate" another's
                if key == "pass_rate" or key.endswith("_pass_rate"):
                    split = "dev" if key == "pass_rate" else key.removesuffix("_pass_rate")
                    rows.append({"run": n, "time": run.get("time", ""), "split": split, "pass rate": value})
    return pd.DataFrame(rows, columns=["run", "time", "split", "pass rate"])


def build_admin(assistant: Assistant, log: QuestionLog, feedback: FeedbackStore) -> gr.Blocks:
    embed = assistant.retriever.embeddings.embed_documents

    def load_gaps(days: float):
        found = gap_report.knowledge_gaps(log.rows(int(days)), embed, assistant.retriever.search,
                                          assistant.decider.centroid)
        choices = [f"{n}. {g.examples[0]} ({g.count}×)" for n, g in enumerate(found, 1)]
        return (gap_report.as_markdown(found, int(days)), gr.update(choices=choices, value=choices[0] if choices else None),
                [g.faq_entry for g in found])

    def skeleton(choice: str | None, entries: list[str]):
        if not choice or not entries:
            return ""
        return entries[int(choice.split(".", 1)[0]) - 1]

    def load_use(days: float):
        rows = log.rows(int(days))
        use, votes = usage_frames(rows, [v for v in feedback.rows()])
        disliked = pd.DataFrame([{"time": r["created_at"], "question": r["question"], "reason": r["reason"],
                                  "cited": ", ".join(json.loads(r["cited"] or "[]"))}
                                 for r in reversed(rows) if r["vote"] == 0][:20],
                                columns=["time", "question", "reason", "cited"])
        total = len(rows)
        share = sum(r["refused"] for r in rows) / total if total else 0.0
        summary = f"**{total}** questions in the last {int(days)} days, **{share:.0%}** refused."
        top = max([1, *use["questions"].tolist()])  # axes from zero: one busy day is a bar, not a flat line
        top_votes = max([1, *votes["count"].tolist()])
        return (summary, gr.update(value=use, y_lim=[0, top * 1.1]), use,
                gr.update(value=votes, y_lim=[0, top_votes * 1.1]), disliked)

    def load_evals():
        latest = EVAL_REPORTS / "latest.md"
        return eval_history(), latest.read_text(encoding="utf-8") if latest.exists() else "No eval report yet."

    def reply(author: str, text: str):
        if not (text or "").strip():
            return "Paste a comment first."
        comment = Comment("pasted", (author or "").strip() or "there", text.strip())
        return replies_markdown([draft_reply(assistant, comment)], [])

    with gr.Blocks(title="Maintainers — medical massage assistant") as admin:
        gr.Markdown("## Maintainers\nWhat people asked that the sources could not answer, how the assistant is used, "
                    "and the eval history. " + ("The question log is on: questions are kept "
                                                f"{log.retention_days} days." if log.enabled else
                                                "The question log is off (ASSISTANT_QUESTION_LOG=off)."))
        with gr.Tab("Knowledge gaps"):
            days = gr.Number(30, label="Last N days", precision=0, minimum=1, elem_id="gap-days")
            refresh = gr.Button("Show gaps", variant="primary", elem_id="show-gaps")
            report = gr.Markdown(elem_id="gaps")
            entries = gr.State([])
            group = gr.Dropdown(label="Group", choices=[], elem_id="gap-group")
            make = gr.Button("FAQ entry skeleton", elem_id="make-faq")
            faq = gr.Code(language="yaml", label="Paste under `entries:` in corpus/faq.yaml", elem_id="faq-entry")
            refresh.click(load_gaps, days, [report, group, entries])
            make.click(skeleton, [group, entries], faq)
        with gr.Tab("Feedback and use"):
            use_days = gr.Number(30, label="Last N days", precision=0, minimum=1)
            show = gr.Button("Show", variant="primary", elem_id="show-use")
            summary = gr.Markdown()
            questions = gr.BarPlot(x="day", y="questions", title="Questions per day")
            refused = gr.ScatterPlot(x="day", y="refused share", title="Share refused", y_lim=[0, 1])
            votes = gr.BarPlot(x="day", y="count", color="vote", title="Thumbs up and down")
            disliked = gr.Dataframe(label="Latest disliked answers", wrap=True)
            show.click(load_use, use_days, [summary, questions, refused, votes, disliked])
        with gr.Tab("Evals"):
            load = gr.Button("Show eval history", variant="primary")
            history = gr.ScatterPlot(x="run", y="pass rate", color="split", title="Pass rate per eval run",
                                     y_lim=[0, 1])
            latest = gr.Markdown()
            load.click(load_evals, None, [history, latest])
        with gr.Tab("Draft a reply"):
            author = gr.Textbox(label="Commenter's name")
            text = gr.Textbox(label="The comment", lines=5, max_length=5_000)
            draft = gr.Button("Draft reply", variant="primary")
            out = gr.Markdown()
            draft.click(reply, [author, text], out)
    return admin
