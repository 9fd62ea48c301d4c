"""Feed discovery: ``<link rel="alternate">`` in every page's head and the 订阅 RSS button."""

from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from taggit.models import Tag

from tests.factories import (
    make_article,
    make_author,
    make_category,
    make_entity,
    make_source,
)

SITE = settings.NEWSROOM_SITE_NAME
SITE_WIDE = [
    ("application/rss+xml", f"{SITE}（RSS）", "/feeds/rss.xml"),
    ("application/atom+xml", f"{SITE}（Atom）", "/feeds/atom.xml"),
    ("application/feed+json", f"{SITE}（JSON Feed）", "/feeds/feed.json"),
]


class _Tags(HTMLParser):
    def __init__(self, name):
        super().__init__()
        self.name, self.found = name, []

    def handle_starttag(self, tag, attrs):
        if tag == self.name:
            self.found.append(dict(attrs))


def tags(html: str, name: str) -> list[dict]:
    parser = _Tags(name)
    parser.feed(html)
    return parser.found


def alternates(html: str) -> list[tuple[str, str, str]]:
    return [
        (link["type"], link["title"], link["href"])
        for link in tags(html, "link")
        if link.get("rel") == "alternate"
    ]


def test_feed_links_for_home_are_the_site_wide_feeds():
    assert alternates(render_to_string("includes/feed_links.html", {})) == SITE_WIDE
    html = render_to_string("includes/feed_links.html", {"feed_object": None})
    assert alternates(html) == SITE_WIDE


@pytest.mark.django_db
def test_feed_links_for_a_category_come_first_then_the_site_wide_ones():
    category = make_category("新媒体", "36kr")
    html = render_to_string("includes/feed_links.html", {"feed_object": category})
    title = f"{SITE} · 分类：新媒体 › 36kr"
    assert alternates(html) == [
        ("application/rss+xml", f"{title}（RSS）", "/feeds/category/xin-mei-ti/36kr/rss.xml"),
        ("application/atom+xml", f"{title}（Atom）", "/feeds/category/xin-mei-ti/36kr/atom.xml"),
        (
            "application/feed+json",
            f"{title}（JSON Feed）",
            "/feeds/category/xin-mei-ti/36kr/feed.json",
        ),
        *SITE_WIDE,
    ]


@pytest.mark.django_db
def test_feed_links_for_tag_entity_source_and_author():
    article = make_article(tags=("人工智能",))
    tag = Tag.objects.get()
    entity = make_entity("淘宝")
    merged = make_entity("淘宝旧", merged_into=entity)
    source, author = make_source("IT之家"), make_author("36kr")
    expected = {
        tag: (f"{SITE} · 标签：人工智能", f"/feeds/tag/{quote(tag.slug)}/"),
        entity: (f"{SITE} · 淘宝", f"/feeds/entity/{entity.slug}/"),
        merged: (f"{SITE} · 淘宝旧", f"/feeds/entity/{entity.slug}/"),  # the canonical feed
        source: (f"{SITE} · 来源：IT之家", f"/feeds/source/{source.slug}/"),
        author: (f"{SITE} · 作者：36kr", f"/feeds/author/{author.slug}/"),
    }
    for obj, (title, prefix) in expected.items():
        links = alternates(render_to_string("includes/feed_links.html", {"feed_object": obj}))
        assert links == [
            ("application/rss+xml", f"{title}（RSS）", f"{prefix}rss.xml"),
            ("application/atom+xml", f"{title}（Atom）", f"{prefix}atom.xml"),
            ("application/feed+json", f"{title}（JSON Feed）", f"{prefix}feed.json"),
            *SITE_WIDE,
        ]
    # Anything else has no feeds of its own: the site-wide ones only.
    html = render_to_string("includes/feed_links.html", {"feed_object": article})
    assert alternates(html) == SITE_WIDE


def test_feed_link_titles_are_escaped(settings):
    settings.NEWSROOM_SITE_NAME = 'A & B "站"'
    html = render_to_string("includes/feed_links.html", {})
    assert "&amp;" in html and "&quot;" in html
    assert alternates(html)[0][1] == 'A & B "站"（RSS）'


def test_feed_button_links_the_site_rss_feed():
    (link,) = tags(render_to_string("includes/feed_button.html", {}), "a")
    assert link["href"] == "/feeds/rss.xml"
    assert link["type"] == "application/rss+xml"
    html = render_to_string("includes/feed_button.html", {})
    assert "订阅 RSS" in html


@pytest.mark.django_db
def test_feed_button_links_the_page_objects_rss_feed():
    category = make_category("新媒体", "36kr")
    html = render_to_string("includes/feed_button.html", {"feed_object": category})
    (link,) = tags(html, "a")
    assert link["href"] == "/feeds/category/xin-mei-ti/36kr/rss.xml"
    assert link["title"] == f"{SITE} · 分类：新媒体 › 36kr（RSS）"


@pytest.mark.django_db
def test_every_list_page_advertises_feeds_that_work(client, settings):
    # Pages link static files, and no manifest is built for tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    source, author, entity = make_source("IT之家"), make_author("36kr"), make_entity("淘宝")
    category = make_category("新媒体", "36kr")
    make_article(
        source=source, author=author, category=category, entities=(entity,), tags=("支付",)
    )
    pages = [
        "/",
        category.get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": Tag.objects.get().slug}),
        entity.get_absolute_url(),
        source.get_absolute_url(),
        author.get_absolute_url(),
    ]
    for page in pages:
        response = client.get(page, secure=True)
        assert response.status_code == 200, page
        html = response.content.decode()
        links = alternates(html)
        assert links[-3:] == SITE_WIDE
        assert len(links) == (3 if page == "/" else 6)
        (button,) = [a for a in tags(html, "a") if a.get("class") == "feed-button"]
        assert button["href"] == links[0][2]
        for media_type, _, href in links:
            feed = client.get(href, secure=True)
            assert feed.status_code == 200, href
            assert feed["Content-Type"] == f"{media_type}; charset=utf-8"
            assert feed.content.count(b"urn:uuid:") == 1
