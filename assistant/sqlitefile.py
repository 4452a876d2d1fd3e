"""One SQLite file with its schema, shared by threads: WAL journal, one writer at a time in this
process, the schema created on first use. The feedback store and the question log both live in
one such file; each owns its table."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class SqliteFile:
    def __init__(self, path: Path, schema: str, timeout: float = 10.0):
        self.path = Path(path)
        self.schema = schema
        self.timeout = timeout
        self._lock = threading.Lock()
        self._ready = False

    def connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.timeout)
        if not self._ready:
            conn.execute("pragma journal_mode=wal")
            conn.execute(self.schema)
            self._ready = True
        return conn

    def write(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        """Run one statement in its own transaction. Raises sqlite3.Error or OSError: the caller
        decides what a failed write means to the user."""
        with self._lock:
            conn = self.connect()
            try:
                with conn:
                    return conn.execute(sql, params)
            finally:
                conn.close()

    def select(self, sql: str, params: tuple = ()) -> list[dict]:
        conn = self.connect()
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()
