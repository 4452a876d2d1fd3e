"""No outside network at any time: ingest, the app and a browser session, with every
non-loopback connection recorded by a socket audit hook and by the browser's request log."""

import os
import subprocess
import sys

import pytest

from benchmarks.common import free_port, wait_for_http

from .conftest import PROJECT
from .test_web import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_ingest_app_and_browser_session_stay_on_loopback(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    audit = tmp_path / "audit.log"
    audit.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "GRADIO_"))}
    env["ASSISTANT_DATA_DIR"] = str(tmp_path / "data")  # a new store: ingest embeds, so the model is loaded
    ingest = subprocess.run([sys.executable, "tests/audit_run.py", str(audit), "ingest.py", "--quiet"], cwd=PROJECT,
                            env=env, capture_output=True, text=True, timeout=600)
    assert ingest.returncode == 0, ingest.stderr[-2000:]

    port = free_port()
    app = subprocess.Popen([sys.executable, "tests/audit_run.py", str(audit), "app.py", "--port", str(port)],
                           cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_for_http(f"{url}/healthz", timeout=120), "app.py did not start"
        requests = []
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url + "/", wait_until="load")
            page.wait_for_selector("#question textarea", timeout=30_000)
            page.fill("#question textarea", "does insurance need a prescription?")
            page.press("#question textarea", "Enter")
            page.wait_for_function("document.querySelector('#chat').innerText.includes('physician')", timeout=30_000)
            browser.close()
    finally:
        app.terminate()
        app.wait(timeout=20)
    outside = [u for u in requests if not u.startswith(url) and not u.startswith(("data:", "blob:"))]
    assert outside == []
    assert audit.read_text() == "", audit.read_text()
