"""Shared helpers: percentiles, a loopback server process, memory readings."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

PROJECT = Path(__file__).resolve().parent.parent


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 2), "p95": round(pct(values, 0.95), 2), "n": len(values)}


def _status_mb(key: str, pid: int | None) -> float:
    for line in Path(f"/proc/{pid or os.getpid()}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def rss_mb(pid: int | None = None) -> float:
    return _status_mb("VmRSS", pid)


def peak_rss_mb(pid: int | None = None) -> float:
    return _status_mb("VmHWM", pid)


def wait_for_http(url: str, timeout: float = 60) -> bool:
    """Poll a URL on loopback until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL when it does not end in ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class AppProcess:
    """`python app.py` on a free loopback port, for as long as the `with` block lasts."""

    def __init__(self, env: dict[str, str], timeout: float = 120, port: int | None = None, args: tuple[str, ...] = ()):
        self.args = tuple(args)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env}
        self.timeout = timeout

    def __enter__(self) -> "AppProcess":
        self.started = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "app.py", "--port", str(self.port), *self.args], cwd=PROJECT, env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {self.proc.returncode}")
            try:
                r = httpx.post(f"{self.url}/api/ask", json={"question": "what is medical massage"}, timeout=5)
                if r.status_code == 200:
                    self.ready_after = time.perf_counter() - self.started
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.proc.kill()
        raise TimeoutError("app.py did not answer in time")

    def __exit__(self, *exc) -> None:
        stop_process(self.proc)
