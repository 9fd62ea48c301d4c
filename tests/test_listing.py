"""How list pages fetch their articles (``articles.listing``): pages without counting, tags in
one query, and ids found through an index that the public rule then filters again."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from articles import listing
from articles.models import Article, Attribution, Licence, Mention, Source
from tests.factories import make_article, make_author, make_category, make_entity, make_source

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def hours_ago(n: float):
    return timezone.now() - n * HOUR


def unreleased(**kwargs) -> list[Article]:
    """A draft and a scheduled article, both newer than anything public in these tests."""
    return [
        make_article(published=False, published_at=hours_ago(0.1), **kwargs),
        make_article(published_at=timezone.now() + 24 * HOUR, **kwargs),
    ]


def withdrawn(**kwargs) -> list[Article]:
    """Released but not public: taken down, embargoed, and withdrawn by its own licence."""
    down = make_article(published_at=hours_ago(0.2), **kwargs)
    Article.objects.filter(pk=down.pk).update(taken_down_at=timezone.now())
    until = timezone.now() + HOUR
    embargoed = make_article(published_at=hours_ago(0.3), embargo_until=until, **kwargs)
    expired = make_article(published_at=hours_ago(0.4), **kwargs)
    Licence.objects.create(article=expired, expires_on=timezone.localdate())
    return [down, embargoed, expired]


# Pager.


@pytest.fixture
def five():
    """Five public articles, newest first."""
    return [make_article(published_at=hours_ago(n)) for n in range(1, 6)]


@pytest.mark.parametrize(
    ("number", "rows", "has_next", "has_previous"),
    [
        (1, [0, 1], True, False),
        (2, [2, 3], True, True),
        (3, [4], False, True),
        (4, [], False, True),
    ],
)
def test_pager_pages(five, number, rows, has_next, has_previous):
    page = listing.Pager(Article.objects.published(), number, per_page=2)
    assert page.object_list == [five[i] for i in rows]
    assert list(page) == page.object_list
    assert (page.has_next, page.has_previous) == (has_next, has_previous)
    assert page.has_other_pages is True
    assert (page.number, page.next_page_number, page.previous_page_number) == (
        number,
        number + 1,
        number - 1,
    )


def test_pager_one_full_page_has_no_other_pages(five):
    page = listing.Pager(Article.objects.published(), 1, per_page=5)
    assert len(page.object_list) == 5
    assert not page.has_next and not page.has_previous and not page.has_other_pages


def test_pager_fetches_one_row_more_and_never_counts(five):
    with CaptureQueriesContext(connection) as queries:
        page = listing.Pager(Article.objects.published(), 2, per_page=2)
        assert page.has_next  # known without another query
    assert len(queries) == 1
    sql = queries.captured_queries[0]["sql"].upper()
    assert "COUNT(" not in sql
    assert "LIMIT 3" in sql and "OFFSET 2" in sql


# attach_tags.


def test_attach_tags_sets_each_articles_tags_in_one_query(django_assert_num_queries):
    tagged = make_article(tags=("支付", "电商"))
    other = make_article(tags=("AI",))
    untagged = make_article()
    # A tag on another model's row with the same id is not this article's.
    TaggedItem.objects.create(
        content_type=ContentType.objects.get_for_model(Source),
        object_id=untagged.pk,
        tag=Tag.objects.create(name="来源的标签", slug="source-tag"),
    )
    rows = list(Article.objects.for_lists().prefetch_related(None))
    listing.article_content_type()  # cached per process, as in a running site

    with django_assert_num_queries(1):
        listing.attach_tags(rows)

    by_pk = {a.pk: [t.name for t in a.tag_list] for a in rows}
    in_tag_order = [
        i.tag.name for i in TaggedItem.objects.filter(object_id=tagged.pk).order_by("pk")
    ]
    assert by_pk == {tagged.pk: in_tag_order, other.pk: ["AI"], untagged.pk: []}
    assert sorted(by_pk[tagged.pk]) == sorted(["支付", "电商"])


def test_attach_tags_of_no_articles_costs_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        listing.attach_tags([])


# newest_public_ids.


def test_newest_public_ids_takes_depth_public_articles_per_category(django_assert_num_queries):
    news, flash, empty = (make_category("新媒体", name) for name in ("资讯", "快讯", "空的"))
    news_public = [make_article(category=news, published_at=hours_ago(n)) for n in range(1, 5)]
    flash_public = [make_article(category=flash, published_at=hours_ago(n)) for n in (1.5, 2.5)]
    for category in (news, flash):
        unreleased(category=category)
        withdrawn(category=category)
    make_article(published_at=hours_ago(0.5))  # public, but in no category

    with django_assert_num_queries(1):
        ids = listing.newest_public_ids([news.pk, flash.pk, empty.pk], depth=3)

    assert sorted(ids) == sorted(a.pk for a in news_public[:3] + flash_public)
    assert listing.newest_public_ids([news.pk], depth=1) == [news_public[0].pk]


def test_newest_public_ids_of_no_categories_is_empty(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert listing.newest_public_ids([], depth=20) == []


# few_public_ids.


def test_few_public_ids_finds_released_articles_only():
    source = make_source()
    public = [make_article(source=source) for _ in range(3)]
    hidden = unreleased(source=source)
    make_article(source=make_source())  # another outlet's

    ids = listing.few_public_ids(Attribution, "article_id", source_id=source.pk)

    assert sorted(ids) == sorted(a.pk for a in public)
    assert not set(ids) & {a.pk for a in hidden}


def test_few_public_ids_is_none_above_few(monkeypatch):
    monkeypatch.setattr(listing, "FEW", 3)
    source = make_source()
    articles = [make_article(source=source) for _ in range(3)]
    unreleased(source=source)  # not counted
    assert sorted(listing.few_public_ids(Attribution, "article_id", source_id=source.pk)) == sorted(
        a.pk for a in articles
    )
    make_article(source=source)
    assert listing.few_public_ids(Attribution, "article_id", source_id=source.pk) is None


def test_few_public_ids_matches_lists_of_values_and_gives_each_article_once():
    taobao, jd = make_entity("淘宝"), make_entity("京东")
    both = make_article(entities=(taobao, jd))
    one = make_article(entities=(jd,))
    flagged = make_article(entities=(taobao,))
    Mention.objects.filter(article=flagged).update(verdict=Mention.Verdict.FLAGGED)
    make_article(entities=(make_entity("别家"),))

    ids = listing.few_public_ids(
        Mention, "article_id", entity_id=[taobao.pk, jd.pk], verdict=["linked", "confirmed"]
    )

    assert sorted(ids) == sorted([both.pk, one.pk])


def test_few_public_ids_checks_the_also_columns():
    tagged = make_article(tags=("支付",))
    tag = Tag.objects.get(name="支付")
    untagged = make_article()
    # Another model's row tagged 支付 whose id is that of a released, untagged article.
    TaggedItem.objects.create(
        content_type=ContentType.objects.get_for_model(Source), object_id=untagged.pk, tag=tag
    )

    ids = listing.few_public_ids(
        TaggedItem,
        "object_id",
        tag_id=tag.pk,
        also={"content_type_id": listing.article_content_type().pk},
    )

    assert ids == [tagged.pk]


# by_ids.


def test_by_ids_applies_the_whole_public_rule():
    public = [make_article(published_at=hours_ago(n)) for n in (3, 1, 2)]
    hidden = unreleased() + withdrawn()

    rows = list(listing.by_ids([a.pk for a in public + hidden]))

    assert rows == sorted(public, key=lambda a: a.published_at, reverse=True)  # newest first


def test_by_ids_drops_a_taken_down_article_few_public_ids_found():
    source = make_source()
    kept = make_article(source=source)
    down = make_article(source=source)
    Article.objects.filter(pk=down.pk).update(taken_down_at=timezone.now())
    few = listing.few_public_ids(Attribution, "article_id", source_id=source.pk)
    assert list(listing.by_ids(few)) == [kept]


def test_by_ids_gives_list_rows_without_bodies_or_extra_queries(django_assert_num_queries):
    ids = [
        make_article(author=make_author(), category=make_category("科技"), source=make_source()).pk
        for _ in range(3)
    ]
    with django_assert_num_queries(1):  # tags come from attach_tags, not a prefetch
        rows = list(listing.by_ids(ids))
        shown = [(a.author.name, a.category.name, a.attribution.source.name) for a in rows]
    assert len(shown) == 3
    assert all({"raw", "body", "body_html", "warnings"} <= a.get_deferred_fields() for a in rows)
