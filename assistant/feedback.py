"""Thumbs up / down, stored with the question, the answer, its citations and the time.
No IP address, no user or session identifier is ever stored."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError

from .database import describe, engine_for, ensure_tables, feedback_table, sqlite_url

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2_000     # more than the pipeline reads of a question
MAX_ANSWER_CHARS = 20_000      # more than an answer to three questions with their sources
MAX_CITATIONS = 30


class FeedbackStore:
    """``where``: a database URL (``ASSISTANT_DB_URL``) or the path of a SQLite file."""

    def __init__(self, where: str | Path, timeout: float = 10.0):
        self.url = where if isinstance(where, str) and "://" in where else sqlite_url(Path(where))
        self.timeout = timeout

    def _engine(self):
        engine = engine_for(self.url, self.timeout)
        ensure_tables(engine, feedback_table)
        return engine

    def record(self, *, liked: bool, question: str, answer: str, citations: list[dict], refused: bool = False) -> bool:
        """Store one vote, each text capped. A failure is logged and reported as False: the chat never
        breaks over feedback."""
        row = dict(created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), liked=int(bool(liked)),
                   question=str(question)[:MAX_QUESTION_CHARS], answer=str(answer)[:MAX_ANSWER_CHARS],
                   citations=json.dumps(list(citations)[:MAX_CITATIONS], ensure_ascii=False)[:MAX_ANSWER_CHARS],
                   refused=int(bool(refused)))
        try:
            with self._engine().begin() as conn:
                conn.execute(insert(feedback_table), row)
            return True
        except (SQLAlchemyError, OSError) as exc:
            log.error("could not store feedback in %s: %s", describe(self.url), exc)
            return False

    def rows(self) -> list[dict]:
        with self._engine().connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(feedback_table).order_by(feedback_table.c.id))]
