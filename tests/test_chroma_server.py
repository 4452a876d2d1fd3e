"""CHROMA_HOST/CHROMA_PORT: ingest and answer through a real Chroma server on 127.0.0.1."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.indexing import run_ingest
from benchmarks.common import free_port, wait_for_http

from .conftest import make_settings

pytestmark = pytest.mark.slow


@pytest.fixture
def chroma_server(tmp_path):
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        pytest.skip("the chroma command is not installed")
    port = free_port()
    proc = subprocess.Popen([str(exe), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    if not wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat"):
        proc.kill()
        pytest.fail("chroma server did not start")
    yield port
    proc.terminate()
    proc.wait(timeout=20)


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
