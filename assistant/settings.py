"""One settings object, read once: environment variables say where things are,
``settings.toml`` says how the assistant behaves."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DEFAULT_SETTINGS_FILE = PACKAGE_DIR / "settings.toml"
LLM_CHOICES = ("extractive", "llamacpp", "openai", "ollama")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    corpus_dir: Path
    llm: str = "extractive"
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection: str = "medical_massage"
    feedback_db: Path | None = None
    db_url: str | None = None        # ASSISTANT_DB_URL: one database (SQLAlchemy URL) for records, feedback and log
    index_dir: Path | None = None    # ASSISTANT_INDEX_DIR: where ingest saves the lexical index replicas load
    index_poll_s: float = 5.0        # ASSISTANT_INDEX_POLL_SECONDS: how often a server checks for a new index
    auth: str | None = None
    api_key: str | None = None       # ASSISTANT_API_KEY: a Bearer key for the OpenAI-compatible /v1 routes
    admin_auth: str | None = None    # ASSISTANT_ADMIN_AUTH: user:password of the maintainers' page (/admin)
    question_log: bool = True        # ASSISTANT_QUESTION_LOG=off turns the question log off
    question_log_days: int = 90      # ASSISTANT_QUESTION_LOG_DAYS: how long a logged question is kept
    llamacpp_model: str | None = None
    openai_base_url: str | None = None
    openai_model: str = "local-model"
    openai_api_key: str | None = None
    ollama_model: str = "llama3.2"
    ollama_base_url: str | None = None
    tuning: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __getitem__(self, dotted: str) -> Any:
        """``settings["refusal.min_dense_similarity"]`` reads the tuning file."""
        group, key = dotted.split(".", 1)
        return self.tuning[group][key]

    def collection_name(self, layer: str = "chunks") -> str:
        """The chunks keep the configured name (so existing stores stay valid); derived layers add a suffix."""
        return self.collection if layer == "chunks" else f"{self.collection}_{layer}"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def record_db(self) -> Path:
        return self.data_dir / "records.sqlite"

    @property
    def feedback_path(self) -> Path:
        return self.feedback_db or self.data_dir / "feedback.sqlite"

    @property
    def records_url(self) -> str:
        """The ingest records and the index state."""
        from .database import sqlite_url

        return self.db_url or sqlite_url(self.record_db)

    @property
    def feedback_url(self) -> str:
        """Feedback and the question log. ``ASSISTANT_FEEDBACK_DB`` (a SQLite file) wins when set."""
        from .database import sqlite_url

        if self.feedback_db is None and self.db_url:
            return self.db_url
        return sqlite_url(self.feedback_path)

    @property
    def lexical_dir(self) -> Path:
        """Saved lexical indexes (BM25, term statistics, vocabulary), one folder per version."""
        return (self.index_dir or self.data_dir / "lexical") / self.collection

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> "Settings":
        env = dict(os.environ if env is None else env)
        tuning_file = Path(env.get("ASSISTANT_SETTINGS_FILE", DEFAULT_SETTINGS_FILE))
        tuning = tomllib.loads(tuning_file.read_text(encoding="utf-8"))
        llm = env.get("ASSISTANT_LLM", "extractive").strip().lower() or "extractive"
        if llm not in LLM_CHOICES:
            raise ValueError(f"ASSISTANT_LLM={llm!r}: choose one of {', '.join(LLM_CHOICES)}")
        values: dict[str, Any] = dict(
            data_dir=Path(env.get("ASSISTANT_DATA_DIR", ".data")),
            corpus_dir=Path(env.get("ASSISTANT_CORPUS_DIR", PROJECT_DIR / "corpus")),
            llm=llm,
            chroma_host=env.get("CHROMA_HOST") or None,
            chroma_port=int(env.get("CHROMA_PORT", "8000")),
            collection=env.get("ASSISTANT_COLLECTION", "medical_massage"),
            feedback_db=Path(env["ASSISTANT_FEEDBACK_DB"]) if env.get("ASSISTANT_FEEDBACK_DB") else None,
            db_url=env.get("ASSISTANT_DB_URL") or None,
            index_dir=Path(env["ASSISTANT_INDEX_DIR"]) if env.get("ASSISTANT_INDEX_DIR") else None,
            index_poll_s=float(env.get("ASSISTANT_INDEX_POLL_SECONDS", "5")),
            auth=env.get("ASSISTANT_AUTH") or None,
            api_key=env.get("ASSISTANT_API_KEY") or None,
            admin_auth=env.get("ASSISTANT_ADMIN_AUTH") or None,
            question_log=env.get("ASSISTANT_QUESTION_LOG", "on").strip().lower() not in ("off", "0", "false", "no"),
            question_log_days=int(env.get("ASSISTANT_QUESTION_LOG_DAYS", "90")),
            llamacpp_model=env.get("ASSISTANT_LLAMACPP_MODEL") or None,
            openai_base_url=env.get("ASSISTANT_OPENAI_BASE_URL") or env.get("OPENAI_BASE_URL") or None,
            openai_model=env.get("ASSISTANT_OPENAI_MODEL", "local-model"),
            openai_api_key=env.get("OPENAI_API_KEY") or None,
            ollama_model=env.get("ASSISTANT_OLLAMA_MODEL", "llama3.2"),
            ollama_base_url=env.get("OLLAMA_HOST") or None,
            tuning=tuning,
        )
        values.update(overrides)
        return cls(**values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
