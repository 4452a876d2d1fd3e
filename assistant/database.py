"""Everything relational, through SQLAlchemy: the feedback, the question log and the index
state, each a table; the ingest record manager (LangChain's) uses the same URL.

``ASSISTANT_DB_URL`` names one database for all of it (``postgresql://user@host/db`` for
several replicas). Without it, SQLite files in the data folder play the part, as they always
did: ``records.sqlite`` (ingest records, index state) and ``feedback.sqlite`` (feedback,
question log).

``ingest_lock`` lets one ingest at a time change the index, from any process on any machine
that shares the database: a PostgreSQL advisory lock, or a file lock beside a SQLite file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import (Column, Float, Integer, MetaData, String, Table, Text, create_engine, event, text)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

metadata = MetaData()

feedback_table = Table(
    "feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", Text, nullable=False),
    Column("liked", Integer, nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations", Text, nullable=False),
    Column("refused", Integer, nullable=False, server_default="0"),
)

questions_table = Table(
    "questions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", Text, nullable=False, index=True),
    Column("question", Text, nullable=False),
    Column("refused", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("cited", Text, nullable=False),
    Column("generator", Text, nullable=False),
    Column("latency_ms", Float, nullable=False),
    Column("vote", Integer),
    Column("comment", Text),
)

# One row per collection: what the last complete ingest saw, and which saved lexical index
# goes with it. Replicas read ``version`` to notice an ingest (one indexed row, checked cheaply).
index_state_table = Table(
    "index_state", metadata,
    Column("collection", String(200), primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("chunks", Integer, nullable=False),
    Column("failed", Text, nullable=False),      # JSON list of corpus files that failed to load
    Column("version", String(80), nullable=False),
    Column("updated_at", Float, nullable=False),
)

_engines: dict[tuple[str, float], Engine] = {}
_engines_lock = threading.Lock()
_created: set[tuple[str, str]] = set()


def normalize_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (the one driver installed), as users write it."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def engine_for(url: str, timeout: float = 10.0) -> Engine:
    """One engine (a connection pool) per database and timeout, shared by every store in the process."""
    url = normalize_url(url)
    key = (url, timeout)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = _create_engine(url, timeout)
    return engine


def _create_engine(url: str, timeout: float) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # No pool: a connection per use, as cheap as a file open, and never one left pointing
        # at a file that was deleted and made again.
        engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": timeout, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record) -> None:  # several processes read while one writes
            dbapi_connection.execute("pragma journal_mode=wal")
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10,
                         connect_args={"connect_timeout": max(1, int(timeout))})


def ensure_tables(engine: Engine, *tables: Table) -> None:
    """Create the tables when missing: checked every time for a SQLite file (a file can be deleted
    under a running process), once per process for a server database."""
    sqlite = engine.dialect.name == "sqlite"
    missing = [t for t in tables if sqlite or (str(engine.url), t.name) not in _created]
    if missing:
        try:
            metadata.create_all(engine, tables=missing, checkfirst=True)
        except SQLAlchemyError:  # another process created one between the check and the create
            metadata.create_all(engine, tables=missing, checkfirst=True)
        if not sqlite:
            _created.update((str(engine.url), t.name) for t in missing)


def is_postgres(url: str) -> bool:
    return make_url(normalize_url(url)).get_backend_name() == "postgresql"


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(normalize_url(url)).render_as_string(hide_password=True)


@contextlib.contextmanager
def ingest_lock(url: str, name: str, wait_s: float = 600.0) -> Iterator[None]:
    """Hold the lock called ``name`` for one ingest. Another ingest waits for it (up to ``wait_s``):
    two ingests started at once run one after the other, and the second finds nothing to do."""
    if is_postgres(url):
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        with engine_for(url).connect() as conn:
            conn.execute(text("select set_config('lock_timeout', :t, false)"), {"t": f"{int(wait_s * 1000)}"})
            started = time.monotonic()
            conn.execute(text("select pg_advisory_lock(:k)"), {"k": key})
            _waited(started, name)
            try:
                yield
            finally:
                conn.execute(text("select pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
        return
    database = make_url(normalize_url(url)).database or "memory"
    lock_path = Path(f"{database}.{hashlib.sha256(name.encode()).hexdigest()[:12]}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - started > wait_s:
                    raise TimeoutError(f"another ingest has held {lock_path} for over {wait_s:.0f} s")
                time.sleep(0.2)
        _waited(started, name)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _waited(started: float, name: str) -> None:
    waited = time.monotonic() - started
    if waited > 0.5:
        log.info("waited %.1f s for another ingest of %s to finish", waited, name)
