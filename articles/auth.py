"""Admin login throttling: too many failures for one account or one address lock it out.

The counts live where every server process sees them (``NEWSROOM_LOGIN_THROTTLE_STORE``, the
same choice ``articles.caching`` makes for the content version): the database on the embedded
default (``LoginFailure`` rows; gunicorn's workers share no memory), the shared cache when
Redis is configured. A count runs for ``NEWSROOM_LOGIN_LOCKOUT_SECONDS`` from its first
failure. When Redis is unreachable the limit cannot be enforced and logins proceed rather than
locking everyone out; the database store needs no such escape, since without its database the
admin cannot log anyone in anyway.

The address is the socket peer's, or the one a proxy listed in ``NEWSROOM_TRUSTED_PROXIES``
forwarded (``client_address``); forwarding headers from anyone else are ignored.
"""

import hashlib
import ipaddress
import logging
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from articles.models import LoginFailure

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
CACHE_PREFIX = "newsroom:login-fail:"


def client_address(request) -> str:
    """The client's IP address in canonical form, "" when unknown.

    The socket peer (``REMOTE_ADDR``), unless it is a trusted proxy. Then: the ``X-Real-IP``
    it set, unless that is a trusted proxy too; else the right-most ``X-Forwarded-For`` hop
    that is not a trusted proxy, since each proxy appends the address it was reached from and
    everything to the left of the first untrusted one is whatever the client chose to send.
    """
    if request is None:
        return ""
    peer = _ip(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return ""
    if not _is_trusted(peer):
        return str(peer)
    real = _ip(request.META.get("HTTP_X_REAL_IP", ""))
    if real is not None and not _is_trusted(real):
        return str(real)
    client = real if real is not None else peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _ip(hop)
        if address is None:  # a proxy writes addresses: from here on the client wrote it
            break
        client = address
        if not _is_trusted(address):
            break
    return str(client)


def _ip(text: str) -> IPAddress | None:
    """An address as a header or the socket gives it (``1.2.3.4``, ``1.2.3.4:80``,
    ``[2001:db8::1]:443``, ``::ffff:1.2.3.4``), or None."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A dual-stack socket reports IPv4 clients as IPv4-mapped IPv6; count them as IPv4.
    return getattr(address, "ipv4_mapped", None) or address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as exc:
        raise ImproperlyConfigured(f"NEWSROOM_TRUSTED_PROXIES: {exc}") from None


def _is_trusted(address: IPAddress) -> bool:
    networks = _networks(tuple(settings.NEWSROOM_TRUSTED_PROXIES))
    return any(address in network for network in networks)


def _keys(request, username: str) -> list[str]:
    keys = []
    if username:
        digest = hashlib.sha256(username.lower().encode()).hexdigest()[:32]
        keys.append(f"user:{digest}")
    address = client_address(request)
    if address:
        keys.append(f"addr:{address}")
    return keys


def _uses_database() -> bool:
    return settings.NEWSROOM_LOGIN_THROTTLE_STORE == "db"


def is_locked_out(request, username: str) -> bool:
    keys = _keys(request, username)
    limit = settings.NEWSROOM_LOGIN_MAX_FAILURES
    if _uses_database():
        live = LoginFailure.objects.filter(expires_at__gt=timezone.now())
        return live.filter(key__in=keys, count__gte=limit).exists()
    try:
        counts = cache.get_many([CACHE_PREFIX + key for key in keys])
    except Exception as exc:  # noqa: BLE001 - the cache is an aid, not a dependency
        log.warning("login throttle unavailable: %s", exc)
        return False
    return any(count >= limit for count in counts.values())


@receiver(user_login_failed, dispatch_uid="newsroom-login-failed")
def record_failure(sender, credentials, request=None, **kwargs):
    keys = _keys(request, credentials.get("username", ""))
    window = settings.NEWSROOM_LOGIN_LOCKOUT_SECONDS
    if _uses_database():
        _count_in_database(keys, timezone.now(), timedelta(seconds=window))
        return
    for key in keys:
        try:
            cache.add(CACHE_PREFIX + key, 0, window)
            cache.incr(CACHE_PREFIX + key)
        except ValueError:  # expired between add and incr
            cache.set(CACHE_PREFIX + key, 1, window)
        except Exception as exc:  # noqa: BLE001
            log.warning("login throttle unavailable: %s", exc)
            return


def _count_in_database(keys: list[str], now: datetime, window: timedelta) -> None:
    started = False
    for key in keys:
        # The row lock makes each increment atomic across processes. Two first failures at
        # once both miss the row; get_or_create's insert then fails for one of them, which
        # reads (and locks) the other's row. SQLite: the IMMEDIATE transaction serialises.
        with transaction.atomic():
            row, created = LoginFailure.objects.select_for_update().get_or_create(
                key=key,
                defaults={"count": 1, "first_at": now, "last_at": now, "expires_at": now + window},
            )
            if created:
                started = True
                continue
            if row.expires_at <= now:  # the old window is over: this failure starts one
                row.count, row.first_at, row.expires_at = 1, now, now + window
            else:
                row.count += 1
            row.last_at = now
            row.save(update_fields=["count", "first_at", "last_at", "expires_at"])
    if started:
        # Only when a new key appears, so an attack that locks an account adds no work.
        LoginFailure.objects.filter(expires_at__lte=now).delete()


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that refuses every attempt while the account or address is locked out."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if is_locked_out(request, username or kwargs.get("email", "")):
            # PermissionDenied stops Django trying other backends and counts as a failure.
            raise PermissionDenied("too many failed logins")
        return super().authenticate(request, username=username, password=password, **kwargs)
