"""What search engines and link previews read: canonical, robots, Open Graph, JSON-LD."""

import json

import pytest
from django.conf import settings
from django.template import Context, Template

from articles.models import IndexingPolicy
from tests.factories import make_article, make_category, make_entity, make_source
from tests.site_client import get, soup

SITE = settings.NEWSROOM_SITE_URL


def json_ld(page, element_id="ld-article") -> dict:
    script = page.find("script", id=element_id)
    assert script["type"] == "application/ld+json"
    return json.loads(script.string)


@pytest.fixture
def article(db):
    source = make_source("IT之家", account_id="ithomenews", homepage="https://www.ithome.com/")
    taobao, wechat, flagged = make_entity("淘宝"), make_entity("微信"), make_entity("得到")
    article = make_article(
        "淘宝将打通微信支付",
        summary="淘宝 App 下单后可以选择微信支付。",
        source=source,
        category=make_category("新媒体", "36kr", "资讯"),
        tags=("支付",),
        entities=(taobao, wechat, flagged),
        roles={"编辑": ["李四"], "作者": ["张三", "王五"], "译者": ["赵六"]},
        header_image="https://img.example.com/head.jpg",
        header_image_width=1200,
        header_image_height=630,
    )
    article.mentions.filter(entity=flagged).update(verdict="flagged")
    return article


def test_json_ld_news_article_fields(client, article):
    page = soup(get(client, article.get_absolute_url()))
    data = json_ld(page)
    url = SITE + article.get_absolute_url()
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "淘宝将打通微信支付"
    assert data["url"] == url and data["mainEntityOfPage"]["@id"] == url
    assert data["datePublished"].endswith("+08:00") and data["dateModified"]
    assert data["image"][0] == {
        "@type": "ImageObject",
        "url": "https://img.example.com/head.jpg",
        "width": 1200,
        "height": 630,
    }
    assert data["author"] == [
        {"@type": "Person", "name": "张三"},
        {"@type": "Person", "name": "王五"},
    ]
    assert data["editor"] == [{"@type": "Person", "name": "李四"}]
    assert data["translator"] == [{"@type": "Person", "name": "赵六"}]
    assert data["publisher"]["name"] == settings.NEWSROOM_SITE_NAME
    assert data["publisher"]["logo"]["url"].startswith(SITE)
    outlet = {
        "@type": "Organization",
        "name": "IT之家",
        "url": "https://www.ithome.com/",
        "identifier": "ithomenews",
        "alternateName": "微信公众号 ithomenews",
    }
    assert data["sourceOrganization"] == outlet
    assert data["copyrightHolder"] == outlet
    assert data["isBasedOn"]["url"] == "https://mp.weixin.qq.com/s/example"
    assert "经授权发布" in data["creditText"]
    assert [m["name"] for m in data["mentions"]] == ["淘宝", "微信"]  # linked only
    assert [m["name"] for m in data["about"]] == ["淘宝", "微信"]  # named in the title
    assert data["mentions"][0]["url"].startswith(SITE + "/entity/")
    assert set(data["keywords"]) >= {"支付", "淘宝", "微信", "资讯"}
    assert data["articleSection"] == "资讯"
    crumbs = json_ld(page, "ld-breadcrumbs")
    assert crumbs["@type"] == "BreadcrumbList"
    names = [item["name"] for item in crumbs["itemListElement"]]
    assert names == ["首页", "新媒体", "36kr", "资讯"]


def test_json_ld_author_falls_back_to_the_outlet(client, db):
    source = make_source("新智元", account_id="AI_era")
    article = make_article(source=source, roles={"编辑": ["David"]})
    data = json_ld(soup(get(client, article.get_absolute_url())))
    assert data["author"] == [
        {
            "@type": "Organization",
            "name": "新智元",
            "identifier": "AI_era",
            "alternateName": "微信公众号 AI_era",
        }
    ]
    assert data["editor"] == [{"@type": "Person", "name": "David"}]


@pytest.mark.parametrize(
    "title",
    [
        'He said "hi" </script><script>alert(1)</script>',
        "<!-- 注释 --> & 'single' \\ backslash",
        "😀 emoji \u2028 line separator",
    ],
)
def test_json_ld_is_valid_json_for_hostile_titles(client, db, title):
    article = make_article(title, summary="</script> 摘要")
    response = get(client, article.get_absolute_url())
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    page = soup(response)
    assert json_ld(page)["headline"] == title
    assert json_ld(page)["description"] == "</script> 摘要"
    # Nothing escaped out of the JSON-LD element: every script element is a data block.
    assert all(script["type"] == "application/ld+json" for script in page.find_all("script"))


def test_ld_json_filter_escapes_like_json_script():
    rendered = Template("{% load site_tags %}{{ data|ld_json }}").render(
        Context({"data": {"t": "</script>&<"}})
    )
    assert rendered == (
        '<script type="application/ld+json">{"t": "\\u003C/script\\u003E\\u0026\\u003C"}</script>'
    )


POLICIES = {
    IndexingPolicy.NEWS_NOINDEX: ("self", "index, follow, max-image-preview:large", "noindex"),
    IndexingPolicy.NOINDEX: ("self", "noindex, follow", None),
    IndexingPolicy.CANONICAL_TO_ORIGINAL: (
        "original",
        "index, follow, max-image-preview:large",
        None,
    ),
    IndexingPolicy.SELF: ("self", "index, follow, max-image-preview:large", None),
}


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("where", ["source", "article"])
def test_indexing_policy(client, db, policy, where):
    source = make_source(indexing_policy=policy if where == "source" else "news-noindex")
    article = make_article(source=source)
    if where == "article":
        article.attribution.indexing_policy = policy
        article.attribution.save()
    page = soup(get(client, article.get_absolute_url()))
    canonical, robots, news = POLICIES[policy]
    expected = {
        "self": SITE + article.get_absolute_url(),
        "original": "https://mp.weixin.qq.com/s/example",
    }[canonical]
    assert page.select_one('link[rel="canonical"]')["href"] == expected
    assert page.select_one('meta[name="robots"]')["content"] == robots
    googlebot_news = page.select_one('meta[name="Googlebot-News"]')
    assert (googlebot_news["content"] if googlebot_news else None) == news
    # Previews and shares always point at our page, whatever the canonical.
    og_url = page.select_one('meta[property="og:url"]')["content"]
    assert og_url == SITE + article.get_absolute_url()


def test_canonical_to_original_without_original_url_stays_self(client, db):
    article = make_article(source=make_source(indexing_policy="canonical-to-original"))
    article.attribution.original_url = ""
    article.attribution.save()
    page = soup(get(client, article.get_absolute_url()))
    assert page.select_one('link[rel="canonical"]')["href"] == SITE + article.get_absolute_url()


def test_open_graph_and_twitter_cards(client, article):
    page = soup(get(client, article.get_absolute_url()))

    def meta(key):
        tag = page.find("meta", attrs={"property": key}) or page.find("meta", attrs={"name": key})
        return tag["content"] if tag else None

    assert meta("og:type") == "article"
    assert meta("og:title") == "淘宝将打通微信支付"
    assert meta("og:description") == "淘宝 App 下单后可以选择微信支付。"
    assert meta("og:url") == SITE + article.get_absolute_url()
    assert meta("og:image") == "https://img.example.com/head.jpg"
    assert (meta("og:image:width"), meta("og:image:height")) == ("1200", "630")
    assert meta("og:site_name") == settings.NEWSROOM_SITE_NAME
    assert meta("og:locale") == "zh_CN"
    assert meta("twitter:card") == "summary_large_image"
    assert meta("twitter:title") == "淘宝将打通微信支付"
    assert meta("twitter:image") == "https://img.example.com/head.jpg"
    assert meta("article:published_time").endswith("+08:00")
    assert meta("article:tag") == "支付"
    description = page.select_one('meta[name="description"]')["content"]
    assert description == "淘宝 App 下单后可以选择微信支付。"


def test_no_deprecated_source_tags_anywhere(client, article):
    for url in (article.get_absolute_url(), "/", article.attribution.source.get_absolute_url()):
        html = get(client, url).content.decode().lower()
        assert "syndication-source" not in html and "original-source" not in html


def test_list_pages_are_self_canonical_and_indexable(client, article):
    source_url = article.attribution.source.get_absolute_url()
    page = soup(get(client, source_url))
    assert page.select_one('link[rel="canonical"]')["href"] == SITE + source_url
    assert page.select_one('meta[name="robots"]')["content"].startswith("index")
    assert page.select_one('meta[property="og:type"]')["content"] == "website"
    home = soup(get(client, "/"))
    website = json.loads(home.find("script", type="application/ld+json").string)
    assert website["@type"] == "WebSite" and website["potentialAction"]["@type"] == "SearchAction"
