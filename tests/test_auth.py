import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")


@pytest.fixture
def editor():
    return get_user_model().objects.create_user("editor", password="correct horse", is_staff=True)


def _login(client, username, password, address="203.0.113.7"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        secure=True,
    )


def test_login_succeeds_with_the_right_password(client, editor):
    response = _login(client, "editor", "correct horse")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_login_locks_the_account_after_repeated_failures(client, editor, settings):
    settings.NEWSROOM_LOGIN_MAX_FAILURES = 3
    for i in range(3):
        assert _login(client, "editor", "wrong", address=f"198.51.100.{i}").status_code == 200

    # The right password from a fresh address is refused while the account is locked.
    response = _login(client, "editor", "correct horse", address="192.0.2.99")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_locks_an_address_trying_many_accounts(client, editor, settings):
    settings.NEWSROOM_LOGIN_MAX_FAILURES = 3
    for name in ("alice", "bob", "carol"):
        _login(client, name, "guess", address="198.51.100.50")

    assert _login(client, "editor", "correct horse", address="198.51.100.50").status_code == 200
    assert _login(client, "editor", "correct horse", address="198.51.100.51").status_code == 302


def test_login_lockout_expires(client, editor, settings):
    settings.NEWSROOM_LOGIN_MAX_FAILURES = 2
    settings.NEWSROOM_LOGIN_LOCKOUT_SECONDS = 1
    for _ in range(2):
        _login(client, "editor", "wrong")
    assert _login(client, "editor", "correct horse").status_code == 200

    import time

    time.sleep(1.1)
    assert _login(client, "editor", "correct horse").status_code == 302
