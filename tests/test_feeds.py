"""The feeds, read by a real client: ``feedparser`` for RSS and Atom, structure for JSON Feed."""

import html
import json
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import feedparser
import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import resolve, reverse
from django.utils import timezone
from taggit.models import Tag

from articles.caching import content_state
from articles.feeds import feed_url
from articles.importer import Importer
from articles.ingest import InputFile
from articles.models import Article, Mention
from articles.rendering import rerender
from tests.factories import (
    make_article,
    make_author,
    make_category,
    make_entity,
    make_source,
    version_queries,
)

SITE = settings.NEWSROOM_SITE_URL
XML_FORMATS = ("rss", "atom")
MEDIA_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
TRICKY_TITLE = "Tom & Jerry <video> \"双引号\" 'single' 😀 发布"
KINDS = ("site", "category", "tag", "entity", "source", "author")


def fetch(client, url, **headers):
    # The site redirects plain HTTP to HTTPS, as in production.
    return client.get(url, secure=True, **headers)


def parse(response):
    assert response.status_code == 200, response.status_code
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.fixture
def world(db):
    """One fully attributed article in a sub-category, with a tag, entity, outlet and byline."""
    source = make_source("IT之家", account_id="ithomenews")
    category = make_category("新媒体", "36kr", "资讯")
    entity = make_entity("淘宝")
    author = make_author("36kr")
    article = make_article(
        "淘宝将打通微信支付",
        summary="淘宝 App 下单后已经可以选择微信支付。",
        body='<p>正文第一段。<a href="/about/">关于</a></p>',
        source=source,
        category=category,
        author=author,
        tags=("支付", "电商"),
        entities=(entity,),
        roles={"编辑": ["李四"], "作者": ["张三", "王五"]},
        header_image="https://img.example.com/head.jpg",
        header_image_width=820,
        header_image_height=400,
    )
    return {
        "article": article,
        "site": None,
        "category": category.parent.parent,  # the root: sub-categories are included
        "tag": Tag.objects.get(name="支付"),
        "entity": entity,
        "source": source,
        "author": author,
    }


@pytest.fixture
def plain_static(settings):
    # The 404 page links static files, and no manifest is built for tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def feed_path(world, kind, fmt):
    return feed_url(world[kind], fmt)


# Every feed, every format ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", XML_FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_feed_parses_without_errors(client, world, kind, fmt):
    response = fetch(client, feed_path(world, kind, fmt))
    feed = parse(response)
    assert response["Content-Type"] == MEDIA_TYPES[fmt]
    assert [entry.id for entry in feed.entries] == [world["article"].guid.urn]
    assert feed.feed.title.startswith(settings.NEWSROOM_SITE_NAME)
    assert feed.feed.language == "zh-cn"
    self_link = next(link.href for link in feed.feed.links if link.rel == "self")
    assert self_link == SITE + feed_path(world, kind, fmt)


@pytest.mark.parametrize("kind", KINDS)
def test_json_feed_is_structurally_valid(client, world, kind):
    response = fetch(client, feed_path(world, kind, "json"))
    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPES["json"]
    data = json.loads(response.content)
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert {"title", "home_page_url", "feed_url", "items"} <= data.keys()
    assert data["feed_url"] == SITE + feed_path(world, kind, "json")
    (item,) = data["items"]
    assert {"id", "url", "title", "content_html", "date_published"} <= item.keys()
    assert all(isinstance(item[key], str) for key in ("id", "url", "title", "content_html"))
    assert item["id"] == world["article"].guid.urn


@pytest.mark.parametrize("kind", ["category", "tag", "entity", "source", "author"])
def test_feed_of_unknown_object_is_404(client, world, kind, plain_static):
    prefix = {"category": "category/nope/deeper", "tag": "tag/nope"}.get(kind, f"{kind}/nope")
    for filename in ("rss.xml", "atom.xml", "feed.json"):
        assert fetch(client, f"/feeds/{prefix}/{filename}").status_code == 404


def test_feed_urls_reverse_and_resolve_with_category_paths(world):
    category = world["article"].category
    for fmt, filename in (("rss", "rss.xml"), ("atom", "atom.xml"), ("json", "feed.json")):
        url = reverse(f"articles:category-feed-{fmt}", kwargs={"path": category.path})
        assert url == f"/feeds/category/{category.path}/{filename}"
        match = resolve(url)
        assert match.url_name == f"category-feed-{fmt}"
        assert match.kwargs == {"path": category.path}
    assert reverse("articles:feed-rss") == "/feeds/rss.xml"
    assert reverse("articles:feed-atom") == "/feeds/atom.xml"
    assert reverse("articles:feed-json") == "/feeds/feed.json"


# Fields ----------------------------------------------------------------------------------------


def test_rss_item_fields(client, world):
    article = world["article"]
    response = fetch(client, "/feeds/rss.xml")
    feed = parse(response)
    assert feed.version == "rss20"
    entry = feed.entries[0]
    assert entry.title == article.title
    assert entry.link == SITE + article.get_absolute_url()
    assert entry.id == f"urn:uuid:{article.guid}"
    assert entry.guidislink is False
    assert b'<guid isPermaLink="false">urn:uuid:' in response.content
    assert html.unescape(entry.summary) == article.summary
    content = entry.content[0]
    assert content.type == "text/html"
    assert "正文第一段" in content.value
    assert f'href="{SITE}/about/"' in content.value  # relative link made absolute
    assert f'href="{SITE}/entity/' in content.value
    # The attribution block, from the structured fields.
    assert "本文来自微信公众号“" in content.value
    assert f'<a href="{SITE}/source/{world["source"].slug}/">IT之家</a>' in content.value
    assert "（ID：ithomenews）" in content.value
    assert "作者：张三、王五，编辑：李四" in content.value
    assert "36氪经授权发布" in content.value
    assert 'href="https://mp.weixin.qq.com/s/example"' in content.value
    # dc:creator: the original authors, not the byline.
    assert [author.name for author in entry.authors] == ["张三", "王五"]
    assert [tag.term for tag in entry.tags] == ["新媒体", "36kr", "资讯", "支付", "电商"]
    (media,) = entry.media_content
    assert media == {
        "url": "https://img.example.com/head.jpg",
        "medium": "image",
        "type": "image/jpeg",
        "width": "820",
        "height": "400",
    }
    assert not [link for link in entry.links if link.rel == "enclosure"]
    assert entry.source == {"href": "https://mp.weixin.qq.com/s/example", "title": "IT之家"}


def test_rss_dates_carry_the_time_zone(client, world):
    article = world["article"]
    response = fetch(client, "/feeds/rss.xml")
    local = timezone.localtime(article.published_at).replace(microsecond=0)
    assert f"<pubDate>{local:%a, %d %b %Y %H:%M:%S} +0800</pubDate>".encode() in response.content
    entry = parse(response).entries[0]
    assert entry.published_parsed[:6] == article.published_at.utctimetuple()[:6]


def test_atom_entry_fields(client, world):
    article = world["article"]
    feed = parse(fetch(client, "/feeds/atom.xml"))
    assert feed.version == "atom10"
    entry = feed.entries[0]
    assert entry.id == f"urn:uuid:{article.guid}"
    assert entry.title == article.title
    assert entry.summary_detail.type == "text/plain"
    assert entry.summary == article.summary
    (content,) = entry.content
    assert content.type == "text/html"
    assert "36氪经授权发布" in content.value and "正文第一段" in content.value
    assert [author.name for author in entry.authors] == ["张三", "王五"]
    assert [tag.term for tag in entry.tags] == ["新媒体", "36kr", "资讯", "支付", "电商"]
    links = {link.rel: link.href for link in entry.links}
    assert links["alternate"] == SITE + article.get_absolute_url()
    assert links["via"] == "https://mp.weixin.qq.com/s/example"
    assert entry.media_content[0]["url"] == "https://img.example.com/head.jpg"
    published = datetime.fromisoformat(entry.published)
    updated = datetime.fromisoformat(entry.updated)
    assert published.utcoffset() == updated.utcoffset() == timedelta(hours=8)
    assert published == article.published_at.replace(microsecond=0)
    assert updated >= published


def test_json_feed_item_fields(client, world):
    article = world["article"]
    data = json.loads(fetch(client, "/feeds/feed.json").content)
    assert data["language"] == "zh-cn"
    assert data["home_page_url"] == SITE + "/"
    (item,) = data["items"]
    assert item["url"] == SITE + article.get_absolute_url()
    assert item["external_url"] == "https://mp.weixin.qq.com/s/example"
    assert item["title"] == article.title
    assert item["summary"] == article.summary
    assert "36氪经授权发布" in item["content_html"]
    assert item["image"] == "https://img.example.com/head.jpg"
    assert item["authors"] == [{"name": "张三"}, {"name": "王五"}]
    assert item["tags"] == ["新媒体", "36kr", "资讯", "支付", "电商"]
    published = datetime.fromisoformat(item["date_published"])
    assert published.utcoffset() == timedelta(hours=8)
    assert published == article.published_at.replace(microsecond=0)
    assert datetime.fromisoformat(item["date_modified"]) >= published


@pytest.mark.django_db
def test_item_author_falls_back_to_the_byline(client):
    author = make_author("36kr")
    make_article(roles={}, author=author)
    rss = parse(fetch(client, "/feeds/rss.xml")).entries[0]
    atom = parse(fetch(client, "/feeds/atom.xml")).entries[0]
    item = json.loads(fetch(client, "/feeds/feed.json").content)["items"][0]
    assert [a.name for a in rss.authors] == [a.name for a in atom.authors] == ["36kr"]
    assert atom.authors[0].href == SITE + author.get_absolute_url()
    assert item["authors"] == [{"name": "36kr", "url": SITE + author.get_absolute_url()}]


@pytest.mark.django_db
def test_item_without_outlet_has_no_source_or_via(client):
    make_article(roles={})  # no outlet, no original link, no people
    response = fetch(client, "/feeds/rss.xml")
    entry = parse(response).entries[0]
    assert "source" not in entry
    assert b"<source" not in response.content
    assert "本文来自" not in entry.content[0].value
    atom = parse(fetch(client, "/feeds/atom.xml")).entries[0]
    assert "via" not in {link.rel for link in atom.links}
    item = json.loads(fetch(client, "/feeds/feed.json").content)["items"][0]
    assert "external_url" not in item


@pytest.mark.django_db
def test_local_header_image_becomes_an_enclosure(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "headers").mkdir()
    (tmp_path / "headers" / "head.png").write_bytes(b"\x89PNG" + b"0" * 96)
    make_article(header_image=f"{SITE}/media/headers/head.png")
    response = fetch(client, "/feeds/rss.xml")
    entry = parse(response).entries[0]
    (enclosure,) = entry.enclosures
    assert enclosure == {
        "href": f"{SITE}/media/headers/head.png",
        "length": "100",
        "type": "image/png",
    }
    assert b"media:content" not in response.content
    atom = fetch(client, "/feeds/atom.xml")
    (link,) = [link for link in parse(atom).entries[0].links if link.rel == "enclosure"]
    assert (link.href, link.length, link.type) == (enclosure.href, "100", "image/png")
    assert b"media:content" not in atom.content


def test_title_with_markup_characters_round_trips(client, world):
    article = world["article"]
    article.title = TRICKY_TITLE
    article.summary = "摘要里有 <b>标签</b> & “引号” 😀"
    article.save()
    rss = parse(fetch(client, "/feeds/rss.xml")).entries[0]
    atom = parse(fetch(client, "/feeds/atom.xml")).entries[0]
    item = json.loads(fetch(client, "/feeds/feed.json").content)["items"][0]
    assert rss.title == atom.title == item["title"] == TRICKY_TITLE
    assert html.unescape(rss.summary) == atom.summary == item["summary"] == article.summary


@pytest.mark.django_db
def test_control_characters_are_dropped_instead_of_breaking_the_feed(client):
    # (no NUL: PostgreSQL refuses it in text, and the importer strips it before storing)
    make_article("坏\x0b字\x1b符", summary="摘\x1f要", body="<p>正\x08文</p>")
    for fmt in XML_FORMATS:
        entry = parse(fetch(client, f"/feeds/{fmt}.xml")).entries[0]
        assert entry.title == "坏字符"
        assert "文</p>" in entry.content[0].value
    item = json.loads(fetch(client, "/feeds/feed.json").content)["items"][0]
    assert (item["title"], item["summary"]) == ("坏字符", "摘要")


@pytest.mark.django_db
def test_json_item_without_body_or_credit_keeps_content_html(client):
    make_article(body="", roles={})
    item = json.loads(fetch(client, "/feeds/feed.json").content)["items"][0]
    assert item["content_html"] == ""


def test_item_ids_survive_title_and_slug_changes(client, world):
    article = world["article"]
    before = parse(fetch(client, "/feeds/atom.xml")).entries[0]
    article.title = "新标题"
    article.slug = "xin-biao-ti"
    article.save()
    after = parse(fetch(client, "/feeds/atom.xml")).entries[0]
    assert after.title == "新标题"
    assert after.link != before.link
    assert after.id == before.id == article.guid.urn
    rss = parse(fetch(client, "/feeds/rss.xml")).entries[0]
    assert rss.id == article.guid.urn


def test_flagged_mentions_stay_plain_text(client, world):
    article = world["article"]
    mention = article.mentions.get()
    mention.verdict = Mention.Verdict.FLAGGED
    mention.save()
    rerender(article)
    content = parse(fetch(client, "/feeds/rss.xml")).entries[0].content[0].value
    assert "/entity/" not in content
    assert "提到淘宝。" in content


# What is listed --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_feed_lists_only_published_articles_newest_first(client, settings):
    settings.NEWSROOM_FEED_ITEMS = 3
    now = timezone.now()
    for i in range(4):
        make_article(f"已发布{i}", published_at=now - timedelta(days=i))
    make_article("草稿", published=False)
    make_article("定时", published_at=now + timedelta(hours=1))
    for fmt in XML_FORMATS:
        titles = [entry.title for entry in parse(fetch(client, f"/feeds/{fmt}.xml")).entries]
        assert titles == ["已发布0", "已发布1", "已发布2"]
    data = json.loads(fetch(client, "/feeds/feed.json").content)
    assert [item["title"] for item in data["items"]] == ["已发布0", "已发布1", "已发布2"]


@pytest.mark.django_db
def test_scheduled_article_appears_when_its_time_comes(client):
    make_article("早先")
    scheduled = make_article("定时发布", published_at=timezone.now() + timedelta(hours=1))
    titles = [e.title for e in parse(fetch(client, "/feeds/rss.xml")).entries]
    assert titles == ["早先"]
    later = timezone.now() + timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        # No job runs and nothing is saved: the cached feed expires at the scheduled time.
        titles = [e.title for e in parse(fetch(client, "/feeds/rss.xml")).entries]
    assert titles == [scheduled.title, "早先"]


def test_category_feed_includes_sub_categories_only(client, world):
    sibling = make_category("新媒体", "虎嗅")
    make_article("兄弟分类", category=sibling)
    make_article("别的根分类", category=make_category("科技"))
    titles = {e.title for e in parse(fetch(client, feed_path(world, "category", "rss"))).entries}
    assert titles == {world["article"].title, "兄弟分类"}
    leaf = world["article"].category
    leaf_feed = parse(fetch(client, f"/feeds/category/{leaf.path}/rss.xml"))
    assert {e.title for e in leaf_feed.entries} == {world["article"].title}
    assert leaf_feed.feed.title.endswith("分类：新媒体 › 36kr › 资讯")
    assert leaf_feed.feed.link == SITE + leaf.get_absolute_url()


def test_entity_feed_lists_linked_mentions_of_it_and_its_merged_ids(client, world):
    canonical = world["entity"]
    merged = make_entity("淘宝（旧 ID）", merged_into=canonical)
    via_merged = make_article("旧 ID 提及", entities=(merged,))
    flagged = make_article("存疑提及", entities=(canonical,))
    flagged.mentions.update(verdict=Mention.Verdict.FLAGGED)
    titles = {e.title for e in parse(fetch(client, feed_path(world, "entity", "atom"))).entries}
    assert titles == {world["article"].title, via_merged.title}


def test_merged_entity_feed_redirects_to_the_canonical_one(client, world):
    canonical = world["entity"]
    merged = make_entity("淘宝（旧 ID）", merged_into=canonical)
    for fmt, filename in (("rss", "rss.xml"), ("atom", "atom.xml"), ("json", "feed.json")):
        response = fetch(client, f"/feeds/entity/{merged.slug}/{filename}")
        assert response.status_code == 301
        assert response["Location"] == reverse(
            f"articles:entity-feed-{fmt}", kwargs={"slug": canonical.slug}
        )


def test_never_link_entity_has_no_feed(client, world, plain_static):
    entity = world["entity"]
    entity.is_never_link = True
    entity.save()
    assert fetch(client, feed_path(world, "entity", "rss")).status_code == 404


# Caching and conditional GET -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_conditional_get_returns_304(client, world, fmt):
    url = feed_path(world, "site", fmt)
    first = fetch(client, url)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag and last_modified
    assert fetch(client, url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert fetch(client, url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    both = fetch(client, url, HTTP_IF_NONE_MATCH=etag, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert both.status_code == 304


@pytest.mark.parametrize("kind", KINDS)
def test_every_feed_has_validators(client, world, kind):
    for fmt in ("rss", "atom", "json"):
        response = fetch(client, feed_path(world, kind, fmt))
        assert response["ETag"] and response["Last-Modified"]
        assert "public" in response["Cache-Control"]


def test_feed_cache_is_invalidated_when_an_article_changes(client, world):
    article = world["article"]
    first = fetch(client, "/feeds/rss.xml")
    assert fetch(client, "/feeds/rss.xml").content == first.content  # served from the cache
    article.title = "编辑改过的标题"
    article.save()
    second = fetch(client, "/feeds/rss.xml", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert parse(second).entries[0].title == "编辑改过的标题"


def test_feed_changes_when_the_outlet_is_renamed(client, world):
    fetch(client, "/feeds/rss.xml")
    source = world["source"]
    source.name = "IT之家（新）"
    source.save()
    entry = parse(fetch(client, "/feeds/rss.xml")).entries[0]
    assert entry.source.title == "IT之家（新）"


# Query counts ----------------------------------------------------------------------------------

# articles + tags, plus the object for its own feed (the next change by the clock is looked up
# once per content version, before measuring).
EXPECTED_QUERIES = {"site": 2, "category": 3, "tag": 3, "entity": 3, "source": 3, "author": 3}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_feed_query_count_is_constant(client, django_assert_num_queries, kind):
    source, author = make_source("IT之家"), make_author("36kr")
    category = make_category("新媒体", "36kr")
    entities = (make_entity("淘宝"), make_entity("微信"))

    def add_articles(count):
        for _ in range(count):
            n = Article.objects.count()
            make_article(
                source=source,
                category=category,
                author=author,
                entities=entities,
                tags=(f"标签{n}", f"标签{n}b", "共同"),
                header_image="https://img.example.com/x.jpg",
            )

    for total in (2, 6):  # N and 3N items, each with three tags and two entities
        add_articles(total - Article.objects.count())
        target = {
            "site": None,
            "category": category.parent,
            "tag": Tag.objects.get(name="共同"),
            "entity": entities[0],
            "source": source,
            "author": author,
        }[kind]
        for fmt in ("rss", "atom", "json"):
            cache.clear()
            content_state()
            # the database's content version; Atom's tombstones of articles taken down
            extra = version_queries() + (fmt == "atom")
            with django_assert_num_queries(EXPECTED_QUERIES[kind] + extra):
                response = fetch(client, feed_url(target, fmt))
            assert response.status_code == 200
            assert response.content.count(b"urn:uuid:") == total


# The corpus ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_corpus_article_in_the_rss_feed(client, data_dir: Path):
    path = data_dir / "重磅，淘宝将打通微信支付.md"
    result = Importer(publish=True).import_file(InputFile(path.name, data=path.read_bytes()))
    assert result.status == "created"
    article = Article.objects.get()
    response = fetch(client, "/feeds/rss.xml")
    entry = parse(response).entries[0]
    assert entry.title == "重磅，淘宝将打通微信支付"
    assert entry.id == article.guid.urn
    assert entry.published == "Mon, 28 Mar 2022 10:42:50 +0800"
    assert [a.name for a in entry.authors] == ["IT之家"]
    assert [t.term for t in entry.tags] == ["新媒体", "36kr", "资讯"]
    assert entry.source == {
        "href": "https://mp.weixin.qq.com/s/pJu0IogDJMcnCf7sPnB29Q",
        "title": "IT之家",
    }
    assert entry.media_content[0]["width"] == "820"
    content = entry.content[0].value
    assert (
        "本文来自微信公众号“" in content
        and "（ID：ithomenews），作者：IT之家，36氪经授权发布。" in content
    )
    # Flagged mentions (互联互通, 友帮, 宝商) are plain text; linked ones are absolute.
    assert "找朋友帮你付款" in content and "淘宝商品链接" in content
    for href in (urlsplit(part.split('"', 1)[0]) for part in content.split('href="')[1:]):
        assert href.scheme in ("http", "https"), href
