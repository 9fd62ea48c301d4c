"""Every editorial state change: publish, schedule, unpublish, take down, restore, licences,
verdicts, merges and re-rendering. The admin, the commands and the importer all call these.

Each operation runs inside ``operation()``: one transaction, its log entries
(``EditorialLog``), the content version (``articles.caching.content_changed``: every server
process sees the change at once) and, after commit, the CDN purge hook. Nothing else in the
codebase invalidates caches for a state change.
"""

import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from taggit.models import Tag, TaggedItem

from articles.caching import content_changed
from articles.models import (
    Article,
    EditorialLog,
    EditorProfile,
    Entity,
    Licence,
    Mention,
    Source,
    Takedown,
    WithdrawnMedia,
)
from articles.rendering import render_article
from articles.seo import absolute


class EditorialError(Exception):
    """An operation refused, with a sentence for the editor."""


LICENCE_FIELDS = (
    "basis",
    "granted_by",
    "reference",
    "granted_on",
    "expires_on",
    "revoked_at",
    "requires_link_back",
    "requires_original_title",
    "requires_author_credit",
    "is_ai_training_allowed",
    "note",
)


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
    """Run one editorial operation: atomically, logged, and visible to every process."""
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


# Publishing -------------------------------------------------------------------------------


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


# Takedown ---------------------------------------------------------------------------------


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


# Licences ---------------------------------------------------------------------------------


def set_licence(
    holder: Source | Article, *, user=None, actor: str = "", reason: str = "", **values
) -> Licence:
    """Create or change the licence of an outlet (or one article's override); the change is
    logged with every field, which is the licence's history."""
    unknown = set(values) - set(LICENCE_FIELDS)
    if unknown:
        raise EditorialError(f"未知的授权字段：{'、'.join(sorted(unknown))}")
    key = {"source": holder} if isinstance(holder, Source) else {"article": holder}
    with operation("licence", user=user, actor=actor, reason=reason) as op:
        licence = Licence.objects.filter(**key).first() or Licence(**key)
        before = {name: getattr(licence, name) for name in LICENCE_FIELDS} if licence.pk else {}
        for name, value in values.items():
            setattr(licence, name, value)
        licence.full_clean(exclude=["source", "article"])
        licence.save()
        after = {name: getattr(licence, name) for name in LICENCE_FIELDS}
        changed = {k: v for k, v in after.items() if before.get(k, object()) != v}
        op.log(
            article=holder if isinstance(holder, Article) else None,
            source=holder if isinstance(holder, Source) else None,
            changed=sorted(changed),
            **after,
        )
        op.purge_articles(_held_articles(holder))
    return licence


def _held_articles(holder: Source | Article):
    """The articles a licence of ``holder`` governs (at most 500, for the purge hook)."""
    affected = (
        Article.objects.filter(attribution__source=holder)
        if isinstance(holder, Source)
        else Article.objects.filter(pk=holder.pk)
    )
    return affected.only("pk", "slug")[:500]


def delete_licence(licence: Licence, *, user=None, actor: str = "") -> None:
    """Remove a licence from file (its outlet becomes "未登记授权")."""
    holder = licence.source or licence.article
    with operation("licence", user=user, actor=actor, reason="删除授权") as op:
        op.log(
            article=holder if isinstance(holder, Article) else None,
            source=holder if isinstance(holder, Source) else None,
            changed=["deleted"],
        )
        licence.delete()
        op.purge_articles(_held_articles(holder))


def licence_history(licence: Licence):
    """The log entries of a licence's holder about its licence, newest first."""
    entries = EditorialLog.objects.filter(action__in=["licence", "licence-override"])
    if licence.source_id:
        return entries.filter(source_id=licence.source_id)
    return entries.filter(article_id=licence.article_id)


# Bodies, verdicts and merges ---------------------------------------------------------------


def rerender(article_ids, *, op: Operation | None = None) -> int:
    """Re-derive ``body_html`` of the articles (ids or a ``values("…id")`` queryset)."""
    if op is None:
        with operation("rerender") as op:
            return rerender(article_ids, op=op)
    done = 0
    articles = Article.objects.filter(pk__in=article_ids).only("pk", "body", "body_html")
    for article in articles.iterator(chunk_size=200):
        html = render_article(article)
        if html != article.body_html:
            Article.objects.filter(pk=article.pk).update(body_html=html)
        done += 1
    return done


def save_rendered(article: Article, *, user=None, published: bool = False) -> None:
    """Store the article's rendering after an editor saved it (and log the save, as a
    publication when the save published it)."""
    with operation("publish" if published else "edit", user=user) as op:
        article.body_html = render_article(article)
        Article.objects.filter(pk=article.pk).update(body_html=article.body_html)
        op.log(article=article, editor=article.responsible_editor)
        op.purge_articles([article])


def set_verdicts(mention_ids: list[int], verdict: str, *, user=None) -> int:
    """Confirm or reject mentions; return how many articles were re-rendered."""
    with operation("verdict", user=user) as op:
        mentions = Mention.objects.filter(pk__in=mention_ids)
        articles = list(mentions.order_by().values_list("article_id", flat=True).distinct())
        mentions.update(verdict=verdict)
        return rerender(articles, op=op)


def articles_mentioning(entities) -> Q:
    """Mentions of these entities, or of entities merged into them."""
    return Q(entity__in=entities) | Q(entity__merged_into__in=entities)


def set_never_link(entity_ids: list[int], value: bool, *, user=None) -> int:
    """Switch entities to (or from) "never link"; return how many articles were re-rendered."""
    with operation("never-link", user=user) as op:
        Entity.objects.filter(pk__in=entity_ids).update(is_never_link=value)
        return rerender(
            Mention.objects.filter(articles_mentioning(entity_ids)).values("article_id"), op=op
        )


def merge_entities(target: Entity, others: list[Entity], *, user=None) -> int:
    """Merge ``others`` into ``target``; return how many articles were re-rendered.

    Every mention moves to ``target``; the others stay as aliases (``merged_into``), so
    re-imports with their provider ids resolve to ``target``; their names and ids join
    ``target.aliases``.
    """
    others = [o for o in others if o.pk != target.pk]
    if not others:
        return 0
    with operation("merge-entities", user=user) as op:
        ids = [o.pk for o in others]
        affected = list(
            Mention.objects.filter(entity_id__in=ids)
            .order_by()
            .values_list("article_id", flat=True)
            .distinct()
        )
        Mention.objects.filter(entity_id__in=ids).update(entity=target)
        Entity.objects.filter(merged_into_id__in=ids).update(merged_into=target)
        Entity.objects.filter(pk__in=ids).update(merged_into=target)
        aliases = list(target.aliases or [])
        for other in others:
            for alias in (other.name, other.provider_id, *(other.aliases or [])):
                if alias and alias != target.name and alias not in aliases:
                    aliases.append(alias)
        target.aliases = aliases
        target.save(update_fields=["aliases"])
        op.log(target=target.pk, merged=ids)
        return rerender(affected, op=op)


def merge_tags(target: Tag, others: list[Tag], *, user=None) -> int:
    """Move every use of ``others`` to ``target`` and delete them; return the uses moved."""
    moved = 0
    with operation("merge-tags", user=user) as op:
        for other in others:
            if other.pk == target.pk:
                continue
            items = TaggedItem.objects.filter(tag=other)
            already = TaggedItem.objects.filter(
                tag=target, content_type=OuterRef("content_type"), object_id=OuterRef("object_id")
            )
            # An object tagged with both keeps its one ``target`` tag.
            items.filter(Exists(already)).delete()
            moved += items.update(tag=target)
            other.delete()
        op.log(target=target.pk, merged=[o.pk for o in others])
    return moved


def localized(article_ids: list[int]) -> None:
    """After images were localized and the articles re-rendered."""
    with operation("localize-images") as op:
        op.log(articles=len(article_ids))
