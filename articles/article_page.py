"""What an article page shows besides the article: linked entities, related articles, the
header image and the metadata for search engines.

``article_context()`` is the whole context of ``articles/detail.html``; the public view, the
staff preview and the admin's preview of an unsaved article all render through it.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from taggit.models import TaggedItem

from articles import listing, seo
from articles.mentions import LINKED
from articles.models import Article, Entity, Mention
from articles.models.content import BODY_FIELDS
from articles.models.public import released_q, where_sql
from articles.pictures import picture_html

RELATED_COUNT = 4
RELATED_MAX_ITEMS = 12  # entities, and tags, that count towards relatedness
RELATED_PER_ITEM = 10  # newest articles considered per shared entity or tag


def linked_entities(article) -> list[Entity]:
    """The canonical entities the article links to, in order of first mention, no repeats.

    Flagged and rejected mentions, and entities switched to "never link", are left out: the
    body shows them as plain text.
    """
    mentions = (
        article.mentions.filter(verdict__in=LINKED)
        .select_related("entity__merged_into")
        .order_by("position")
    )
    entities: dict[int, Entity] = {}
    for mention in mentions:
        entity = mention.entity.merged_into or mention.entity
        if not entity.is_never_link:
            entities.setdefault(entity.pk, entity)
    return list(entities.values())


def related_articles(article, entities, tags, limit: int = RELATED_COUNT) -> list[Article]:
    """Up to ``limit`` public articles related to ``article``, in at most three queries.

    First those sharing the most linked entities and tags (then the newest), chosen among the
    articles that most recently mention each shared item; when they are fewer than ``limit``,
    the newest articles of the same category fill the list.
    """

    def shown(queryset):
        return queryset.defer(*BODY_FIELDS, "warnings").select_related(
            "attribution__source", "category"
        )

    entities, tags = list(entities)[:RELATED_MAX_ITEMS], list(tags)[:RELATED_MAX_ITEMS]
    ids = _candidate_ids(article, entities, tags) if entities or tags else []
    # The candidates are only released (see ``_candidate_ids``): the whole rule picks them.
    candidates = shown(Article.objects.published().filter(pk__in=ids))
    related = list(_most_shared(candidates, entities, tags)[:limit]) if ids else []
    if len(related) < limit and article.category_id:
        related += (
            shown(Article.objects.published())
            .filter(category_id=article.category_id)
            .exclude(pk__in=[article.pk, *(a.pk for a in related)])[: limit - len(related)]
        )
    return related


def _candidate_ids(article, entities, tags) -> list[int]:
    """For each entity and tag, the released articles (published, time reached: the index's
    part of the public rule, which the caller applies whole) that mention it most recently
    (``RELATED_PER_ITEM`` each): a bounded set, however many articles mention an entity.

    One ``UNION`` of small index scans. It is SQL because the ORM cannot put a LIMIT inside a
    compound query on SQLite, and because SQLite, lacking statistics, would otherwise start
    from every public article: ``CROSS JOIN`` makes SQLite start from the mention or tag
    index (PostgreSQL plans it as the inner join it is).
    """
    q = connection.ops.quote_name
    table = {
        "article": q(Article._meta.db_table),
        "mention": q(Mention._meta.db_table),
        "tagged": q(TaggedItem._meta.db_table),
    }
    article_table = table["article"]
    released, released_params = where_sql(Article, released_q(timezone.now()), connection)
    public = f"{released} AND {article_table}.{q('id')} <> %s"
    public_params = [*released_params, article.pk]
    parts, params = [], []
    for entity in entities:
        parts.append(
            f"SELECT m.{q('article_id')} FROM {table['mention']} m"
            f" CROSS JOIN {article_table} WHERE {article_table}.{q('id')} = m.{q('article_id')}"
            f" AND m.{q('entity_id')} = %s AND m.{q('verdict')} IN (%s, %s) AND {public}"
            f" ORDER BY m.{q('id')} DESC LIMIT %s"
        )
        params += [entity.pk, *LINKED, *public_params, RELATED_PER_ITEM]
    content_type = ContentType.objects.get_for_model(Article)  # cached per process
    for tag in tags:
        parts.append(
            f"SELECT t.{q('object_id')} FROM {table['tagged']} t"
            f" CROSS JOIN {article_table} WHERE {article_table}.{q('id')} = t.{q('object_id')}"
            f" AND t.{q('tag_id')} = %s AND t.{q('content_type_id')} = %s AND {public}"
            f" ORDER BY t.{q('id')} DESC LIMIT %s"
        )
        params += [tag.pk, content_type.pk, *public_params, RELATED_PER_ITEM]
    sql = " UNION ".join(f"SELECT * FROM ({part}) c{i}" for i, part in enumerate(parts))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _most_shared(queryset, entities, tags):
    """``queryset`` ordered by how many of ``entities`` and ``tags`` each article shares."""
    content_type = ContentType.objects.get_for_model(Article)
    entity_score = (
        Mention.objects.filter(article_id=OuterRef("pk"), entity__in=entities, verdict__in=LINKED)
        .values("article_id")
        .annotate(n=Count("entity_id", distinct=True))
        .values("n")
    )
    tag_score = (
        TaggedItem.objects.filter(
            object_id=OuterRef("pk"), content_type_id=content_type.pk, tag__in=tags
        )
        .values("object_id")
        .annotate(n=Count("tag_id", distinct=True))
        .values("n")
    )
    zero = Value(0, output_field=IntegerField())
    return queryset.annotate(
        score=Coalesce(Subquery(entity_score, output_field=IntegerField()), zero)
        + Coalesce(Subquery(tag_score, output_field=IntegerField()), zero)
    ).order_by("-score", "-published_at", "-id")


def entity_chip(entity) -> dict:
    """What the page's "文中提到" list shows of an entity: link, name, logo or initial."""
    logo = ""
    if entity.logo_url:
        logo = picture_html(
            entity.logo_picture, entity.logo_url, width=28, height=28, sizes="28px", lazy=True
        )
    return {
        "url": entity.get_absolute_url(),
        "name": entity.name,
        "logo": logo,
        "initial": entity.name[:1],
    }


def hero_image(article) -> dict:
    """How to show the header image without layout shift.

    Known, landscape-ish proportions keep them; anything else (unknown size, a tall phone
    screenshot, a thin banner) is cropped into a 16:9 frame. A header image that the body
    repeats is not shown twice.
    """
    url = article.header_image
    picture = getattr(article, "header_picture", None)
    # After localization the body shows the local copy, not the remote URL.
    shown = article.body_images or ()
    if not url or url in shown or (picture and picture["src"] in shown):
        return {"show_hero": False}
    if picture:  # a local copy: its own proportions are known
        width, height = picture["width"], picture["height"]
    else:
        width, height = article.header_image_width, article.header_image_height
    if width and height and 1.2 <= width / height <= 2.4:
        return {"show_hero": True, "hero_cover": False, "hero_width": width, "hero_height": height}
    return {"show_hero": True, "hero_cover": True, "hero_width": 1280, "hero_height": 720}


def article_context(article, *, preview: bool = False) -> dict:
    """Everything ``articles/detail.html`` needs beyond the article itself (3 queries).

    Works for an unsaved article too (the admin's preview): it then has no tags, mentions or
    related articles.
    """
    saved = article.pk is not None
    tags = list(article.tags.all()) if saved else []
    entities = linked_entities(article) if saved else []
    related = related_articles(article, entities, tags) if saved else []
    listing.attach_cards(related)
    about = [e for e in entities if e.name in article.title]
    indexing = seo.indexing(article) if saved else {}
    if preview:
        indexing = {**indexing, "robots": "noindex, nofollow", "googlebot_news": ""}
    crumbs = [("首页", reverse("articles:home"))]
    if article.category_id:
        crumbs += article.category.breadcrumbs
    url = seo.absolute(article.get_absolute_url()) if saved else ""
    return {
        "article": article,
        "tags": tags,
        "tag_links": [(tag.name, reverse("articles:tag", args=[tag.slug])) for tag in tags],
        "entities": entities,
        "entity_chips": [entity_chip(entity) for entity in entities],
        "related": related,
        "is_preview": preview,
        "original_title": seo.original_title(article),
        "show_dek": article.is_dek_shown,
        "feed_object": None,
        "breadcrumbs": crumbs[1:],
        "meta": {
            "title": article.title,
            "description": article.summary,
            "canonical": indexing.get("canonical", ""),
            "robots": indexing.get("robots", "noindex, nofollow"),
            "googlebot_news": indexing.get("googlebot_news", ""),
            "type": "article",
            "url": url,
            **seo.share_image(article),
            "published": seo.iso(article.published_at),
            "modified": seo.iso(article.updated_at),
            "section": article.category.name if article.category_id else "",
            "tags": [t.name for t in tags],
        },
        "ld_article": seo.json_text(
            seo.article_jsonld(article, entities=entities, tags=tags, about=about)
        ),
        "ld_breadcrumbs": seo.json_text(seo.breadcrumbs_jsonld(crumbs))
        if len(crumbs) > 1
        else None,
        **hero_image(article),
    }
