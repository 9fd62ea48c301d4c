"""Publish now, schedule and unpublish."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from articles.editorial.runner import Operation, editor_name, operation
from articles.models import (
    Article,
    Licence,
)


@dataclass
class PublishResult:
    published: list[int] = field(default_factory=list)
    empty: list[int] = field(default_factory=list)
    taken_down: list[int] = field(default_factory=list)
    unlicensed: list[int] = field(default_factory=list)


def forbidding_licences(ids: list[int]) -> set[int]:
    """The ids among ``ids`` that a licence (their own, else their outlet's) forbids now."""
    from articles.models.public import licensed_q

    today = timezone.localdate()
    allowed = Article.objects.filter(pk__in=ids).filter(licensed_q(today))
    return set(ids) - set(allowed.values_list("pk", flat=True))


def publish_now(
    ids: Iterable[int],
    *,
    user=None,
    actor: str = "",
    editor: str | None = None,
    override_reason: str = "",
) -> PublishResult:
    """Publish the articles at this moment (our time; the original's date stays in
    ``original_published_at``), credited to ``editor`` (default: the user's real name).

    Articles with an empty body or taken down are left alone. Those whose licence forbids
    publication are refused, unless ``override_reason`` is given: then each gets its own
    licence (basis 其他) recording the reason, and the override is logged.
    """
    editor = editor_name(user) if editor is None else editor.strip()
    result = PublishResult()
    with operation("publish", user=user, actor=actor) as op:
        articles = list(
            Article.objects.select_for_update()
            .filter(pk__in=list(ids))
            .only("pk", "slug", "body", "published_at", "original_published_at", "taken_down_at")
        )
        forbidden = forbidding_licences([a.pk for a in articles])
        now = timezone.now()
        for article in articles:
            if article.taken_down_at is not None:
                result.taken_down.append(article.pk)
                continue
            if not article.body.strip():
                result.empty.append(article.pk)
                continue
            if article.pk in forbidden:
                if not override_reason:
                    result.unlicensed.append(article.pk)
                    continue
                _override_licence(op, article, override_reason)
            Article.objects.filter(pk=article.pk).update(
                status=Article.Status.PUBLISHED,
                published_at=now,
                original_published_at=article.original_published_at or article.published_at,
                responsible_editor=editor,
                updated_at=now,
            )
            op.log(article=article, editor=editor, published_at=now)
            result.published.append(article.pk)
        op.purge_articles(a for a in articles if a.pk in result.published)
    return result


def _override_licence(op: Operation, article: Article, reason: str) -> None:
    Licence.objects.update_or_create(
        article=article,
        defaults={
            "basis": Licence.Basis.OTHER,
            "granted_by": op.actor or (op.user.get_username() if op.user else ""),
            "reference": f"发布时覆盖：{reason}"[:200],
            "expires_on": None,
            "revoked_at": None,
            "note": reason,
        },
    )
    op.log(article=article, action="licence-override", reason=reason)


def schedule(ids: Iterable[int], when: datetime, *, user=None, actor: str = "") -> PublishResult:
    """Publish at ``when`` (no job: the public rule reads the clock)."""
    editor = editor_name(user)
    result = PublishResult()
    with operation("schedule", user=user, actor=actor) as op:
        articles = list(
            Article.objects.filter(pk__in=list(ids)).only("pk", "slug", "body", "taken_down_at")
        )
        for article in articles:
            if article.taken_down_at is not None:
                result.taken_down.append(article.pk)
                continue
            if not article.body.strip():
                result.empty.append(article.pk)
                continue
            result.published.append(article.pk)
            op.log(article=article, published_at=when)
        Article.objects.filter(pk__in=result.published).update(
            status=Article.Status.PUBLISHED,
            published_at=when,
            responsible_editor=editor,
            updated_at=timezone.now(),
        )
        op.purge_articles(articles)
    return result


def unpublish(ids: Iterable[int], *, user=None, actor: str = "") -> int:
    """Make the articles drafts again; return how many were published."""
    with operation("unpublish", user=user, actor=actor) as op:
        articles = list(
            Article.objects.filter(pk__in=list(ids))
            .exclude(status=Article.Status.DRAFT)
            .only("pk", "slug")
        )
        Article.objects.filter(pk__in=[a.pk for a in articles]).update(
            status=Article.Status.DRAFT, updated_at=timezone.now()
        )
        for article in articles:
            op.log(article=article)
        op.purge_articles(articles)
    return len(articles)
