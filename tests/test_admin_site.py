"""The admin site as a whole: the editorial groups, the index page, every changelist's query
count, and autocomplete lookups across admins."""

import itertools

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Category, Entity, Mention
from tests.admin_support import (
    EDITOR,
    PUBLISHER,
    admin_settings,  # noqa: F401 (autouse fixture)
    editor_fixture,  # noqa: F401 (fixture "editor")
    flag,
    publisher_fixture,  # noqa: F401 (fixture "publisher")
)
from tests.factories import (
    make_article,
    make_author,
    make_category,
    make_entity,
    make_source,
)

pytestmark = pytest.mark.django_db
_seq = itertools.count()


# Roles


def test_migration_creates_editor_and_publisher_groups():
    editor_perms = set(
        Group.objects.get(name=EDITOR).permissions.values_list("codename", flat=True)
    )
    publisher_perms = set(
        Group.objects.get(name=PUBLISHER).permissions.values_list("codename", flat=True)
    )
    assert {"add_article", "change_article", "change_mention", "change_entity"} <= editor_perms
    assert "publish_article" not in editor_perms
    assert "delete_article" not in editor_perms
    assert {"publish_article", "delete_article"} <= publisher_perms
    assert editor_perms <= publisher_perms


def test_admin_speaks_chinese(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in html
    assert "Newsroom 编辑后台" in html and "注销" in html
    assert reverse("admin:articles_article_import") in html and "导入文章" in html


# Query counts: every changelist is flat in the number of rows


def _articles(n):
    source, category = make_source(), make_category("新媒体", "36kr")
    author, entity = make_author(), make_entity()
    for i in range(n):
        article = make_article(
            source=source, category=category, author=author, entities=(entity,), tags=(f"t{i}",)
        )
        flag(article)


def _entities(n):
    target = make_entity("京东")
    for _ in range(n):
        make_entity(merged_into=target if _ % 3 == 0 else None)
    make_article(entities=tuple(Entity.objects.all()[:5]))


def _mentions(n):
    entities = [make_entity() for _ in range(n)]
    make_article(body="<p>开头。</p>", entities=tuple(entities))
    Mention.objects.update(verdict=Mention.Verdict.FLAGGED)


def _sources(n):
    for _ in range(n):
        make_article(source=make_source())


def _categories(n):
    root = make_category("新媒体")
    for _ in range(n):
        child = Category.objects.create(parent=root, name=f"子分类{next(_seq)}")
        make_article(category=child)


def _authors(n):
    for _ in range(n):
        make_article(author=make_author())


def _tags(n):
    for i in range(n):
        make_article(tags=(f"标签{i}",))


@pytest.mark.parametrize(
    ("url_name", "query", "populate"),
    [
        ("admin:articles_article_changelist", "", _articles),
        ("admin:articles_entity_changelist", "", _entities),
        ("admin:articles_mention_changelist", "?verdict__exact=flagged", _mentions),
        ("admin:articles_source_changelist", "", _sources),
        ("admin:articles_category_changelist", "", _categories),
        ("admin:articles_author_changelist", "", _authors),
        ("admin:taggit_tag_changelist", "", _tags),
    ],
)
def test_changelist_query_count_is_constant(client, publisher, url_name, query, populate):
    client.force_login(publisher)
    url = reverse(url_name) + query

    def measure() -> int:
        client.get(url)  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.context["cl"].result_count

    populate(10)
    few, rows_few = measure()
    populate(90)
    many, rows_many = measure()
    assert rows_many > rows_few >= 10
    assert many == few


# Autocomplete


def test_autocomplete_lookups_work_for_categories_sources_entities(client, editor):
    make_category("新媒体", "36kr")
    make_source("IT之家")
    make_entity("腾讯")
    client.force_login(editor)
    for model, field, term, expected in (
        ("article", "category", "36", "新媒体 › 36kr"),
        ("attribution", "source", "IT", "IT之家"),
        ("mention", "entity", "腾", "腾讯"),
    ):
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": "articles", "model_name": model, "field_name": field, "term": term},
        )
        assert response.status_code == 200, (model, response.content)
        assert [r["text"] for r in response.json()["results"]] == [expected]
