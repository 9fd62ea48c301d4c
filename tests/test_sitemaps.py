"""sitemap.xml (an index of sections) and robots.txt."""

import xml.etree.ElementTree as ET
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from tests.factories import make_article, make_author, make_category, make_entity, make_source
from tests.site_client import get

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITE = settings.NEWSROOM_SITE_URL


def parse(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def section_urls(client, name) -> dict[str, str | None]:
    root = parse(get(client, reverse("sitemap-section", args=[name])))
    return {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.findall("sm:url", NS)
    }


def test_sitemap_index_lists_every_section(client, db):
    make_article()
    root = parse(get(client, reverse("sitemap")))
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    locations = [s.findtext("sm:loc", namespaces=NS) for s in root.findall("sm:sitemap", NS)]
    assert locations == [
        f"{SITE}/sitemap-{name}.xml"
        for name in ("articles", "pages", "categories", "tags", "entities", "sources", "authors")
    ]
    articles = root.find("sm:sitemap", NS)
    assert articles.findtext("sm:lastmod", namespaces=NS)


def test_article_section_has_public_articles_with_lastmod(client, db):
    public = make_article("公开文章")
    draft = make_article("草稿", published=False)
    scheduled = make_article("定时", published_at=timezone.now() + timedelta(hours=2))
    urls = section_urls(client, "articles")
    assert SITE + public.get_absolute_url() in urls
    lastmod = timezone.localtime(public.updated_at).date().isoformat()
    assert urls[SITE + public.get_absolute_url()] == lastmod
    for hidden in (draft, scheduled):
        assert SITE + hidden.get_absolute_url() not in urls


def test_list_sections(client, db):
    category = make_category("新媒体", "36kr")
    source, author, entity = make_source("IT之家"), make_author("36kr"), make_entity("淘宝")
    make_article(category=category, source=source, author=author, entities=(entity,), tags=("AI",))
    unused = make_entity("没人提到")
    draft_only = make_source("只有草稿")
    make_article(published=False, source=draft_only, tags=("草稿标签",))
    assert set(section_urls(client, "pages")) == {f"{SITE}/", f"{SITE}/archive/"}
    assert set(section_urls(client, "categories")) == {
        SITE + category.parent.get_absolute_url(),
        SITE + category.get_absolute_url(),
    }
    tag = Tag.objects.get(name="AI")
    assert set(section_urls(client, "tags")) == {SITE + reverse("articles:tag", args=[tag.slug])}
    entities = section_urls(client, "entities")
    assert SITE + entity.get_absolute_url() in entities
    assert SITE + unused.get_absolute_url() not in entities
    assert set(section_urls(client, "sources")) == {SITE + source.get_absolute_url()}
    assert set(section_urls(client, "authors")) == {SITE + author.get_absolute_url()}


def test_unknown_section_is_404(client, db):
    assert get(client, "/sitemap-nope.xml").status_code == 404


def test_robots_txt_names_the_sitemap(client, db):
    response = get(client, reverse("robots"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines and "Disallow: /preview/" in lines
