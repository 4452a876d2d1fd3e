import json
import os
import subprocess
import sys

import pytest

from .conftest import PROJECT

pytestmark = pytest.mark.slow


def run(built_settings, *args, stdin=None):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(built_settings.data_dir)}
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=PROJECT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=180)


def test_ask_json_has_the_contract_shape(built_settings):
    out = run(built_settings, "ask", "does insurance need a prescription?", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"answer", "citations", "refused", "confidence", "latency_ms"}
    assert data["citations"] and set(data["citations"][0]) >= {"n", "doc_id", "title", "section", "snippet", "score"}


def test_ask_text_lists_sources(built_settings):
    out = run(built_settings, "ask", "is maryland different?")
    assert out.returncode == 0 and "Sources:" in out.stdout and "[1]" in out.stdout


def test_batch_answers_every_line_in_order_with_ids(built_settings, tmp_path):
    lines = [{"id": "a", "question": "Can I put medical massage therapist on my business cards?"},
             {"id": 7, "question": "How much does it cost?",
              "history": [{"role": "user", "content": "what is the MMPA program"}]},
             {"id": "c", "question": "what's the capital of France?"}]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(l) for l in lines) + "\n")
    dst = tmp_path / "out.jsonl"
    out = run(built_settings, "batch", str(src), "-o", str(dst))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(l) for l in dst.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", 7, "c"]
    assert "not an official designation" in rows[0]["answer"]
    assert "$1,400" in rows[1]["answer"]
    assert rows[2]["refused"] is True
    stdout = run(built_settings, "batch", str(src))
    assert len(stdout.stdout.strip().splitlines()) == 3
