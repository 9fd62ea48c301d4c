"""Names used only by articles readers may not see stay unpublished: no page, feed, sitemap
entry or navigation link for a category, tag, entity, outlet or byline without a public article.
And a NUL byte in a slug, a category path or a search is refused, not a 500 (PostgreSQL)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import editorial
from articles.feeds import feed_url
from articles.models import Article
from tests.factories import make_article, make_author, make_category, make_entity, make_source
from tests.site_client import get

SECRET = "绝密"  # every hidden name contains it, so no page may show it
FORMATS = ("rss", "atom", "json")


def _hidden_article(state: str) -> Article:
    """An article with its own category tree, tag, entity, outlet and byline, not public."""
    article = make_article(
        f"{SECRET}文章",
        published=state != "draft",
        published_at=timezone.now() + timedelta(days=3) if state == "scheduled" else None,
        category=make_category(f"{SECRET}栏目", f"{SECRET}子栏目"),
        source=make_source(f"{SECRET}来源"),
        author=make_author(f"{SECRET}作者"),
        entities=(make_entity(f"{SECRET}公司"),),
        tags=(f"{SECRET}标签",),
    )
    if state == "taken-down":
        editorial.take_down([article.pk], reason="权利方要求")
    return article


def _targets(article: Article) -> dict:
    leaf = article.category
    return {
        "category-root": leaf.parent,
        "category-leaf": leaf,
        "tag": article.tags.get(),
        "entity": article.entities.get(),
        "source": article.attribution.source,
        "author": article.author,
    }


def _page_url(kind: str, obj) -> str:
    if kind == "tag":
        return reverse("articles:tag", kwargs={"slug": obj.slug})
    return obj.get_absolute_url()


def _assert_only_tombstones(response, article):
    # Its names were public until the takedown; readers of its Atom feed learn to drop it.
    assert response.status_code == 200
    atom = response.content.decode()
    assert f'<at:deleted-entry ref="{article.guid.urn}"' in atom
    assert "<entry>" not in atom and article.title not in atom


@pytest.fixture
def public(db):
    """A public article with a category, tag, entity, outlet and byline of its own."""
    return make_article(
        "公开文章",
        category=make_category("新媒体", "资讯"),
        source=make_source("IT之家"),
        author=make_author("36kr"),
        entities=(make_entity("淘宝"),),
        tags=("电商",),
    )


@pytest.mark.parametrize("state", ["draft", "scheduled", "taken-down"])
def test_taxonomy_of_hidden_articles_has_no_page_or_feed(client, public, state):
    article = _hidden_article(state)
    for kind, obj in _targets(article).items():
        response = get(client, _page_url(kind, obj))
        assert response.status_code == 404, (kind, response.status_code)
        assert SECRET not in response.content.decode(), kind
        for fmt in FORMATS:
            response = get(client, feed_url(obj, fmt))
            if state == "taken-down" and fmt == "atom":
                _assert_only_tombstones(response, article)
            else:
                assert response.status_code == 404, (kind, fmt, response.status_code)


def test_taxonomy_of_public_articles_has_pages_and_feeds(client, public):
    for kind, obj in _targets(public).items():
        assert get(client, _page_url(kind, obj)).status_code == 200, kind
        for fmt in FORMATS:
            assert get(client, feed_url(obj, fmt)).status_code == 200, (kind, fmt)


def test_hidden_names_are_in_no_navigation_or_sitemap(client, public):
    _hidden_article("draft")
    for url in ("/", "/archive/", public.get_absolute_url(), public.category.get_absolute_url()):
        response = get(client, url)
        assert response.status_code == 200
        assert SECRET not in response.content.decode(), url
    for section in ("categories", "tags", "entities", "sources", "authors"):
        response = get(client, reverse("sitemap-section", args=[section]))
        assert response.status_code == 200
        assert SECRET.encode() not in response.content, section
        assert b"<loc>" in response.content, section  # the public names are there


def test_parent_category_is_public_through_its_descendants(client, public):
    # 新媒体 has no article of its own; its child 资讯 has a public one.
    root = public.category.parent
    hidden = make_category("新媒体", f"{SECRET}频道")
    make_article("草稿", published=False, category=hidden)
    response = get(client, root.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert public.category.get_absolute_url() in html  # the public child's chip
    assert SECRET not in html  # the draft-only child has none
    sitemap = get(client, reverse("sitemap-section", args=["categories"])).content.decode()
    assert root.get_absolute_url() in sitemap


def test_merged_entity_of_a_hidden_canonical_does_not_redirect(client, public):
    canonical = _targets(_hidden_article("draft"))["entity"]
    merged = make_entity(f"{SECRET}旧名", merged_into=canonical)
    assert get(client, merged.get_absolute_url()).status_code == 404
    for fmt in FORMATS:
        own_feed = reverse(f"articles:entity-feed-{fmt}", kwargs={"slug": merged.slug})
        assert get(client, own_feed).status_code == 404


def test_entity_is_public_through_a_mention_of_its_merged_id(client, public):
    canonical = make_entity("阿里")
    merged = make_entity("阿里（旧 ID）", merged_into=canonical)
    make_article("旧 ID 提及", entities=(merged,))
    assert get(client, canonical.get_absolute_url()).status_code == 200
    assert get(client, merged.get_absolute_url()).status_code == 301
    assert get(client, feed_url(canonical, "rss")).status_code == 200


def test_publishing_and_taking_down_show_at_once(client, public):
    article = _hidden_article("draft")
    targets = _targets(article)
    home = get(client, "/")  # cached now, navigation included
    assert SECRET not in home.content.decode()
    editorial.publish_now([article.pk], editor="编辑")
    assert f"{SECRET}子栏目" in get(client, "/").content.decode()  # the nav follows the version
    for kind, obj in targets.items():
        assert get(client, _page_url(kind, obj)).status_code == 200, kind
        assert get(client, feed_url(obj, "atom")).status_code == 200, kind
    editorial.take_down([article.pk], reason="权利方要求")
    assert SECRET not in get(client, "/").content.decode()
    for kind, obj in targets.items():
        assert get(client, _page_url(kind, obj)).status_code == 404, kind
        assert get(client, feed_url(obj, "rss")).status_code == 404, kind
        _assert_only_tombstones(get(client, feed_url(obj, "atom")), article)


NUL_URLS = [
    "/search/?q=%00",
    "/search/?q=a%00b",
    "/tag/%00/",
    "/tag/a%00/",
    "/category/%00/",
    "/category/xin-mei-ti/%00/",
    "/entity/%00/",
    "/source/%00/",
    "/author/%00/",
    "/feeds/tag/%00/rss.xml",
    "/feeds/category/%00/atom.xml",
    "/feeds/entity/a%00/feed.json",
    "/feeds/source/%00/rss.xml",
    "/feeds/author/%00/rss.xml",
]


@pytest.mark.parametrize("url", NUL_URLS)
def test_nul_byte_in_a_url_is_refused(client, public, url):
    assert get(client, url).status_code in (400, 404)
