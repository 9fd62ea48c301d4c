"""Licences: set, delete and their history."""

from articles.editorial.runner import EditorialError, operation
from articles.models import (
    Article,
    EditorialLog,
    Licence,
    Source,
)

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
