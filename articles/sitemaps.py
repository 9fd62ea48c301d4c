"""sitemap.xml: an index of sections (articles with ``lastmod``, then every list page).

URLs are built on ``NEWSROOM_SITE_URL`` rather than the request's host, like canonical links.
Each section is paginated by Django at 50,000 URLs; the index lists every page.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.db.models import Max
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse

from articles import visible
from articles.caching import public_cache
from articles.models import Article
from articles.seo import absolute


class SiteSitemap(Sitemap):
    protocol = urlsplit(settings.NEWSROOM_SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.NEWSROOM_SITE_URL).netloc


class ArticleSitemap(SiteSitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 5_000  # URLs per sitemap page: each page renders in well under a second

    def items(self):
        return (
            Article.objects.published()
            .only("id", "slug", "updated_at", "published_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        # Any article's latest change (drafts included): one step down the updated_at index.
        return Article.objects.aggregate(latest=Max("updated_at"))["latest"]


class PageSitemap(SiteSitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:home", "articles:archive"]

    def location(self, name):
        return reverse(name)


# The list sections list what has a page: what ``articles.visible`` shows (a subquery per row,
# through an index, rather than collecting the ids of every public article).


class CategorySitemap(SiteSitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return visible.categories()


class TagSitemap(SiteSitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self):
        return visible.tags().order_by("slug")

    def location(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})


class EntitySitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return visible.entities().only("slug").order_by("slug")


class SourceSitemap(SiteSitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return visible.sources().only("slug").order_by("slug")


class AuthorSitemap(SiteSitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return visible.authors().only("slug").order_by("slug")


SITEMAPS = {
    "articles": ArticleSitemap,
    "pages": PageSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "entities": EntitySitemap,
    "sources": SourceSitemap,
    "authors": AuthorSitemap,
}


@public_cache
def index(request):
    items = []
    for name, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = absolute(reverse("sitemap-section", kwargs={"section": name}))
        lastmod = sitemap.get_latest_lastmod()
        for page in range(1, sitemap.paginator.num_pages + 1):
            items.append(SitemapIndexItem(location + (f"?p={page}" if page > 1 else ""), lastmod))
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml"
    )


@public_cache
def section(request, section):
    if section not in SITEMAPS:
        raise Http404("没有这个 sitemap。")
    return sitemap_view(request, SITEMAPS, section=section)
