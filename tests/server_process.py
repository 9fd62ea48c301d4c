"""A real server for tests: gunicorn started as ``make serve`` starts it (DEBUG off,
``DJANGO_SECURE_SSL=0``), on a migrated SQLite file of its own and a free loopback port.

Requests go through ``http.client`` on a fresh connection each, so the path is sent byte for
byte (no dot-segment clean-up, any method) and nothing follows redirects.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_env(folder: Path, **extra: str) -> dict[str, str]:
    """The environment of a site in ``folder`` (its database and media), migrated."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "NEWSROOM_MEDIA_ROOT": str(folder / "media"),
        "DJANGO_SECURE_SSL": "0",
        "NEWSROOM_PLAIN_STATIC": "1",  # no collectstatic in tests
        **extra,
    }
    (folder / "media").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return env


class Gunicorn:
    """``gunicorn newsroom.wsgi --workers 1`` in its own process group."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.port = _free_port()
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "newsroom.wsgi",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--no-control-socket",  # another server (a `make serve`) may hold the default
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()

    def request(self, method: str, path: str, headers: dict | None = None) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.request(method, path, headers={"Accept-Encoding": "identity", **(headers or {})})
            answer = conn.getresponse()
            body = answer.read()
            return Answer(answer.status, {k.lower(): v for k, v in answer.getheaders()}, body)
        finally:
            conn.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.log()}")
            try:
                if self.request("GET", "/robots.txt").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"gunicorn did not answer within {timeout}s:\n{self.log()}")
