"""Thumbs up / down, stored with the question, the answer, its citations and the time.
No IP address, no user or session identifier is ever stored."""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from .sqlitefile import SqliteFile

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2_000     # more than the pipeline reads of a question
MAX_ANSWER_CHARS = 20_000      # more than an answer to three questions with their sources
MAX_CITATIONS = 30

SCHEMA = """
create table if not exists feedback (
    id integer primary key autoincrement,
    created_at text not null,
    liked integer not null,
    question text not null,
    answer text not null,
    citations text not null,
    refused integer not null default 0
)
"""


class FeedbackStore:
    def __init__(self, path: Path, timeout: float = 10.0):
        self.path = Path(path)
        self._db = SqliteFile(self.path, SCHEMA, timeout)

    def record(self, *, liked: bool, question: str, answer: str, citations: list[dict], refused: bool = False) -> bool:
        """Store one vote, each text capped. A failure is logged and reported as False: the chat never
        breaks over feedback."""
        row = (datetime.now(timezone.utc).isoformat(timespec="seconds"), int(bool(liked)),
               str(question)[:MAX_QUESTION_CHARS], str(answer)[:MAX_ANSWER_CHARS],
               json.dumps(list(citations)[:MAX_CITATIONS], ensure_ascii=False)[:MAX_ANSWER_CHARS], int(bool(refused)))
        try:
            self._db.write("insert into feedback (created_at, liked, question, answer, citations, refused) "
                           "values (?, ?, ?, ?, ?, ?)", row)
            return True
        except (sqlite3.Error, OSError) as exc:
            log.error("could not store feedback in %s: %s", self.path, exc)
            return False

    def rows(self) -> list[dict]:
        return self._db.select("select * from feedback order by id")
