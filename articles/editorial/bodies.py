"""Re-rendering bodies, mention verdicts, never-link, and entity and tag merges."""

from django.db.models import Exists, OuterRef, Q
from taggit.models import Tag, TaggedItem

from articles import rendering
from articles.editorial.runner import Operation, operation
from articles.models import (
    Article,
    Entity,
    Mention,
)
from articles.rendering import RENDERED_FIELDS


def rerender(article_ids, *, op: Operation | None = None) -> int:
    """Re-render the articles (ids or a ``values("…id")`` queryset)."""
    if op is None:
        with operation("rerender") as op:
            return rerender(article_ids, op=op)
    done = 0
    # The summary too: whether the page shows it as a dek is part of the rendering.
    articles = Article.objects.filter(pk__in=article_ids).only(
        "pk", "body", "summary", *RENDERED_FIELDS
    )
    for article in articles.iterator(chunk_size=200):
        rendering.rerender(article)
        done += 1
    return done


def save_rendered(article: Article, *, user=None, published: bool = False) -> None:
    """Store the article's rendering after an editor saved it (and log the save, as a
    publication when the save published it)."""
    with operation("publish" if published else "edit", user=user) as op:
        rendering.rerender(article)
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
