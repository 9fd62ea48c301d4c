"""Security headers, and behaviour when the database or Redis is unreachable.

The fault tests run the real server (gunicorn) in a child process and take its database away
for real: the SQLite file's folder is moved aside, or the TCP proxy in front of PostgreSQL is
closed.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection

from articles.middleware import content_security_policy
from tests.factories import make_article

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/admin/login/", "/no-such-page/"])
def test_security_headers_on_public_and_admin_responses(client, path):
    response = client.get(path, secure=True)

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_content_security_policy_lists_only_configured_image_origins(settings):
    settings.NEWSROOM_CSP_IMAGE_SOURCES = ["https://img.example.com"]
    policy = content_security_policy()
    assert "img-src 'self' https://img.example.com;" in policy
    assert "https:;" not in policy and " * " not in policy


@pytest.mark.django_db
def test_redis_unreachable_pages_are_served_uncached(client, settings):
    make_article("Redis 停了也能读")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens here now
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with pytest.raises(Exception):  # noqa: B017, PT011 - the cache really is down
        caches["default"].get("probe")

    for _ in range(2):
        response = client.get("/", secure=True)
        assert response.status_code == 200
        assert "Redis 停了也能读" in response.content.decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


class Server:
    """gunicorn serving the project on a free loopback port with the given environment."""

    def __init__(self, env: dict):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "newsroom.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "30",
            ],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SECURE_SSL": "0", "NEWSROOM_PLAIN_STATIC": "1", **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("gunicorn did not start: " + self.process.stderr.read().decode())

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def test_sqlite_unavailable_gives_503_then_recovers(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    env = {"DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
    server = Server(env)
    try:
        assert _fetch(server.url + "/")[0] == 200
        shutil.move(folder, tmp_path / "away")  # the database is gone
        # (a page already cached would still be served: ask for one that is not)
        status, body = _fetch(server.url + "/?during=outage")
        assert status == 503
        assert "暂时无法访问" in body and "Traceback" not in body

        shutil.move(tmp_path / "away", folder)  # and back
        assert _fetch(server.url + "/?after=outage")[0] == 200
    finally:
        server.stop()


class TcpProxy:
    """Forward a loopback port to PostgreSQL; ``close`` cuts every connection at once."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = _free_port()
        self.sockets: list[socket.socket] = []
        self.listener = None

    def open(self):
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.sockets.append(self.listener)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def close(self):
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets = []

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@pytest.mark.django_db(transaction=True)
def test_postgresql_unavailable_gives_503_then_recovers():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL; CI runs this in its PostgreSQL pass")
    make_article("数据库回来了")
    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    proxy.open()
    url = f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}"
    server = Server({"DATABASE_URL": url, "NEWSROOM_DB_CONN_MAX_AGE": "600"})
    try:
        assert _fetch(server.url + "/")[0] == 200
        proxy.close()

        status, body = _fetch(server.url + "/?during=outage")
        assert status == 503
        assert "暂时无法访问" in body

        proxy.open()
        deadline = time.monotonic() + 10
        while (answer := _fetch(server.url + "/?after=outage"))[0] != 200:
            assert time.monotonic() < deadline, "the site did not recover"
            time.sleep(0.2)
        assert "数据库回来了" in answer[1]
    finally:
        server.stop()
        proxy.close()


# A NUL byte anywhere a query could take it from: PostgreSQL refuses it in a text parameter,
# which used to be a 500 (admin search and filters, a session cookie, any reader URL).
NUL_REQUESTS = [
    "/admin/articles/article/?q=%00",
    "/admin/articles/article/?status=%00",
    "/admin/articles/entity/?q=a%00b",
    "/admin/articles/article/%00/change/",
    "/?page=%00",
    "/search/?q=%00",
    "/tag/%00/",
    "/feeds/tag/%00/rss.xml",
    "/media/images/a%00.png",
    "/preview/1%00/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", NUL_REQUESTS)
def test_a_nul_byte_in_path_or_query_is_a_400(client, django_user_model, path):
    boss = django_user_model.objects.create_superuser("boss", password="pw-Newsroom-2024")
    client.force_login(boss)
    make_article()
    response = client.get(path, secure=True)
    assert response.status_code == 400, response.content[:300]
    assert "无法处理这个请求" in response.content.decode()
    assert response["Content-Security-Policy"]  # still an answer of the site's


@pytest.mark.django_db
def test_a_nul_byte_in_a_cookie_is_ignored_not_a_500(client, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", password="pw-Newsroom-2024")
    make_article(title="可见的文章")
    client.cookies["sessionid"] = "abc\x00def"
    client.cookies["csrftoken"] = "\x00"
    assert "可见的文章" in client.get("/", secure=True).content.decode()
    assert client.get("/admin/", secure=True).status_code == 302  # no session: to the login
    client.force_login(boss)  # a good cookie afterwards works as ever
    assert client.get("/admin/", secure=True).status_code == 200
