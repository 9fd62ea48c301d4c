"""Anonymous pages are cached, answer conditional requests, and go stale when content changes."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_category, make_entity, make_source, version_queries
from tests.site_client import get, soup


@pytest.fixture
def article(db):
    return make_article(
        "原标题",
        category=make_category("新媒体", "36kr"),
        source=make_source("IT之家"),
        entities=(make_entity("淘宝"),),
        tags=("支付",),
    )


def urls(article) -> list[str]:
    return [
        reverse("articles:home"),
        article.get_absolute_url(),
        article.category.get_absolute_url(),
        reverse("articles:tag", args=[article.tags.get().slug]),
        article.entities.get().get_absolute_url(),
        article.attribution.source.get_absolute_url(),
        reverse("articles:archive"),
        reverse("articles:search") + "?q=标题",
        reverse("sitemap"),
        reverse("robots"),
    ]


def test_pages_have_validators_and_answer_304(client, article):
    for url in urls(article):
        response = get(client, url)
        assert response.status_code == 200, url
        assert response.has_header("ETag") and response.has_header("Last-Modified"), url
        assert "public" in response["Cache-Control"], url
        etag = get(client, url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert etag.status_code == 304, url
        since = get(client, url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert since.status_code == 304, url


def test_second_request_is_served_from_cache_with_no_query_but_the_version(client, article):
    for url in urls(article):
        first = get(client, url)
        with CaptureQueriesContext(connection) as queries:
            second = get(client, url)
        assert len(queries) == version_queries(), (
            url,
            [q["sql"] for q in queries.captured_queries],
        )
        assert second.content == first.content


def test_edit_publish_and_unpublish_invalidate(client, article):
    home = reverse("articles:home")
    assert "原标题" in get(client, article.get_absolute_url()).content.decode()
    assert "原标题" in get(client, home).content.decode()

    article.title = "新标题"
    article.save()
    assert "新标题" in get(client, article.get_absolute_url()).content.decode()
    assert "新标题" in get(client, home).content.decode()

    draft = make_article("草稿文章", published=False)
    assert "草稿文章" not in get(client, home).content.decode()
    draft.status = Article.Status.PUBLISHED
    draft.save()
    assert "草稿文章" in get(client, home).content.decode()

    article.status = Article.Status.DRAFT
    article.save()
    assert get(client, article.get_absolute_url()).status_code == 404
    assert "新标题" not in get(client, home).content.decode()


def test_related_changes_invalidate(client, article):
    url = article.get_absolute_url()
    get(client, url)
    article.tags.add("电商")
    assert "#电商" in get(client, url).content.decode()
    source = article.attribution.source
    source.name = "IT之家（新名）"
    source.save()
    assert "IT之家（新名）" in get(client, url).content.decode()


def test_scheduled_article_appears_when_its_time_comes(client, db):
    at = timezone.now() + timedelta(hours=1)
    make_article("定时文章", published_at=at)
    home = reverse("articles:home")
    assert "定时文章" not in get(client, home).content.decode()
    later = at + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert "定时文章" in get(client, home).content.decode()


def test_staff_bypass_the_cache(client, article):
    url = article.get_absolute_url()
    get(client, url)
    # A write without signals (no version bump): anonymous readers still see the cached page.
    Article.objects.filter(pk=article.pk).update(summary="悄悄改的摘要，与正文不同")
    assert "悄悄改的摘要" not in get(client, url).content.decode()
    staff = get_user_model().objects.create_user("editor", password="x", is_staff=True)
    client.force_login(staff)
    assert "悄悄改的摘要" in get(client, url).content.decode()


def test_pages_still_served_when_the_cache_is_down(client, article, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = get(client, article.get_absolute_url())
    assert response.status_code == 200
    assert soup(response).h1.get_text(strip=True) == "原标题"


def test_cache_seconds_zero_turns_page_caching_off(client, article, settings):
    settings.NEWSROOM_CACHE_SECONDS = 0
    make_article("定时", published_at=timezone.now() + timedelta(hours=1))  # a next_at exists
    url = article.get_absolute_url()
    get(client, url)
    response = get(client, url)
    # Rendered again, not a stored response (what it is rendered from may be kept per content
    # version, articles.versioned: with Redis as the version store that costs no query).
    assert response.status_code == 200
    assert "articles/detail.html" in [t.name for t in response.templates]
    assert response.has_header("ETag") and response.has_header("Last-Modified")


def _version():
    from articles.caching import content_state

    return content_state()["version"]


def test_one_change_for_makes_one_version_for_many_saves(article):
    from articles.caching import one_change_for

    before = _version()
    with one_change_for():
        for n in range(3):
            Article.objects.get(pk=article.pk).save()  # each save alone makes a version
            assert _version() == before, n
    after = _version()
    assert after != before
    with one_change_for():
        pass  # nothing changed: no new version
    assert _version() == after


def test_one_change_for_makes_its_version_even_when_the_block_fails(article):
    from articles.caching import one_change_for

    def save_then_fail():
        with one_change_for():
            article.save()
            raise RuntimeError

    before = _version()
    with pytest.raises(RuntimeError):
        save_then_fail()
    assert _version() != before
