"""Whole-response caching for anonymous readers, invalidated by a content version.

Every cached page and feed key includes the current content version; any change to what the
public site shows bumps it, so stale entries simply stop being read. A scheduled article makes
the version expire at its publication time, so it appears without any job running.

The cache is an optimisation only: when it is unreachable (Redis down) pages are served
uncached, never an error.
"""

import hashlib
import logging
import uuid
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date

log = logging.getLogger(__name__)

VERSION_KEY = "newsroom:content-version"
_UNKNOWN = "unknown"


def _safe(operation, default=None):
    try:
        return operation()
    except Exception as exc:  # noqa: BLE001 - any cache backend failure means "no cache"
        log.warning("cache unavailable: %s", exc)
        return default


def _next_scheduled_at() -> datetime | None:
    from articles.models import Article

    return Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=timezone.now()
    ).aggregate(next=Min("published_at"))["next"]


def bump_content_version() -> dict:
    """Mark every cached page stale; call after any change readers can see."""
    # Cheap on purpose (one cache write, no query): an import bumps it for every row it saves.
    now = timezone.now()
    state = {"version": uuid.uuid4().hex[:16], "changed_at": now, "next_at": _UNKNOWN}
    _safe(lambda: cache.set(VERSION_KEY, state, None))
    return state


def content_state() -> dict:
    """The current version, when content last changed, and the next scheduled publication."""
    state = _safe(lambda: cache.get(VERSION_KEY))
    if state is None:
        state = bump_content_version()
    if state["next_at"] == _UNKNOWN:
        state = {**state, "next_at": _next_scheduled_at()}
        _safe(lambda: cache.set(VERSION_KEY, state, None))
    elif state["next_at"] is not None and state["next_at"] <= timezone.now():
        # A scheduled article has just become public: everything cached is stale.
        state = {**bump_content_version(), "next_at": _next_scheduled_at()}
        _safe(lambda: cache.set(VERSION_KEY, state, None))
    return state


def _is_anonymous(request) -> bool:
    # Checking the session cookie avoids a session query on every anonymous request.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def public_cache(view):
    """Cache a view's full response for anonymous GET/HEAD requests.

    Adds ``Last-Modified`` (when content last changed) so that, with Django's
    ``ConditionalGetMiddleware`` computing the ``ETag``, readers and feed clients get
    ``304 Not Modified``.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not _is_anonymous(request):
            return view(request, *args, **kwargs)
        state = content_state()
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"newsroom:page:{state['version']}:{digest}"
        response = _safe(lambda: cache.get(key))
        if response is not None:
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code == 200 and not response.streaming:
            response.headers.setdefault("Last-Modified", http_date(state["changed_at"].timestamp()))
            patch_cache_control(response, public=True, max_age=60)
            timeout = settings.NEWSROOM_CACHE_SECONDS
            if state["next_at"] is not None and timeout > 0:
                until_next = (state["next_at"] - timezone.now()).total_seconds()
                timeout = max(1, min(timeout, int(until_next)))
            if timeout > 0:  # NEWSROOM_CACHE_SECONDS=0 turns page caching off
                _safe(lambda: cache.set(key, response, timeout))
        return response

    return wrapper


def _content_changed(**kwargs):
    if not kwargs.get("raw"):
        bump_content_version()


def connect_invalidation() -> None:
    """Bump the content version whenever a model the public site shows changes."""
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from taggit.models import Tag, TaggedItem

    from articles.models import Article, Attribution, Author, Category, Entity, Mention, Source

    # A module-level receiver: signals hold receivers weakly, and a function defined in here
    # would be garbage-collected (silently disconnected) as soon as this returns.
    changed = _content_changed
    for model in (Article, Attribution, Author, Category, Entity, Mention, Source, Tag, TaggedItem):
        post_save.connect(changed, sender=model, dispatch_uid=f"cache-{model.__name__}-save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"cache-{model.__name__}-del")
    m2m_changed.connect(changed, sender=Article.tags.through, dispatch_uid="cache-tags-m2m")
