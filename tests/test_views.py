"""The reading site's pages: status, template, content, redirects and query counts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import editorial, listing, versioned
from articles.caching import content_state
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
from tests.site_client import get, soup


def template_names(response) -> list[str]:
    return [t.name for t in response.templates]


@pytest.fixture
def world(db):
    """A small site: a category tree, an outlet, a byline, two entities and two tags."""
    leaf = make_category("新媒体", "36kr", "资讯")
    world = {
        "leaf": leaf,
        "root": leaf.parent.parent,
        "source": make_source("IT之家", account_id="ithomenews"),
        "author": make_author("36kr"),
        "entities": (make_entity("淘宝"), make_entity("微信")),
        "tags": ("支付", "电商"),
    }
    return world


def add_articles(world, n: int, **kwargs) -> list[Article]:
    kwargs.setdefault("category", world["leaf"])
    kwargs.setdefault("source", world["source"])
    kwargs.setdefault("author", world["author"])
    kwargs.setdefault("entities", world["entities"])
    kwargs.setdefault("tags", world["tags"])
    kwargs.setdefault("roles", {"作者": ["张三"], "编辑": ["李四"]})
    return [make_article(**kwargs) for _ in range(n)]


# Query counts: the same for a few articles and for three times as many.

# Uncached (first request for the page under this content version), after the content version
# is read (``version_queries``). The navigation's categories are read once per content version
# in each process (articles.versioned), like the next change by the clock: not counted here.
PAGES = {
    # name: (url builder, queries)
    "home": (lambda w: reverse("articles:home"), 2),
    "home-page-2": (lambda w: reverse("articles:home") + "?page=2", 2),
    # article, tags, mentions, related candidates, related ranked
    "article": (lambda w: w["first"].get_absolute_url(), 5),
    "category-root": (lambda w: w["root"].get_absolute_url(), 4),
    "category-leaf": (lambda w: w["leaf"].get_absolute_url(), 3),
    # tag, its articles' ids (see articles/listing.py), list, tags of the list
    "tag": (lambda w: reverse("articles:tag", args=[Tag.objects.get(name="支付").slug]), 4),
    # entity, its merged duplicates, ids, list, tags
    "entity": (lambda w: w["entities"][0].get_absolute_url(), 5),
    "source": (lambda w: w["source"].get_absolute_url(), 4),
    "author": (lambda w: w["author"].get_absolute_url(), 3),
    "archive": (lambda w: reverse("articles:archive"), 1),
    "archive-year": (lambda w: reverse("articles:archive-year", args=[w["year"]]), 2),
    "archive-month": (lambda w: reverse("articles:archive-month", args=w["month"]), 2),
    "search": (lambda w: reverse("articles:search") + "?q=文章", 2),
    "sitemap": (lambda w: reverse("sitemap"), 7),
    "sitemap-articles": (lambda w: reverse("sitemap-section", args=["articles"]), 2),
    "sitemap-entities": (lambda w: reverse("sitemap-section", args=["entities"]), 2),
    "sitemap-pages": (lambda w: reverse("sitemap-section", args=["pages"]), 0),
    # the shown categories (the whole tree, one query)
    "sitemap-categories": (lambda w: reverse("sitemap-section", args=["categories"]), 1),
    # the paginator's count, then the page
    "sitemap-tags": (lambda w: reverse("sitemap-section", args=["tags"]), 2),
    "sitemap-sources": (lambda w: reverse("sitemap-section", args=["sources"]), 2),
    "sitemap-authors": (lambda w: reverse("sitemap-section", args=["authors"]), 2),
    # the articles AI crawlers may and may not fetch
    "robots": (lambda w: reverse("robots"), 2),
}


def measure(client, url) -> tuple[int, list[str]]:
    """Queries of one uncached anonymous request, after process-wide caches are warm."""
    get(client, url + ("&" if "?" in url else "?") + "warm=1")
    content_state()  # the scheduled-publication lookup happens once per content change
    with CaptureQueriesContext(connection) as queries:
        response = get(client, url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), [q["sql"] for q in queries.captured_queries]


# Lists are fetched either by id (a few articles) or through the date index (many): both ways.
CASES = [(name, 500) for name in PAGES] + [(name, 5) for name in ("tag", "entity", "source")]


@pytest.mark.parametrize(("name", "few"), CASES, ids=[f"{n}-few{f}" for n, f in CASES])
def test_page_query_count_is_constant(
    client, world, django_assert_num_queries, monkeypatch, name, few
):
    monkeypatch.setattr(listing, "FEW", few)
    url_for, expected = PAGES[name]
    expected += version_queries()
    # Same instant for all, so archive pages list them all; 25+ fill two pages of 20.
    when = timezone.now() - timedelta(days=1)
    articles = add_articles(world, 22, published_at=when)
    world["first"] = articles[0]
    local = timezone.localtime(when)
    world.update(year=local.year, month=[local.year, local.month])
    small, sql = measure(client, url_for(world))
    add_articles(world, 44, published_at=when)
    large, _ = measure(client, url_for(world))
    assert small == large, f"{name}: {small} queries with 22 articles, {large} with 66"
    assert small == expected, "\n".join(sql)
    url = url_for(world)
    with django_assert_num_queries(expected):
        get(client, url + ("&" if "?" in url else "?") + "pinned=1")


def test_article_query_count_ignores_entities_and_tags(client, world, django_assert_num_queries):
    entities = [make_entity() for _ in range(12)]
    few = add_articles(world, 1, entities=tuple(entities[:2]), tags=("一",))[0]
    many = add_articles(world, 1, entities=tuple(entities), tags=tuple("一二三四五六七八"))[0]
    add_articles(world, 6, entities=tuple(entities[:3]), tags=("一", "二"))
    assert measure(client, few.get_absolute_url())[0] == 5 + version_queries()
    assert measure(client, many.get_absolute_url())[0] == 5 + version_queries()


def test_article_without_shared_items_fills_related_from_category(client, world):
    lonely = add_articles(world, 1, entities=(), tags=())[0]
    add_articles(world, 3, entities=(), tags=())
    # article, tags, mentions, related from the category (nothing to share).
    assert measure(client, lonely.get_absolute_url())[0] == 4 + version_queries()
    page = soup(get(client, lonely.get_absolute_url()))
    assert len(page.select(".related .card")) == 3


def test_lists_never_load_bodies(client, world):
    add_articles(world, 3)
    for url in (reverse("articles:home"), world["leaf"].get_absolute_url()):
        _, sql = measure(client, url)
        article_queries = [q for q in sql if 'FROM "articles_article"' in q]
        assert article_queries
        assert not any('"body_html"' in q or '"raw"' in q for q in article_queries), url


# Pages, templates and content


def test_home_lists_latest_published_articles(client, world):
    old, new = add_articles(world, 2)
    make_article("草稿文章", published=False)
    make_article("定时文章", published_at=timezone.now() + timedelta(days=1))
    response = get(client, reverse("articles:home"))
    assert response.status_code == 200
    assert "articles/home.html" in template_names(response)
    titles = [a.get_text(strip=True) for a in soup(response).select(".card-title a")]
    assert titles == [old.title, new.title]  # newest first (factories publish older ones later)
    assert response.context["feed_object"] is None
    html = response.content.decode()
    assert 'lang="zh-CN"' in html and 'href="#main"' in html


def test_home_paginates_without_counting(client, world):
    add_articles(world, 25)
    first = get(client, reverse("articles:home"))
    assert len(soup(first).select(".card")) == 20
    assert soup(first).select_one('a[rel="next"]')["href"] == "/?page=2"
    second = get(client, reverse("articles:home") + "?page=2")
    assert len(soup(second).select(".card")) == 5
    assert soup(second).select_one('a[rel="prev"]')["href"] == "/"
    assert not soup(second).select('a[rel="next"]')
    assert get(client, "/?page=3").status_code == 404
    assert get(client, "/?page=abc").status_code == 404
    assert get(client, "/?page=0").status_code == 404


def test_article_page_shows_everything(client, world):
    article = add_articles(
        world,
        1,
        title="淘宝将打通微信支付",
        summary="一段与正文不同的摘要。",
        header_image="https://img.example.com/head.jpg",
        header_image_width=1200,
        header_image_height=600,
    )[0]
    response = get(client, article.get_absolute_url())
    assert response.status_code == 200
    assert "articles/detail.html" in template_names(response)
    page = soup(response)
    assert page.h1.get_text(strip=True) == "淘宝将打通微信支付"
    time = page.select_one(".article-meta time")
    assert time["datetime"] == timezone.localtime(article.published_at).isoformat()
    assert time["datetime"].endswith("+08:00")  # Asia/Shanghai
    hero = page.select_one(".article-hero img")
    assert (hero["width"], hero["height"]) == ("1200", "600")
    assert hero["referrerpolicy"] == "no-referrer"
    assert page.select_one(".article-dek").get_text() == "一段与正文不同的摘要。"
    assert [a.get_text() for a in page.select(".breadcrumbs a")] == [
        "首页",
        "新媒体",
        "36kr",
        "资讯",
    ]
    assert {a.get_text() for a in page.select(".chip-list a")} == {"#支付", "#电商"}
    names = [span.get_text() for span in page.select(".entity-chip > span:last-child")]
    assert names == ["淘宝", "微信"]
    assert response.context["feed_object"] is None


def test_article_attribution_block(client, world):
    article = add_articles(world, 1, roles={"编辑": ["李四"], "作者": ["张三", "王五"]})[0]
    block = soup(get(client, article.get_absolute_url())).select_one("aside.attribution")
    text = block.get_text(" ", strip=True)
    assert "IT之家" in text and "微信公众号" in text and "ithomenews" in text
    assert "经授权发布" in text
    rows = [
        (row.dt.get_text(), row.dd.get_text(strip=True)) for row in block.select(".attribution-row")
    ]
    assert rows[1:3] == [("作者", "张三、王五"), ("编辑", "李四")]  # 作者 first, whatever jsonb did
    assert block.select_one(".attribution-original")["href"] == "https://mp.weixin.qq.com/s/example"
    assert block.select_one('a[href="/source/{}/"]'.format(world["source"].slug))


def test_article_without_attribution_still_credits(client, db):
    article = make_article("无来源文章")
    article.attribution.delete()
    response = get(client, Article.objects.get(pk=article.pk).get_absolute_url())
    assert response.status_code == 200
    assert "未注明" in soup(response).select_one("aside.attribution").get_text()


def test_flagged_mentions_are_plain_text(client, world):
    linked, flagged = make_entity("腾讯"), make_entity("得到")
    article = add_articles(world, 1, entities=(linked, flagged))[0]
    Mention.objects.filter(article=article, entity=flagged).update(
        verdict=Mention.Verdict.FLAGGED, reason="常用词"
    )
    rerender(article)
    page = soup(get(client, article.get_absolute_url()))
    body_links = [a.get_text() for a in page.select(".article-body a.entity-link")]
    assert "得到" not in body_links and "腾讯" in body_links
    assert "得到" in page.select_one(".article-body").get_text()
    assert "得到" not in [s.get_text() for s in page.select(".entity-chip > span:last-child")]


def test_drafts_and_scheduled_articles_are_not_public(client, world):
    draft = add_articles(world, 1, published=False)[0]
    scheduled = add_articles(world, 1, published_at=timezone.now() + timedelta(hours=1))[0]
    for article in (draft, scheduled):
        assert get(client, article.get_absolute_url()).status_code == 404
        assert get(client, reverse("articles:detail-short", args=[article.pk])).status_code == 404
    assert draft.title not in get(client, reverse("articles:home")).content.decode()


def test_old_slug_and_short_url_redirect_permanently(client, world):
    article = add_articles(world, 1)[0]
    old_url = article.get_absolute_url()
    article.slug = "new-slug"
    article.save()
    response = get(client, old_url)
    assert response.status_code == 301
    assert response["Location"] == f"/a/{article.pk}/new-slug/"
    short = get(client, reverse("articles:detail-short", args=[article.pk]))
    assert (short.status_code, short["Location"]) == (301, f"/a/{article.pk}/new-slug/")
    garbled = get(client, f"/a/{article.pk}/%E4%B8%AD%E6%96%87/")
    assert (garbled.status_code, garbled["Location"]) == (301, f"/a/{article.pk}/new-slug/")


def test_preview_needs_the_article_view_permission_is_noindex_and_never_cached(client, world):
    draft = add_articles(world, 1, published=False, title="还没发布的草稿")[0]
    url = reverse("articles:preview", args=[draft.pk])
    anonymous = get(client, url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    reader = get_user_model().objects.create_user("reader", password="x")
    client.force_login(reader)
    assert get(client, url).status_code == 302
    staff = get_user_model().objects.create_user("editor", password="x", is_staff=True)
    client.force_login(staff)
    assert get(client, url).status_code == 403  # staff, but may not see articles
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(get_user_model().objects.get(pk=staff.pk))  # permissions are cached
    response = get(client, url)
    assert response.status_code == 200
    assert "还没发布的草稿" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    page = soup(response)
    assert page.select_one('meta[name="robots"]')["content"] == "noindex, nofollow"
    assert page.select_one(".preview-banner")
    # A staff member still gets 404 for the draft at its public URL.
    assert get(client, draft.get_absolute_url()).status_code == 404


def test_category_page_includes_subcategories(client, world):
    in_leaf = add_articles(world, 1, title="资讯文章")[0]
    flash = make_category("新媒体", "36kr", "快讯")
    in_flash = add_articles(world, 1, title="快讯文章", category=flash)[0]
    elsewhere = add_articles(world, 1, title="别处文章", category=make_category("其他"))[0]
    response = get(client, world["root"].get_absolute_url())
    assert "articles/category.html" in template_names(response)
    html = response.content.decode()
    assert in_leaf.title in html and in_flash.title in html and elsewhere.title not in html
    assert response.context["feed_object"] == world["root"]
    middle = get(client, world["leaf"].parent.get_absolute_url())
    children = [a.get_text() for a in soup(middle).select(".subnav a")]
    assert children == ["快讯", "资讯"]
    leaf = get(client, flash.get_absolute_url())
    assert in_flash.title in leaf.content.decode() and in_leaf.title not in leaf.content.decode()
    assert get(client, "/category/no/such/path/").status_code == 404


def test_tag_page(client, world):
    tagged = add_articles(world, 1, tags=("芯片",))[0]
    add_articles(world, 1, title="无关文章", tags=("别的",))
    tag = Tag.objects.get(name="芯片")
    response = get(client, reverse("articles:tag", args=[tag.slug]))
    assert "articles/tag.html" in template_names(response)
    assert response.context["feed_object"] == tag
    assert tagged.title in response.content.decode()
    assert "无关文章" not in response.content.decode()
    assert get(client, reverse("articles:tag", args=["nope"])).status_code == 404


def test_entity_page_and_merged_entity_redirect(client, world):
    jd = make_entity("京东", logo_url="https://img.example.com/jd.png")
    alias = make_entity("京东商城", merged_into=jd)
    mentions_jd = add_articles(world, 1, title="提到京东", entities=(jd,))[0]
    mentions_alias = add_articles(world, 1, title="提到京东商城", entities=(alias,))[0]
    add_articles(world, 1, title="没提到", entities=())
    response = get(client, jd.get_absolute_url())
    assert "articles/entity.html" in template_names(response)
    assert response.context["feed_object"] == jd
    html = response.content.decode()
    assert mentions_jd.title in html and mentions_alias.title in html and "没提到" not in html
    logo = soup(response).select_one(".profile-logo")
    assert logo["referrerpolicy"] == "no-referrer" and logo["width"] and logo["height"]
    redirect = get(client, alias.get_absolute_url())
    assert (redirect.status_code, redirect["Location"]) == (301, jd.get_absolute_url())


def test_entity_page_lists_linked_mentions_only(client, world):
    entity = make_entity("一起")
    article = add_articles(world, 1, title="一起去吃饭", entities=(entity,))[0]
    Mention.objects.filter(article=article).update(verdict=Mention.Verdict.FLAGGED)
    assert "一起去吃饭" not in get(client, entity.get_absolute_url()).content.decode()
    entity.is_never_link = True
    entity.save()
    assert get(client, entity.get_absolute_url()).status_code == 404


def test_source_page(client, world):
    article = add_articles(world, 1)[0]
    add_articles(world, 1, title="别家文章", source=make_source("少数派"))
    response = get(client, world["source"].get_absolute_url())
    assert "articles/source.html" in template_names(response)
    assert response.context["feed_object"] == world["source"]
    text = soup(response).get_text()
    assert "IT之家" in text and "ithomenews" in text and "微信公众号" in text
    assert article.title in text and "别家文章" not in text


def test_author_page(client, world):
    article = add_articles(world, 1)[0]
    add_articles(world, 1, title="别人的文章", author=make_author("别人"))
    response = get(client, world["author"].get_absolute_url())
    assert "articles/author.html" in template_names(response)
    assert response.context["feed_object"] == world["author"]
    assert article.title in response.content.decode()
    assert "别人的文章" not in response.content.decode()


def test_archive_uses_shanghai_time(client, world):
    # 2022-06-30 16:30 UTC is 2022-07-01 00:30 in Shanghai: a July article.
    article = add_articles(world, 1, published_at=datetime(2022, 6, 30, 16, 30, tzinfo=UTC))[0]
    june = get(client, reverse("articles:archive-month", args=[2022, 6]))
    july = get(client, reverse("articles:archive-month", args=[2022, 7]))
    assert "articles/archive.html" in template_names(july)
    assert article.title not in june.content.decode()
    assert article.title in july.content.decode()
    assert (
        article.title in get(client, reverse("articles:archive-year", args=[2022])).content.decode()
    )
    index = soup(get(client, reverse("articles:archive")))
    assert [a.get_text(" ", strip=True) for a in index.select(".archive-months a")] == ["7 月 1 篇"]
    assert get(client, "/archive/2022/13/").status_code == 404
    assert get(client, "/archive/12/").status_code == 404


def test_search_title_and_summary(client, world):
    by_title = add_articles(world, 1, title="苹果发布新款芯片")[0]
    by_summary = add_articles(world, 1, title="另一篇", summary="谈到了芯片的产能")[0]
    add_articles(world, 1, title="正文里才有", body="<p>芯片</p>")
    add_articles(world, 1, title="芯片草稿", published=False)
    response = get(client, reverse("articles:search"), data={"q": " 芯片 "})
    assert "articles/search.html" in template_names(response)
    titles = [a.get_text() for a in soup(response).select(".card-title a")]
    assert set(titles) == {by_title.title, by_summary.title}
    assert soup(response).select_one('meta[name="robots"]')["content"].startswith("noindex")
    both = get(client, reverse("articles:search"), data={"q": "芯片 苹果"})
    assert [a.get_text() for a in soup(both).select(".card-title a")] == [by_title.title]
    for hostile in ("%", "_", "'; DROP TABLE", "<script>", "x" * 500):
        assert get(client, reverse("articles:search"), data={"q": hostile}).status_code == 200
    empty = get(client, reverse("articles:search"))
    assert empty.status_code == 200 and not soup(empty).select(".card")


def test_404_and_500_pages_in_site_look(client, db, settings):
    response = get(client, "/no/such/page/")
    assert response.status_code == 404
    assert "404.html" in template_names(response)
    assert settings.NEWSROOM_SITE_NAME in response.content.decode()
    from django.test import RequestFactory

    from articles.views import server_error

    error = server_error(RequestFactory().get("/"))
    assert error.status_code == 500
    assert "服务器出了点问题" in error.content.decode()
    assert settings.NEWSROOM_SITE_NAME in error.content.decode()


def test_images_keep_dimensions_and_referrer_policy(client, world):
    body = (
        '<p class="image-wrapper"><img data-img-size-val="820,400" '
        'src="https://img.example.com/a.png"></p><p>文字</p>'
    )
    article = add_articles(world, 1, header_image="https://img.example.com/h.png")[0]
    article.body = body
    rerender(article, links=[])
    add_articles(world, 2, thumbnail="https://img.example.com/t.png")
    for url in (article.get_absolute_url(), reverse("articles:home")):
        for img in soup(get(client, url)).select("main img"):
            assert img.get("width") and img.get("height"), (url, img)
            assert img.has_attr("alt")
            if img["src"].startswith("http"):
                assert img["referrerpolicy"] == "no-referrer", (url, img)


def test_list_page_feed_hooks(client, world):
    add_articles(world, 1)
    for obj in (world["root"], world["source"], world["author"], world["entities"][0]):
        response = get(client, obj.get_absolute_url())
        assert response.context["feed_object"] == obj
        assert "includes/feed_button.html" in template_names(response)
        assert "includes/feed_links.html" in template_names(response)


def test_related_articles_rank_by_shared_items(client, world):
    e1, e2, e3 = (make_entity() for _ in range(3))
    most = add_articles(world, 1, title="三个都有", entities=(e1, e2, e3), tags=())[0]
    one = add_articles(world, 1, title="只有一个", entities=(e1,), tags=())[0]
    tagged = add_articles(world, 1, title="同标签", entities=(), tags=("芯片",))[0]
    filler = add_articles(world, 1, title="同分类", entities=(), tags=())[0]
    add_articles(world, 1, title="草稿也有", entities=(e1, e2, e3), published=False)
    article = add_articles(world, 1, title="本文", entities=(e1, e2, e3), tags=("芯片",))[0]
    page = soup(get(client, article.get_absolute_url()))
    titles = [a.get_text() for a in page.select(".related .card-title a")]
    # Most shared first; equal scores newest first (factories publish later ones earlier).
    assert titles == [most.title, one.title, tagged.title, filler.title]


def test_category_tree_pages_merge_subcategories_in_date_order(client, world):
    flash = make_category("新媒体", "36kr", "快讯")
    articles = [
        add_articles(world, 1, title=f"文章{i:02d}", category=flash if i % 3 else world["leaf"])[0]
        for i in range(45)
    ]
    make_article("草稿", category=flash, published=False)
    expected = [a.title for a in sorted(articles, key=lambda a: a.published_at, reverse=True)]
    root = world["root"].get_absolute_url()
    seen = []
    for page in (1, 2, 3):
        response = get(client, root + (f"?page={page}" if page > 1 else ""))
        seen += [a.get_text() for a in soup(response).select(".card-title a")]
    assert seen == expected
    assert get(client, root + "?page=4").status_code == 404


@pytest.mark.parametrize("kind", ["tag", "entity", "source"])
def test_list_is_the_same_whether_fetched_by_ids_or_by_date_index(client, world, monkeypatch, kind):
    add_articles(world, 25)
    add_articles(world, 3, published=False)
    other = make_source("别家")
    add_articles(world, 4, source=other, entities=(), tags=("别的",))
    url = {
        "tag": reverse("articles:tag", args=[Tag.objects.get(name="支付").slug]),
        "entity": world["entities"][0].get_absolute_url(),
        "source": world["source"].get_absolute_url(),
    }[kind]

    def titles():
        from django.core.cache import cache

        cache.clear()
        pages = [get(client, url), get(client, url + "?page=2")]
        return [[a.get_text() for a in soup(p).select(".card-title a")] for p in pages]

    by_ids = titles()
    monkeypatch.setattr(listing, "FEW", 10)
    by_date_index = titles()
    assert by_ids == by_date_index
    assert [len(page) for page in by_ids] == [20, 5]


def test_local_copies_of_images_are_used_when_present(client, world):
    remote = "https://img.example.com/head.jpg"
    picture = {
        "remote": remote,
        "src": "/media/images/ab/head-960w.jpg",
        "srcset": "/media/images/ab/head-480w.jpg 480w, /media/images/ab/head-960w.jpg 960w",
        "webp_srcset": "/media/images/ab/head-480w.webp 480w",
        "sizes": "(max-width: 56rem) 100vw, 56rem",
        "width": 1600,
        "height": 800,
        "type": "image/jpeg",
        "large": "/media/images/ab/head-1600w.jpg",
        "large_width": 1600,
        "large_height": 800,
        "animated": False,
    }
    article = add_articles(world, 1, header_image=remote)[0]
    if not hasattr(article, "local_pictures"):
        pytest.skip("no local image copies in this checkout")
    article.local_pictures = {"header": picture}
    article.save()
    page = soup(get(client, article.get_absolute_url()))
    hero = page.select_one(".article-hero picture")
    assert hero.source["type"] == "image/webp"
    img = hero.img
    assert img["src"] == picture["src"] and "480w" in img["srcset"]
    assert (img["width"], img["height"]) == ("1600", "800")
    assert not img.has_attr("referrerpolicy")  # ours, not hotlinked
    og_image = page.select_one('meta[property="og:image"]')["content"]
    assert og_image == settings.NEWSROOM_SITE_URL + picture["large"]
    home = soup(get(client, reverse("articles:home")))
    assert home.select_one(".card-image picture img")["src"] == picture["src"]


# Contexts kept per content version (articles.versioned), with the page cache off


@pytest.fixture
def uncached(settings):
    settings.NEWSROOM_CACHE_SECONDS = 0


def test_uncached_pages_render_their_kept_context_reading_only_the_version(
    client, world, uncached, django_assert_num_queries
):
    article = add_articles(world, 3)[0]
    tag = Tag.objects.get(name="支付")
    urls = [
        article.get_absolute_url(),
        reverse("articles:home"),
        world["leaf"].get_absolute_url(),
        reverse("articles:tag", args=[tag.slug]),
        world["entities"][0].get_absolute_url(),
        reverse("articles:search") + "?q=文章",
    ]
    for url in urls:
        first = get(client, url)
        with django_assert_num_queries(version_queries()):
            second = get(client, url)
        assert second.status_code == 200
        assert second.content == first.content, url
        assert second.get("Content-Usage") == first.get("Content-Usage")


def test_a_takedown_is_shown_at_once_though_contexts_are_kept(client, world, uncached):
    article, other = add_articles(world, 2)
    for url in (article.get_absolute_url(), reverse("articles:home")):
        get(client, url)
        get(client, url)
    editorial.take_down([article.pk], reason="侵权")
    assert get(client, article.get_absolute_url()).status_code == 410
    home = get(client, reverse("articles:home")).content.decode()
    assert article.get_absolute_url() not in home and other.get_absolute_url() in home


def test_a_renamed_outlet_shows_on_the_next_uncached_request(client, world, uncached):
    article = add_articles(world, 1)[0]
    assert "IT之家" in get(client, article.get_absolute_url()).content.decode()
    world["source"].name = "IT之家（新）"
    world["source"].save()
    assert "IT之家（新）" in get(client, article.get_absolute_url()).content.decode()


def test_signed_in_readers_are_never_served_a_kept_context(client, world, uncached, admin_user):
    article = add_articles(world, 1)[0]
    client.force_login(admin_user)
    get(client, article.get_absolute_url())
    assert not versioned.pages
