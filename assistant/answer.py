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
