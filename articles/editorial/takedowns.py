"""Take down (撤稿) and restore; which media files a takedown withholds."""

import re
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from articles.editorial.runner import EditorialError, operation
from articles.models import (
    Article,
    Takedown,
    WithdrawnMedia,
)


def take_down(
    ids: Iterable[int], *, reason: str, requested_by: str = "", user=None, actor: str = ""
) -> list[Takedown]:
    """Withdraw the articles at once (撤稿): every URL answers 410, feeds carry a tombstone,
    their media files are no longer served. Already taken-down articles are skipped."""
    reason = reason.strip()
    if not reason:
        raise EditorialError("撤稿必须填写原因。")
    done = []
    with operation("takedown", user=user, actor=actor, reason=reason) as op:
        articles = list(
            Article.objects.select_for_update()
            .filter(pk__in=list(ids), taken_down_at__isnull=True)
            .only("pk", "slug", "body_html", "local_pictures", "header_image")
        )
        now = timezone.now()
        for article in articles:
            takedown = Takedown.objects.create(
                article=article,
                reason=reason,
                requested_by=requested_by,
                taken_down_at=now,
                taken_down_by=op.user if getattr(op.user, "pk", None) else None,
                actor=op.actor or (op.user.get_username() if getattr(op.user, "pk", None) else ""),
            )
            WithdrawnMedia.objects.bulk_create(
                WithdrawnMedia(name=name, takedown=takedown) for name in _own_media(article)
            )
            op.log(article=article, requested_by=requested_by)
            done.append(takedown)
        Article.objects.filter(pk__in=[a.pk for a in articles]).update(
            taken_down_at=now, updated_at=now
        )
        op.purge_articles(articles)
    return done


def restore(article_id: int, *, reason: str = "", user=None, actor: str = "") -> Takedown:
    """Bring a taken-down article back (it is public again if the rule allows)."""
    with operation("restore", user=user, actor=actor, reason=reason) as op:
        takedown = (
            Takedown.objects.select_for_update()
            .filter(article_id=article_id, restored_at__isnull=True)
            .select_related("article")
            .first()
        )
        if takedown is None:
            raise EditorialError(f"文章 {article_id} 没有被撤稿。")
        takedown.restored_at = timezone.now()
        takedown.restored_by = op.actor or (
            op.user.get_username() if getattr(op.user, "pk", None) else ""
        )
        takedown.restore_reason = reason
        takedown.save()
        takedown.media.all().delete()
        Article.objects.filter(pk=article_id).update(
            taken_down_at=None, updated_at=takedown.restored_at
        )
        op.log(article=takedown.article)
        op.purge_articles([takedown.article])
    return takedown


_MEDIA_NAME = re.compile(r"[A-Za-z0-9_\-./]+")


def _own_media(article: Article) -> list[str]:
    """Media files (storage names) the article shows that no other standing article shows."""
    prefix = re.escape(settings.MEDIA_URL)
    text = f"{article.body_html} {article.local_pictures} {article.header_image}"
    names = sorted({m for m in re.findall(prefix + r"([A-Za-z0-9_\-./]+)", text) if ".." not in m})[
        :200
    ]
    # Local images are content-addressed: another article's localized header or thumbnail
    # (``local_pictures``) can be the very same file.
    others = (
        Article.objects.filter(taken_down_at__isnull=True)
        .exclude(pk=article.pk)
        .annotate(pictures_text=Cast("local_pictures", TextField()))
    )

    def shown(name: str) -> Q:
        return (
            Q(body_html__contains=name)
            | Q(header_image__contains=name)
            | Q(pictures_text__contains=name)
        )

    return [name for name in names if not others.filter(shown(name)).exists()]


def is_withdrawn_media(name: str) -> bool:
    return WithdrawnMedia.objects.filter(name=name).exists()
