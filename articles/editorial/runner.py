"""The runner every editorial operation goes through: one transaction, its log entries, a new
content version for every server process and, after commit, the CDN purge hook."""

from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.module_loading import import_string

from articles.caching import content_changed
from articles.editorial import authority
from articles.models import (
    Article,
    EditorialLog,
    EditorProfile,
)
from articles.seo import absolute


class EditorialError(Exception):
    """An operation refused, with a sentence for the editor."""


@dataclass
class Operation:
    action: str
    user: object = None
    actor: str = ""
    reason: str = ""
    entries: list[EditorialLog] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def log(self, *, article=None, source=None, action: str = "", reason: str = "", **data):
        user = self.user if getattr(self.user, "pk", None) else None
        self.entries.append(
            EditorialLog(
                action=action or self.action,
                article=article,
                source=source,
                user=user,
                actor=self.actor or (user.get_username() if user else ""),
                reason=reason or self.reason,
                data=_jsonable(data),
            )
        )

    def purge_articles(self, articles: Iterable[Article]) -> None:
        for article in articles:
            self.urls += [
                absolute(reverse("articles:detail-short", args=[article.pk])),
                absolute(article.get_absolute_url()),
            ]


@contextmanager
def operation(action: str, *, user=None, actor: str = "", reason: str = ""):
    """Run one editorial operation: atomically, logged, and visible to every process.

    Refused (``EditorialError``, before anything is written) when ``user`` lacks the authority
    the action needs (``authority.NEEDS``)."""
    if refused := authority.refusal(action, user):
        raise EditorialError(refused)
    op = Operation(action, user=user, actor=actor, reason=reason)
    with transaction.atomic():
        yield op
        EditorialLog.objects.bulk_create(op.entries)
        content_changed()
        if op.urls:
            urls = [*op.urls, *_site_urls()]
            transaction.on_commit(lambda: purge(urls))


def purge(urls: list[str]) -> None:
    """Hand the URLs whose content changed to ``NEWSROOM_PURGE_HOOK`` (a CDN), if set."""
    if settings.NEWSROOM_PURGE_HOOK:
        import_string(settings.NEWSROOM_PURGE_HOOK)(sorted(set(urls)))


def _site_urls() -> list[str]:
    names = ["articles:home", "sitemap", "robots"]
    feeds = [f"/feeds/{name}" for name in ("rss.xml", "atom.xml", "feed.json")]
    return [absolute(reverse(name)) for name in names] + [absolute(url) for url in feeds]


def _jsonable(data: dict) -> dict:
    return {
        key: value.isoformat() if isinstance(value, date | datetime) else value
        for key, value in data.items()
    }


def editor_name(user) -> str:
    """The real name a user publishes under (责任编辑), or ''."""
    profile = EditorProfile.objects.filter(user=user).first() if getattr(user, "pk", None) else None
    return profile.real_name.strip() if profile else ""
