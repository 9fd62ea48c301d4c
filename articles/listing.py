"""How list pages fetch their articles, fast on a large database.

Pages are fetched without counting rows. Lists over several categories, or over a small set of
articles (a rarely mentioned entity, a rare tag), are fetched by primary key from ids found
through the right index, because SQLite (which keeps no statistics unless ANALYZE is run)
would otherwise walk every public article to fill a page. The SQL here is portable to SQLite
and PostgreSQL.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django.utils.text import Truncator
from taggit.models import Tag, TaggedItem

from articles.models import Article
from articles.models.public import public_q, released_q, where_sql
from articles.pictures import picture_html

FEW = 500  # at most this many articles: fetch them by id; more: walk the date index
MAX_MERGED_IDS = 5_000  # newest_public_ids() beyond this falls back to one sorted query


class Pager:
    """One page of a queryset, fetched as ``per_page + 1`` rows and never counted.

    Counting every published article costs more than the page itself on a large database, and
    readers of a news list only need "newer" and "older".
    """

    def __init__(self, queryset, number: int, per_page: int):
        offset = (number - 1) * per_page
        rows = list(queryset[offset : offset + per_page + 1])
        self.number = number
        self.object_list = rows[:per_page]
        self.has_next = len(rows) > per_page
        self.has_previous = number > 1
        self.has_other_pages = self.has_next or self.has_previous
        self.next_page_number = number + 1
        self.previous_page_number = number - 1

    def __iter__(self):
        return iter(self.object_list)


def attach_tags(articles) -> None:
    """Set ``article.tag_list`` on every article, in one query.

    taggit's own prefetch builds a queryset per article, which costs more than the query.
    """
    if not articles:
        return
    content_type = article_content_type()
    items = TaggedItem.objects.filter(
        content_type=content_type, object_id__in=[a.pk for a in articles]
    ).select_related("tag")
    tags: dict[int, list[Tag]] = {}
    # Sorted here: an ORDER BY would lead SQLite to scan the content-type index in id order.
    for item in sorted(items, key=lambda item: item.pk):
        tags.setdefault(item.object_id, []).append(item.tag)
    for article in articles:
        article.tag_list = tags.get(article.pk, [])


CARD_SUMMARY_CHARS = 140
CARD_TAGS = 3


def attach_cards(articles) -> None:
    """Set ``article.card`` on every article: what ``{% article_card %}`` prints,
    worked out here once (the page's context is kept per content version, see
    ``articles.versioned``) rather than by template filters and tags for every card of every
    request. No query: the relations come with the list rows (``for_lists``)."""
    for article in articles:
        source = article.attribution.source if hasattr(article, "attribution") else None
        image = article.thumbnail or article.header_image
        published = timezone.localtime(article.published_at) if article.published_at else None
        article.card = {
            "url": article.get_absolute_url(),
            "image": image,
            "image_html": picture_html(
                article.thumbnail_picture,
                image,
                width=240,
                height=160,
                sizes="(max-width: 48rem) 120px, 192px",
                lazy=True,
            )
            if image
            else "",
            "summary": Truncator(article.summary).chars(CARD_SUMMARY_CHARS),
            "date_iso": published.isoformat() if published else "",
            "date_text": f"{published.year}年{published.month}月{published.day}日"
            if published
            else "",
            "source": source.name if source is not None else "",
            "category": article.category.name if article.category_id else "",
            "tags": [tag.name for tag in getattr(article, "tag_list", [])[:CARD_TAGS]],
        }


def newest_public_ids(category_ids: list[int], depth: int) -> list[int]:
    """The ids of the ``depth`` newest public articles of each category, in one query.

    A ``UNION ALL`` of index range scans. Each part is the ORM's own SQL for the public rule
    (``Article.objects.published()``), compiled and joined here because the ORM cannot put a
    LIMIT inside a compound query on SQLite. Portable to SQLite and PostgreSQL.
    """
    public = Article.objects.published()
    parts, params = [], []
    for pk in category_ids:
        part = public.filter(category_id=pk).order_by("-published_at", "-id").values("id")
        sql, part_params = part[:depth].query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) c{len(parts)}")
        params += part_params
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [row[0] for row in cursor.fetchall()]


def few_public_ids(model, article_column: str, also=None, **where) -> list[int] | None:
    """The ids of the released articles that rows of ``model`` matching ``where`` point to, if
    there are at most ``FEW``; else None (then there are enough for the date index to find a
    page of them quickly). Released (published, time reached) is the index's part of the
    public rule; ``by_ids`` applies the whole rule to what this finds.

    ``where`` maps columns to a value or a list of values; the index to start from is chosen
    among them (``CROSS JOIN`` keeps SQLite from starting at the articles; PostgreSQL plans it
    freely). Columns in ``also`` (a dict) are checked but never chosen as the index
    (``column + 0``): the content type of a tagged item, equal for every row.
    """
    q = connection.ops.quote_name
    conditions, params = [], []
    for column, value in where.items():
        if isinstance(value, list | tuple):
            marks = ", ".join(["%s"] * len(value))
            conditions.append(f"x.{q(column)} IN ({marks})")
            params += list(value)
        else:
            conditions.append(f"x.{q(column)} = %s")
            params.append(value)
    for column, value in (also or {}).items():
        conditions.append(f"x.{q(column)} + 0 = %s")
        params.append(value)
    released, released_params = where_sql(Article, released_q(timezone.now()), connection)
    article = q(Article._meta.db_table)
    sql = (
        f"SELECT DISTINCT x.{q(article_column)} FROM {q(model._meta.db_table)} x"
        f" CROSS JOIN {article} WHERE {article}.{q('id')} = x.{q(article_column)}"
        f" AND {' AND '.join(conditions)} AND {released} LIMIT %s"
    )
    params += [*released_params, FEW + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) <= FEW else None


def by_ids(ids: list[int]):
    """Public list rows for ``ids`` found by the functions above (the rule applied again: the
    ids of ``few_public_ids`` are only released)."""
    return Article.objects.for_lists().prefetch_related(None).filter(public_q(), pk__in=ids)


def article_content_type() -> ContentType:
    return ContentType.objects.get_for_model(Article)  # cached per process
