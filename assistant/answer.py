"""The structured answer, kept whole until the edge where it is rendered."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Citation(BaseModel):
    n: int
    doc_id: str
    title: str
    section: str
    snippet: str = Field(description="the cited text, verbatim from the corpus")
    score: float = 0.0
    kind: str = "article"
    chunk_id: str = ""


class Answer(BaseModel):
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    refused: bool = False
    confidence: float = 0.0
    latency_ms: float = 0.0
    reason: str = Field("", description="'answered', or why the sources did not answer ('not covered: medicare')")


def plain_text(answer: Answer) -> str:
    """The answer with its sources listed under it, for clients that show plain text."""
    lines = [answer.answer]
    if answer.citations:
        lines.append("\nSources:")
        lines.extend(f"[{c.n}] {c.title} — {c.section}: \"{c.snippet}\"" for c in answer.citations)
    return "\n".join(lines)
