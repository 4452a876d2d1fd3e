"""CHROMA_HOST/CHROMA_PORT: ingest and answer through a real Chroma server on 127.0.0.1."""

import sys
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.indexing import run_ingest
from benchmarks.servers import ChromaServer

from .conftest import make_settings

pytestmark = pytest.mark.slow


@pytest.fixture
def chroma_server(tmp_path):
    if not Path(sys.executable).with_name("chroma").exists():
        pytest.skip("the chroma command is not installed")
    with ChromaServer(tmp_path / "server") as server:
        yield server.port


def test_ingest_and_answer_through_a_chroma_server(tmp_path, corpus_copy, chroma_server):
    settings = make_settings(tmp_path / "data", corpus_copy, chroma_host="127.0.0.1", chroma_port=chroma_server)
    first = run_ingest(settings, progress=False)
    assert first.added > 0 and first.failed == 0
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to the embedded store
    again = run_ingest(settings, progress=False)
    assert (again.added, again.deleted) == (0, 0)
    assistant = Assistant.from_settings(settings)
    answer = assistant.ask("is maryland different?")
    assert "Registered Massage Practitioners" in answer.answer
