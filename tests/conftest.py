import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant.settings import Settings  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "corpus"


def make_settings(data_dir: Path, corpus_dir: Path = CORPUS, **overrides) -> Settings:
    """Settings that ignore the caller's environment: tests never touch the user's .data/."""
    return Settings.from_env(env={}, data_dir=Path(data_dir), corpus_dir=Path(corpus_dir), **overrides)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """The two articles and one comment: quick to embed."""
    target = tmp_path / "small"
    (target / "articles").mkdir(parents=True)
    for name in ("schools.md", "meaning.md"):
        shutil.copy(CORPUS / "articles" / name, target / "articles" / name)
    (target / "comments").mkdir()
    shutil.copy(CORPUS / "comments" / "schools-cindy.md", target / "comments" / "schools-cindy.md")
    return target


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory) -> Settings:
    """The shipped corpus, ingested once for the whole session into a temporary data dir."""
    from assistant.indexing import run_ingest

    settings = make_settings(tmp_path_factory.mktemp("data"))
    report = run_ingest(settings, progress=False)
    assert report.failed == 0, report.errors
    return settings


@pytest.fixture(scope="session")
def assistant(built_settings):
    from assistant import Assistant

    return Assistant.from_settings(built_settings)
