"""The question log: what people asked, whether the sources answered, and how they voted,
so maintainers can see what to add. It lives in the feedback database (table ``questions``).

Stored per question: the time, the question as typed (capped), answered or refused and why,
the confidence, the cited chunk ids, the generator, the latency, and later the vote. Never an
IP address, a user or session identifier or a cookie. ``ASSISTANT_QUESTION_LOG=off`` turns it
off; ``ASSISTANT_QUESTION_LOG_DAYS`` (default 90) is how long a row is kept: older rows are
deleted on start and once a day. A failed write is logged and the answer goes out anyway."""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from .answer import Answer
from .database import describe, engine_for, ensure_tables, questions_table, sqlite_url

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2_000
PURGE_EVERY_S = 24 * 3600
T = questions_table


class QuestionLog:
    """``where``: a database URL or the path of a SQLite file (the feedback database)."""

    def __init__(self, where: str | Path, enabled: bool = True, retention_days: int = 90, timeout: float = 10.0):
        self.url = where if isinstance(where, str) and "://" in where else sqlite_url(Path(where))
        self.enabled = enabled
        self.retention_days = retention_days
        self.timeout = timeout
        self._purged_at = 0.0

    def _engine(self):
        engine = engine_for(self.url, self.timeout)
        ensure_tables(engine, T)
        return engine

    def _write(self, statement) -> int | None:
        """The new row's id for an insert, the rows touched otherwise; None when the write failed
        (logged without the question's words)."""
        try:
            with self._engine().begin() as conn:
                result = conn.execute(statement)
                return result.scalar_one() if result.returns_rows else result.rowcount
        except (SQLAlchemyError, OSError) as exc:
            log.error("question log in %s: %s", describe(self.url), type(exc).__name__)
            return None

    def record(self, question: str, answer: Answer, generator: str) -> int | None:
        """The row id, or None when the log is off or the write failed."""
        if not self.enabled:
            return None
        if time.monotonic() - self._purged_at > PURGE_EVERY_S:
            self.purge()
        cited = json.dumps(sorted({c.chunk_id for c in answer.citations if c.chunk_id}))
        return self._write(insert(T).values(
            created_at=_now(), question=str(question)[:MAX_QUESTION_CHARS], refused=int(answer.refused),
            reason=answer.reason or "", confidence=float(answer.confidence), cited=cited, generator=generator,
            latency_ms=float(answer.latency_ms)).returning(T.c.id))

    def vote(self, row_id: int | None, liked: bool) -> bool:
        if not self.enabled or row_id is None:
            return False
        return self._write(update(T).where(T.c.id == row_id).values(vote=int(bool(liked)))) is not None

    def comment(self, row_id: int | None, text: str) -> bool:
        """The user's optional word on an answer ("the price is out of date")."""
        if not self.enabled or row_id is None or not text.strip():
            return False
        return self._write(update(T).where(T.c.id == row_id).values(comment=text.strip()[:MAX_QUESTION_CHARS])) is not None

    def purge(self, now: datetime | None = None) -> int:
        """Delete the rows older than the retention period; how many went."""
        self._purged_at = time.monotonic()
        cutoff = ((now or datetime.now(timezone.utc)) - timedelta(days=self.retention_days)).isoformat(timespec="seconds")
        return self._write(delete(T).where(T.c.created_at < cutoff)) or 0

    def rows(self, days: int | None = None) -> list[dict]:
        query = select(T).order_by(T.c.id)
        if days is not None:
            since = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")
            query = query.where(T.c.created_at >= since)
        with self._engine().connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
