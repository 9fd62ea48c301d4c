import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles.auth import client_address
from articles.models import LoginFailure

LOGIN = reverse("admin:login")
# The cache store with this process's local-memory cache (or Redis on a CI run) counts as the
# shared cache would: one process here.
STORES = ["db", "cache"]


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("editor", password="correct horse", is_staff=True)


@pytest.fixture(params=STORES)
def store(request, settings):
    settings.NEWSROOM_LOGIN_THROTTLE_STORE = request.param
    return request.param


def _login(client, username, password, address="203.0.113.7", **headers):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        secure=True,
        **headers,
    )


def _request(remote_addr, **headers):
    meta = {f"HTTP_{name.upper()}": value for name, value in headers.items()}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **meta)


# client_address: the socket peer, or what a trusted proxy forwarded ---------------------

CASES = [
    # trusted proxies, REMOTE_ADDR, headers, the client
    ([], "203.0.113.7", {}, "203.0.113.7"),
    ([], "203.0.113.7", {"x_real_ip": "198.51.100.1"}, "203.0.113.7"),
    ([], "203.0.113.7", {"x_forwarded_for": "198.51.100.1"}, "203.0.113.7"),
    (["127.0.0.1"], "203.0.113.7", {"x_real_ip": "198.51.100.1"}, "203.0.113.7"),
    (["127.0.0.1"], "127.0.0.1", {"x_real_ip": "198.51.100.1"}, "198.51.100.1"),
    (["127.0.0.1"], "127.0.0.1", {}, "127.0.0.1"),
    (["127.0.0.1"], "127.0.0.1", {"x_real_ip": "not an address"}, "127.0.0.1"),
    # X-Forwarded-For: the right-most hop no trusted proxy added; the client wrote the rest.
    (["10.0.0.0/8"], "10.0.0.5", {"x_forwarded_for": "198.51.100.9"}, "198.51.100.9"),
    (
        ["10.0.0.0/8"],
        "10.0.0.5",
        {"x_forwarded_for": "1.1.1.1, 198.51.100.9, 10.20.30.40"},
        "198.51.100.9",
    ),
    (["10.0.0.0/8"], "10.0.0.5", {"x_forwarded_for": "10.1.1.1, 10.2.2.2"}, "10.1.1.1"),
    (["10.0.0.0/8"], "10.0.0.5", {"x_forwarded_for": "junk, 10.2.2.2"}, "10.2.2.2"),
    (["10.0.0.0/8"], "10.0.0.5", {"x_forwarded_for": "198.51.100.9:4711"}, "198.51.100.9"),
    (["10.0.0.0/8"], "11.0.0.5", {"x_forwarded_for": "198.51.100.9"}, "11.0.0.5"),
    # X-Real-IP first, unless it names a trusted proxy (a CDN in front of the proxy).
    (
        ["10.0.0.0/8"],
        "10.0.0.5",
        {"x_real_ip": "198.51.100.1", "x_forwarded_for": "198.51.100.2"},
        "198.51.100.1",
    ),
    (
        ["10.0.0.0/8"],
        "10.0.0.5",
        {"x_real_ip": "10.9.9.9", "x_forwarded_for": "198.51.100.2, 10.9.9.9"},
        "198.51.100.2",
    ),
    # IPv6: canonical form, networks, brackets with a port, IPv4-mapped peers.
    ([], "2001:DB8:0:0::1", {"x_real_ip": "198.51.100.1"}, "2001:db8::1"),
    (["2001:db8::/32"], "2001:db8::1", {"x_real_ip": "2001:DB8:FFFF::7"}, "2001:db8:ffff::7"),
    (["2001:db8::/32"], "2001:db9::1", {"x_real_ip": "198.51.100.1"}, "2001:db9::1"),
    (
        ["2001:db8::/32"],
        "2001:db8::1",
        {"x_forwarded_for": "[2001:db9::5]:443, 2001:db8::2"},
        "2001:db9::5",
    ),
    (["127.0.0.1"], "::ffff:127.0.0.1", {"x_real_ip": "198.51.100.1"}, "198.51.100.1"),
    (["::1", "127.0.0.0/8"], "::1", {"x_forwarded_for": "198.51.100.3"}, "198.51.100.3"),
    ([], "", {"x_real_ip": "198.51.100.1"}, ""),
]


@pytest.mark.parametrize(("trusted", "remote_addr", "headers", "client"), CASES)
def test_client_address(settings, trusted, remote_addr, headers, client):
    settings.NEWSROOM_TRUSTED_PROXIES = trusted
    assert client_address(_request(remote_addr, **headers)) == client


def test_client_address_refuses_a_malformed_trusted_proxy(settings):
    settings.NEWSROOM_TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured):
        client_address(_request("10.0.0.1"))


# The throttle, in each store ------------------------------------------------------------


def test_login_succeeds_with_the_right_password(client, editor, store):
    response = _login(client, "editor", "correct horse")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_login_locks_the_account_after_repeated_failures(client, editor, settings, store):
    settings.NEWSROOM_LOGIN_MAX_FAILURES = 3
    for i in range(3):
        assert _login(client, "editor", "wrong", address=f"198.51.100.{i}").status_code == 200

    # The right password from a fresh address is refused while the account is locked.
    response = _login(client, "editor", "correct horse", address="192.0.2.99")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_locks_an_address_trying_many_accounts(client, editor, settings, store):
    settings.NEWSROOM_LOGIN_MAX_FAILURES = 3
    for name in ("alice", "bob", "carol"):
        _login(client, name, "guess", address="198.51.100.50")

    assert _login(client, "editor", "correct horse", address="198.51.100.50").status_code == 200
    assert _login(client, "editor", "correct horse", address="198.51.100.51").status_code == 302


def test_login_spoofed_real_ip_does_not_reset_the_address_limit(client, editor, settings, store):
    settings.NEWSROOM_LOGIN_MAX_FAILURES = 3
    for i, name in enumerate(("alice", "bob", "carol")):
        _login(client, name, "guess", address="198.51.100.50", HTTP_X_REAL_IP=f"192.0.2.{i}")

    response = _login(
        client, "editor", "correct horse", address="198.51.100.50", HTTP_X_REAL_IP="192.0.2.9"
    )
    assert response.status_code == 200


def test_login_lockout_expires(client, editor, settings):
    """The clock is moved by moving the rows' times back past the window: no sleeping."""
    settings.NEWSROOM_LOGIN_THROTTLE_STORE = "db"
    settings.NEWSROOM_LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        _login(client, "editor", "wrong")
    assert _login(client, "editor", "correct horse").status_code == 200

    window = timedelta(seconds=settings.NEWSROOM_LOGIN_LOCKOUT_SECONDS + 1)
    for row in LoginFailure.objects.all():
        row.first_at, row.last_at, row.expires_at = (
            row.first_at - window,
            row.last_at - window,
            row.expires_at - window,
        )
        row.save()
    assert _login(client, "editor", "correct horse").status_code == 302

    # An expired count starts again from one: a single new failure locks nothing.
    _login(client, "editor", "wrong")
    assert set(LoginFailure.objects.values_list("count", flat=True)) == {1}
    assert _login(client, "editor", "correct horse").status_code == 302


@pytest.mark.django_db
def test_login_failures_clean_up_expired_rows(client, settings):
    settings.NEWSROOM_LOGIN_THROTTLE_STORE = "db"
    past = timezone.now() - timedelta(hours=1)
    LoginFailure.objects.bulk_create(
        LoginFailure(key=f"addr:192.0.2.{i}", count=9, first_at=past, last_at=past, expires_at=past)
        for i in range(20)
    )
    _login(client, "someone", "wrong", address="198.51.100.1")
    counts = dict(LoginFailure.objects.values_list("key", "count"))
    assert len(counts) == 2, counts  # the new address and account; the expired rows are gone
    assert counts["addr:198.51.100.1"] == 1
    assert set(counts.values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_login_failures_at_once_are_all_counted(settings):
    """Threads with their own connections record failures for one new account and address at
    the same moment: on PostgreSQL the first ones race to create the row."""
    settings.NEWSROOM_LOGIN_THROTTLE_STORE = "db"
    threads, rounds = 8, 5
    start = threading.Barrier(threads)
    errors = []

    def fail():
        try:
            start.wait()
            for _ in range(rounds):
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": "racer"},
                    request=_request("198.51.100.77"),
                )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=fail) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert not errors, errors
    counts = dict(LoginFailure.objects.values_list("key", "count"))
    assert len(counts) == 2, counts  # the account and the address
    assert counts["addr:198.51.100.77"] == threads * rounds
    assert set(counts.values()) == {threads * rounds}
