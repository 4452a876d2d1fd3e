"""Drafted replies to commenters: for each comment that asks something and has no reply yet, a
reply in the site's voice, addressed to the commenter by name ("Mary Ann – ..."), two to four
sentences from the assistant's grounded answer with its sources listed under it, marked
**needs review** when the sources did not answer or the confidence is low."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .answer import Answer
from .corpus import _FileProblem, split_front_matter
from .decision import question_sentence
from .text import split_sentences

MIN_CONFIDENCE = 0.5
MAX_SENTENCES = 4


@dataclass
class Comment:
    source: str
    author: str
    text: str
    replied: bool = False

    @property
    def question(self) -> str | None:
        """What the comment asks: its question sentences, or None when it asks nothing."""
        asking = [s for s in split_sentences(self.text) if s.rstrip().endswith("?")]
        if not asking:
            asked = question_sentence(self.text)
            return asked if asked != self.text and asked else None
        return " ".join(asking)


@dataclass
class Reply:
    source: str
    author: str
    question: str
    text: str
    needs_review: bool
    why: str = ""
    citations: list[dict] = field(default_factory=list)


def read_comments(path: Path) -> list[Comment]:
    """A corpus comment file (front matter ``kind: comment``, "## Comment by" and "## Reply by"
    sections), or a plain-text file holding one comment (an optional first line "From: Name")."""
    text = Path(path).read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("---"):
        try:
            meta, body = split_front_matter(text.lstrip())
        except _FileProblem:
            meta, body = {}, text
        if meta.get("kind") == "comment":
            parts = re.split(r"^##\s+", body, flags=re.M)
            comment = next((p for p in parts if p.lower().startswith("comment")), body)
            own = "\n".join(comment.splitlines()[1:]).strip() if comment.lower().startswith("comment") else comment
            replied = any(p.lower().startswith("reply") for p in parts)
            return [Comment(str(path), str(meta.get("author") or "there"), own, replied)]
    lines = text.strip().splitlines()
    author = "there"
    if lines and re.match(r"^(from|name|author)\s*:", lines[0], re.I):
        author = lines[0].split(":", 1)[1].strip() or "there"
        lines = lines[1:]
    return [Comment(str(path), author, "\n".join(lines).strip())]


def draft_reply(assistant, comment: Comment) -> Reply:
    question = comment.question or comment.text
    answer: Answer = assistant.ask(question)
    # A comment asking two things gets one paragraph for each, led by what it answers ("To “...”: Yes. ...").
    parts = _PART.split(answer.answer.strip())
    if len(parts) >= 3 and not parts[0].strip():
        bodies = [f"To “{asked.strip()}”: {_plain(said, MAX_SENTENCES // 2)}" for asked, said in zip(parts[1::2], parts[2::2])]
        body = "\n\n" + "\n\n".join(bodies)
    else:
        body = " " + _plain(answer.answer, MAX_SENTENCES)
    text = f"{_given_name(comment.author)} –{body}"
    used = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    citations = [c.model_dump() for c in answer.citations if c.n in used]
    why = ""
    if answer.refused:
        why = "the sources do not answer it"
    elif answer.confidence < MIN_CONFIDENCE:
        why = f"low confidence ({answer.confidence:.2f})"
    return Reply(comment.source, comment.author, question, text, bool(why), why, citations)


_SAID = "**What my sources do say:**"  # what a partial answer offers follows this line (prompts/partial.md)
_PART = re.compile(r"^\*\*(?!What my sources do say)(.+?)\*\*\s*$", re.M)  # a part's heading: the question it answers


def _plain(answer: str, max_sentences: int) -> str:
    """An answer (or a part of one) as a reply says it: plain words, at most ``max_sentences`` with their
    markers; a refusal says first what the sources do not cover, then what they do say."""
    refused = _SAID in answer
    said = answer.split(_SAID)[-1]
    # Each sentence of an answer ends with its markers ("... cost. [1][2]"): keep them together.
    sentences = re.findall(r"\S.*?\[\d+\](?:\[\d+\])*(?=\s|$)", said, flags=re.S) or split_sentences(said)
    body = " ".join(" ".join(s.split()) for s in sentences[:max(1, max_sentences - refused)]).strip()
    body = re.sub(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])", r"\1", body)  # the answer's italic framing, as plain words
    if refused:
        missing = answer.strip().split("\n")[0].replace("*", "").strip()
        body = f"{missing} {body}".strip()
    return body


def _given_name(author: str) -> str:
    """How the site addresses a commenter: "Cindy", "Nash" (Nash Rich), "Mary Ann" (Mary Ann Ninaus)."""
    names = author.split()
    if author == "there" or not names:
        return "Hello"
    return names[0] if len(names) <= 2 else " ".join(names[:-1])


def drafts(assistant, paths: list[Path], include_all: bool = False) -> tuple[list[Reply], list[tuple[str, str]]]:
    """Replies for the comments that ask something and have no reply; and what was skipped, and why."""
    replies, skipped = [], []
    for path in paths:
        for comment in read_comments(path):
            if not include_all and comment.replied:
                skipped.append((comment.source, "already has a reply"))
            elif not include_all and comment.question is None:
                skipped.append((comment.source, "asks nothing"))
            else:
                replies.append(draft_reply(assistant, comment))
    return replies, skipped


def as_markdown(replies: list[Reply], skipped: list[tuple[str, str]]) -> str:
    out = []
    for reply in replies:
        out += [f"### Reply to {reply.author} ({reply.source})" + (" — **needs review**" if reply.needs_review else ""),
                "", f"> {reply.question}", "", reply.text, ""]
        if reply.needs_review:
            out += [f"**Needs review:** {reply.why}.", ""]
        if reply.citations:
            out += ["Sources:", *(f"- [{c['n']}] {c['title']} — {c['section']}: \"{c['snippet']}\"" for c in reply.citations), ""]
    if skipped:
        out += ["Skipped:", *(f"- {source}: {why}" for source, why in skipped), ""]
    return "\n".join(out).rstrip() + "\n"


def as_json(replies: list[Reply], skipped: list[tuple[str, str]]) -> str:
    return json.dumps({"replies": [asdict(r) for r in replies],
                       "skipped": [{"source": s, "why": w} for s, w in skipped]}, ensure_ascii=False, indent=2)
