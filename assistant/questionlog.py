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
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .answer import Answer
from .sqlitefile import SqliteFile

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2_000
PURGE_EVERY_S = 24 * 3600

SCHEMA = """
create table if not exists questions (
    id integer primary key autoincrement,
    created_at text not null,
    question text not null,
    refused integer not null,
    reason text not null,
    confidence real not null,
    cited text not null,
    generator text not null,
    latency_ms real not null,
    vote integer,
    comment text
)
"""


class QuestionLog:
    def __init__(self, path: Path, enabled: bool = True, retention_days: int = 90, timeout: float = 10.0):
        self.path = Path(path)
        self.enabled = enabled
        self.retention_days = retention_days
        self._db = SqliteFile(self.path, SCHEMA, timeout)
        self._purged_at = 0.0

    def _write(self, sql: str, params: tuple = ()) -> sqlite3.Cursor | None:
        try:
            return self._db.write(sql, params)
        except (sqlite3.Error, OSError) as exc:
            log.error("question log in %s: %s", self.path, type(exc).__name__)
            return None

    def record(self, question: str, answer: Answer, generator: str) -> int | None:
        """The row id, or None when the log is off or the write failed."""
        if not self.enabled:
            return None
        if time.monotonic() - self._purged_at > PURGE_EVERY_S:
            self.purge()
        cited = json.dumps(sorted({c.chunk_id for c in answer.citations if c.chunk_id}))
        written = self._write(
            "insert into questions (created_at, question, refused, reason, confidence, cited, generator, latency_ms) "
            "values (?, ?, ?, ?, ?, ?, ?, ?)",
            (_now(), str(question)[:MAX_QUESTION_CHARS], int(answer.refused), answer.reason or "",
             float(answer.confidence), cited, generator, float(answer.latency_ms)))
        return written.lastrowid if written is not None else None

    def vote(self, row_id: int | None, liked: bool) -> bool:
        if not self.enabled or row_id is None:
            return False
        return self._write("update questions set vote = ? where id = ?", (int(bool(liked)), row_id)) is not None

    def comment(self, row_id: int | None, text: str) -> bool:
        """The user's optional word on an answer ("the price is out of date")."""
        if not self.enabled or row_id is None or not text.strip():
            return False
        return self._write("update questions set comment = ? where id = ?",
                           (text.strip()[:MAX_QUESTION_CHARS], row_id)) is not None

    def purge(self, now: datetime | None = None) -> int:
        """Delete the rows older than the retention period; how many went."""
        self._purged_at = time.monotonic()
        cutoff = ((now or datetime.now(timezone.utc)) - timedelta(days=self.retention_days)).isoformat(timespec="seconds")
        deleted = self._write("delete from questions where created_at < ?", (cutoff,))
        return deleted.rowcount if deleted is not None else 0

    def rows(self, days: int | None = None) -> list[dict]:
        if not self.path.exists():
            return []
        if days is None:
            return self._db.select("select * from questions order by id")
        since = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")
        return self._db.select("select * from questions where created_at >= ? order by id", (since,))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
