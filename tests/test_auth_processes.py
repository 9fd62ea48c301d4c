"""The admin login throttle across two real server processes (security issue 13).

Two gunicorn processes (one worker each, two ports on 127.0.0.1) serve one database: a SQLite
file, or on a PostgreSQL test run a PostgreSQL database of their own, counting failures in the
database and, when ``REDIS_URL`` is set, also in Redis. Failures alternate between the
processes, so a count kept in one process's memory never reaches the limit. A second pair of
processes lists 127.0.0.1 in ``NEWSROOM_TRUSTED_PROXIES``: there the forwarded headers name
the client, elsewhere they are ignored.
"""

import http.client
import os
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.db import connection

from tests.test_withdrawal_processes import (
    Server,
    Site,
    _child_env,
    _database,
    _forget_redis_keys,
)

LIMIT = 5
PASSWORD = "correct horse battery"
CSRF = "a" * 32  # CSRF is double-submit: any well-formed cookie value matches the same field


@dataclass
class Servers:
    site: Site
    untrusted: list[int]  # ports of the two processes that ignore forwarded headers
    trusted: list[int]  # ports of the two that take them from 127.0.0.1
    redis_url: str
    prefix: str


def _login(port: int, username: str, password: str, **headers: str) -> bool:
    """POST the admin login form on a fresh connection; whether it logged in."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        body = urlencode(
            {
                "csrfmiddlewaretoken": CSRF,
                "username": username,
                "password": password,
                "next": "/admin/",
            }
        )
        conn.request(
            "POST",
            "/admin/login/",
            body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={CSRF}",
                **{name.replace("_", "-"): value for name, value in headers.items()},
            },
        )
        answer = conn.getresponse()
        answer.read()
    finally:
        conn.close()
    # 302: logged in; 200: the form again (wrong password or locked out); anything else is a
    # broken test (a CSRF 403, a server error).
    assert answer.status in (200, 302), (port, username, answer.status)
    return answer.status == 302


def _fail(ports: list[int], count: int, username, **headers) -> None:
    """``count`` wrong passwords, alternating between the processes; ``username`` and header
    values may be callables of the attempt's number."""
    for i in range(count):
        name = username(i) if callable(username) else username
        values = {k: v(i) if callable(v) else v for k, v in headers.items()}
        assert not _login(ports[i % 2], name, "wrong", **values), (name, values)


def _stores() -> list[str]:
    if connection.vendor == "postgresql" and os.environ.get("REDIS_URL"):
        return ["db", "cache"]
    return ["db"]


USERS = """
from django.contrib.auth import get_user_model
User = get_user_model()
for name in ("editor", "writer"):
    User.objects.create_user(name, password={password!r}, is_staff=True)
print("ok")
"""


@pytest.fixture(autouse=True)
def _clear_cache():
    """Overrides conftest's: this process's cache is not the servers' and is never read."""
    return


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("auth")
    env = _child_env(tmp)
    for name in ("NEWSROOM_TRUSTED_PROXIES", "NEWSROOM_LOGIN_THROTTLE_STORE"):
        env.pop(name, None)
    env.update(NEWSROOM_LOGIN_MAX_FAILURES=str(LIMIT), NEWSROOM_LOGIN_LOCKOUT_SECONDS="900")
    with _database(tmp) as database_url:
        env["DATABASE_URL"] = database_url
        site = Site(env=env, servers=[], store="db")
        site.manage("migrate", "--noinput", "-v", "0")
        assert site.shell(USERS.format(password=PASSWORD))[0] == "ok"
        yield site


@pytest.fixture(scope="module", params=_stores())
def servers(request, site, tmp_path_factory) -> Iterator[Servers]:
    store = request.param
    tmp = tmp_path_factory.mktemp(f"auth-{store}")
    env = {**site.env, "NEWSROOM_LOGIN_THROTTLE_STORE": store}
    redis_url = os.environ.get("REDIS_URL", "") if store == "cache" else ""
    prefix = f"{os.environ.get('NEWSROOM_CACHE_PREFIX', 'newsroom')}-auth-{os.getpid()}"
    if redis_url:
        env.update(REDIS_URL=redis_url, NEWSROOM_CACHE_PREFIX=prefix)
    trusted_env = {**env, "NEWSROOM_TRUSTED_PROXIES": "10.0.0.0/8,127.0.0.1,::1"}
    started = [
        Server(env, tmp / "untrusted-0.log"),
        Server(env, tmp / "untrusted-1.log"),
        Server(trusted_env, tmp / "trusted-0.log"),
        Server(trusted_env, tmp / "trusted-1.log"),
    ]
    try:
        for server in started:
            server.wait_ready()
        ports = [server.port for server in started]
        assert len(set(ports)) == 4
        store_site = Site(env=env, servers=started, store=store)
        yield Servers(store_site, ports[:2], ports[2:], redis_url, prefix)
    finally:
        for server in started:
            server.stop()
        if redis_url:
            _forget_redis_keys(redis_url, prefix)


@pytest.fixture(autouse=True)
def fresh(servers) -> Servers:
    """Every test starts with no failure counted, in either store."""
    servers.site.shell(
        "from articles.models import LoginFailure; LoginFailure.objects.all().delete()"
    )
    if servers.redis_url:
        _forget_redis_keys(servers.redis_url, servers.prefix)
    return servers


def test_failures_over_both_processes_lock_the_account_on_both(servers):
    ports = servers.untrusted
    assert _login(ports[0], "editor", PASSWORD)
    assert _login(ports[1], "editor", PASSWORD)

    _fail(ports, LIMIT, "editor")  # three on one process, two on the other

    assert not _login(ports[0], "editor", PASSWORD), servers.site.logs()
    assert not _login(ports[1], "editor", PASSWORD), servers.site.logs()


def test_account_lock_holds_whatever_address_a_trusted_proxy_names(servers):
    ports = servers.trusted
    _fail(ports, LIMIT, "editor", X_Real_IP=lambda i: f"198.51.100.{i + 1}")

    for port in ports:
        assert not _login(port, "editor", PASSWORD, X_Real_IP="192.0.2.200")
        # The addresses themselves are not locked: one failure each.
        assert _login(port, "writer", PASSWORD, X_Real_IP="198.51.100.1")


def test_spoofed_forwarding_headers_do_not_reset_the_address_limit(servers):
    ports = servers.untrusted
    _fail(
        ports,
        LIMIT,
        lambda i: f"nobody-{i}",  # a new account every time: only the address counts
        X_Real_IP=lambda i: f"203.0.113.{i + 1}",
        X_Forwarded_For=lambda i: f"198.51.100.{i + 1}",
    )

    for port in ports:
        assert not _login(port, "editor", PASSWORD, X_Real_IP="192.0.2.1")
        assert not _login(port, "writer", PASSWORD, X_Forwarded_For="192.0.2.2")
        assert not _login(port, "writer", PASSWORD)


def test_trusted_proxy_header_names_the_client_on_both_processes(servers):
    ports = servers.trusted
    _fail(ports, LIMIT, lambda i: f"nobody-{i}", X_Real_IP="198.51.100.20")

    for port in ports:
        assert not _login(port, "editor", PASSWORD, X_Real_IP="198.51.100.20")
        # The right-most hop the trusted proxies did not add is the client.
        assert not _login(port, "editor", PASSWORD, X_Forwarded_For="198.51.100.20, 10.1.2.3")
        assert _login(port, "editor", PASSWORD, X_Real_IP="198.51.100.21")
        # A client's own entries stand left of what the proxy appended and change nothing.
        assert _login(port, "editor", PASSWORD, X_Forwarded_For="198.51.100.20, 198.51.100.22")
        # The proxy's own address is not the client's.
        assert _login(port, "writer", PASSWORD)
