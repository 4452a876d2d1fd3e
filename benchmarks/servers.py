"""Real servers on 127.0.0.1 in temporary folders, for the scale-out tests and benchmarks:
PostgreSQL (Debian's package, as a non-root user), a `chroma run` server and nginx in front
of app replicas. `make test` installs the Debian packages."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import free_port, stop_process, wait_for_http

NGINX = "/usr/sbin/nginx"


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """initdb + pg_ctl in a fresh folder, on a free port; ``url`` is an empty database."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed: `make test` installs Debian's postgresql package")
        self.port = free_port()
        self.url = f"postgresql://assistant@127.0.0.1:{self.port}/assistant"

    def _run(self, *args: str) -> None:
        # PostgreSQL refuses to run as root: the package's own user runs it then.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(prefix + list(args), check=True, capture_output=True, text=True)

    def __enter__(self) -> "PostgresServer":
        # Not under pytest's tmp folder: that one is private to root, and the server's user must enter it.
        self.root = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "assistant", "--auth=trust",
                  "-E", "UTF8", "--no-sync")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"), "-w",
                  "-t", "60", "-o", options, "start")
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=assistant dbname=postgres",
                             autocommit=True) as conn:
            conn.execute("create database assistant")
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


class ChromaServer:
    """`chroma run` with its data in ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.port = free_port()

    def __enter__(self) -> "ChromaServer":
        exe = Path(sys.executable).with_name("chroma")
        self.proc = subprocess.Popen(
            [str(exe), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
        if not wait_for_http(f"http://127.0.0.1:{self.port}/api/v2/heartbeat"):
            self.proc.kill()
            raise RuntimeError("the chroma server did not start")
        return self

    def __exit__(self, *exc) -> None:
        stop_process(self.proc, timeout=20)


def nginx_config(port: int, replicas: list[str], root: Path) -> str:
    """The load balancer of the README's recipe: the JSON and OpenAI APIs go to any replica (the
    conversation travels in each request); the chat page sticks to one (Gradio's queue lives in
    a process), and moves to another when its replica is down."""
    servers = "\n".join(f"        server {r} max_fails=1 fail_timeout=5s;" for r in replicas)
    temp = "\n".join(f"    {kind}_temp_path {root}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers write temp files in this folder
    return f"""{user}worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp}
    upstream any_replica {{
{servers}
    }}
    upstream sticky_replica {{
        hash $remote_addr consistent;
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 2m;
        proxy_http_version 1.1;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_read_timeout 300s;
        proxy_buffering off;
        proxy_next_upstream error timeout http_502 http_503;
        location /api/ {{ proxy_pass http://any_replica; }}
        location /v1/ {{ proxy_pass http://any_replica; }}
        location = /healthz {{ proxy_pass http://any_replica; }}
        location / {{ proxy_pass http://sticky_replica; }}
    }}
}}
"""


class Nginx:
    def __init__(self, replicas: list[str]) -> None:
        if not os.path.exists(NGINX):
            raise RuntimeError("nginx is not installed: `make test` installs Debian's nginx package")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.replicas = replicas

    def __enter__(self) -> "Nginx":
        self.root = Path(tempfile.mkdtemp(prefix="assistant-nginx-"))
        conf = self.root / "nginx.conf"
        conf.write_text(nginx_config(self.port, self.replicas, self.root))
        self.proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(self.root), "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while not wait_for_http(self.url + "/healthz", timeout=1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError(f"nginx did not start: {self.proc.stderr.read().decode()[-500:]}")
        return self

    def __exit__(self, *exc) -> None:
        stop_process(self.proc)
        shutil.rmtree(self.root, ignore_errors=True)
