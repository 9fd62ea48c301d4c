"""Admin login throttling: too many failures for one account or one address lock it out.

Counts live in the cache (Redis in production), so every worker sees them. When the cache is
unreachable the limit cannot be enforced and logins proceed rather than locking everyone out.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

log = logging.getLogger(__name__)


def client_address(request) -> str:
    # Behind the production proxy REMOTE_ADDR is the proxy; the proxy must set X-Real-IP.
    if request is None:
        return ""
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR", "")


def _keys(request, username: str) -> list[str]:
    keys = []
    if username:
        digest = hashlib.sha256(username.lower().encode()).hexdigest()[:32]
        keys.append(f"newsroom:login-fail:user:{digest}")
    address = client_address(request)
    if address:
        keys.append(f"newsroom:login-fail:addr:{address}")
    return keys


def is_locked_out(request, username: str) -> bool:
    try:
        counts = cache.get_many(_keys(request, username))
    except Exception as exc:  # noqa: BLE001 - the cache is an aid, not a dependency
        log.warning("login throttle unavailable: %s", exc)
        return False
    return any(count >= settings.NEWSROOM_LOGIN_MAX_FAILURES for count in counts.values())


@receiver(user_login_failed, dispatch_uid="newsroom-login-failed")
def record_failure(sender, credentials, request=None, **kwargs):
    for key in _keys(request, credentials.get("username", "")):
        try:
            cache.add(key, 0, settings.NEWSROOM_LOGIN_LOCKOUT_SECONDS)
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.NEWSROOM_LOGIN_LOCKOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001
            log.warning("login throttle unavailable: %s", exc)
            return


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that refuses every attempt while the account or address is locked out."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if is_locked_out(request, username or kwargs.get("email", "")):
            # PermissionDenied stops Django trying other backends and counts as a failure.
            raise PermissionDenied("too many failed logins")
        return super().authenticate(request, username=username, password=password, **kwargs)
