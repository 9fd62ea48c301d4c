"""Whole-response caching for anonymous readers, invalidated by a content version.

Every cached page and feed key includes the current content version; any change to what the
public site shows makes a new one, so stale entries simply stop being read. The version lives
where every server process reads it on every request (the database on the embedded default, the
shared cache when Redis is configured: ``NEWSROOM_CONTENT_VERSION_STORE``), so a change is seen
by all processes at once. Changes that happen by the clock (a scheduled publication, an embargo
ending, a licence expiring) make a new version when their moment comes, with no job running.

``content_changed()`` is the one way to say "readers may see something else now"; the
editorial operations (``articles.editorial``) and the model signals below call it. The page
cache itself is an optimisation only: when it is unreachable (Redis down) pages are served
uncached, never an error.
"""

import hashlib
import logging
import threading
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

log = logging.getLogger(__name__)

VERSION_KEY = "newsroom:content-version"
MAX_AGE = 60  # downstream caches (browsers, a CDN) keep a public response at most this long
_KEEP_VERSIONS = 256  # rows of the database store kept behind the newest
_next_change: dict[str, datetime | None] = {}  # per process: version -> next clock change


def _safe(operation, default=None):
    try:
        return operation()
    except Exception as exc:  # noqa: BLE001 - any cache backend failure means "no cache"
        log.warning("cache unavailable: %s", exc)
        return default


def _uses_database() -> bool:
    return settings.NEWSROOM_CONTENT_VERSION_STORE == "db"


def _write_version() -> tuple[str, datetime]:
    now = timezone.now()
    if _uses_database():
        from articles.models import ContentVersion

        row = ContentVersion.objects.create(changed_at=now)
        if row.pk % _KEEP_VERSIONS == 0:
            ContentVersion.objects.filter(pk__lt=row.pk - _KEEP_VERSIONS).delete()
        return _db_version(row.pk, now), now
    version = uuid.uuid4().hex[:16]
    _safe(lambda: cache.set(VERSION_KEY, {"version": version, "changed_at": now}, None))
    return version, now


def _db_version(pk: int, changed_at: datetime) -> str:
    # With the time: a rolled-back insert (or a restored database) can hand out a pk again.
    return f"{pk}.{int(changed_at.timestamp() * 1_000_000)}"


def _read_version() -> tuple[str, datetime]:
    if _uses_database():
        from articles.models import ContentVersion

        row = ContentVersion.objects.order_by("-pk").values_list("pk", "changed_at").first()
        if row is None:
            return _write_version()
        return _db_version(*row), row[1]
    state = _safe(lambda: cache.get(VERSION_KEY))
    if state is None:
        return _write_version()
    return state["version"], state["changed_at"]


def content_changed() -> None:
    """Make every cached page and feed stale, in every process; call after any change readers
    could see (the editorial operations and model signals do)."""
    _write_version()
    if connection.in_atomic_block and (not _uses_database() or connection.vendor != "sqlite"):
        # Once more after the commit. The shared cache is not transactional: between the write
        # above and the commit, another process could cache the old rows under the new
        # version. A database store on PostgreSQL commits concurrent transactions in any
        # order: one that took its version row first can commit last, after another process
        # cached pages under the later row, which stays the newest and hides the change.
        # (SQLite runs one writing transaction at a time, so its rows follow the commits.)
        transaction.on_commit(_write_version)


def _next_change_at(now: datetime) -> datetime | None:
    """The next moment the public rule gives another answer by the clock alone: the next
    scheduled publication, embargo end or licence expiry (midnight of its day), in one query
    of three index lookups."""
    from articles.models import Article, Licence
    from articles.models.public import scheduled_q

    live = Article.objects.filter(status=Article.Status.PUBLISHED, taken_down_at__isnull=True)
    today = timezone.localdate(now)
    firsts = [
        live.filter(scheduled_q(now)).order_by("published_at").values("published_at"),
        live.filter(embargo_until__gt=now).order_by("embargo_until").values("embargo_until"),
        Licence.objects.filter(revoked_at__isnull=True, expires_on__gt=today)
        .order_by("expires_on")
        .values("expires_on"),
    ]
    parts, params = [], []
    for queryset in firsts:
        sql, part_params = queryset[:1].query.sql_with_params()
        parts.append(f"({sql})")
        params += part_params
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        published, embargo, expiry = cursor.fetchone()
    moments = [_as_datetime(published), _as_datetime(embargo)]
    if expiry is not None:  # the first day it no longer holds, from midnight
        if isinstance(expiry, str):  # SQLite returns a bare subquery's date as text
            expiry = date.fromisoformat(expiry[:10])
        moments.append(datetime.combine(expiry, time(0), timezone.get_current_timezone()))
    return min((m for m in moments if m is not None), default=None)


def _as_datetime(value) -> datetime | None:
    if isinstance(value, str):  # SQLite: text in UTC
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def content_state() -> dict:
    """The current version, when content last changed, and the next change by the clock."""
    version, changed_at = _read_version()
    now = timezone.now()
    if version not in _next_change:
        if len(_next_change) > 64:
            _next_change.clear()
        _next_change[version] = _next_change_at(now)
    next_at = _next_change[version]
    if next_at is not None and next_at <= now:
        # A scheduled article, an embargo or a licence has just changed what is public.
        version, changed_at = _write_version()
        next_at = _next_change[version] = _next_change_at(now)
    return {"version": version, "changed_at": changed_at, "next_at": next_at}


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
        state = request.content_state = content_state()
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
            patch_cache_control(response, public=True, max_age=MAX_AGE)
            timeout = settings.NEWSROOM_CACHE_SECONDS
            if state["next_at"] is not None and timeout > 0:
                until_next = (state["next_at"] - timezone.now()).total_seconds()
                timeout = max(1, min(timeout, int(until_next)))
            if timeout > 0:  # NEWSROOM_CACHE_SECONDS=0 turns page caching off
                _safe(lambda: cache.set(key, response, timeout))
        return response

    return wrapper


_batch = threading.local()  # .changed: None outside ``one_change_for``, else whether seen


@contextmanager
def one_change_for():
    """Within the block, this thread's model saves make no version each; one is made when the
    block ends, if anything changed. For batches: an import of 10,000 files saved tens of
    thousands of rows, each a version write; readers see the batch once it is done."""
    outer = getattr(_batch, "changed", None)
    _batch.changed = False
    try:
        yield
    finally:
        changed, _batch.changed = _batch.changed, outer
        if changed and outer is None:
            content_changed()
        elif changed:
            _batch.changed = True


def _content_changed(**kwargs):
    if kwargs.get("raw"):
        return
    if getattr(_batch, "changed", None) is not None:
        _batch.changed = True
    else:
        content_changed()


def connect_invalidation() -> None:
    """Bump the content version whenever a model the public site shows changes."""
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from taggit.models import Tag, TaggedItem

    from articles.models import (
        Article,
        Attribution,
        Author,
        Category,
        Entity,
        Licence,
        Mention,
        Source,
        Takedown,
    )

    # A module-level receiver: signals hold receivers weakly, and a function defined in here
    # would be garbage-collected (silently disconnected) as soon as this returns.
    changed = _content_changed
    models = (Article, Attribution, Author, Category, Entity, Licence, Mention, Source, Takedown)
    for model in (*models, Tag, TaggedItem):
        post_save.connect(changed, sender=model, dispatch_uid=f"cache-{model.__name__}-save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"cache-{model.__name__}-del")
    m2m_changed.connect(changed, sender=Article.tags.through, dispatch_uid="cache-tags-m2m")
