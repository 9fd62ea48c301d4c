from functools import cache

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from articles import versioned

NAV_CATEGORIES = 8


def _nav_categories():
    from articles import visible

    # Leaf categories are where articles live (新媒体 › 36kr › 资讯 shows as 资讯); only those
    # with a public article, so a draft's new category is not announced on every page.
    return [
        {"name": c.name, "path": c.path, "url": c.get_absolute_url()}
        for c in visible.leaf_categories(NAV_CATEGORIES)
    ]


@cache
def site_urls() -> dict[str, str]:
    """The fixed pages every page links (header, footer): reversed once per process, not by
    a dozen ``{% url %}`` tags per request."""
    names = {"home": "articles:home", "search": "articles:search", "archive": "articles:archive"}
    return {key: reverse(name) for key, name in names.items()} | {"sitemap": reverse("sitemap")}


def site(request):
    """Site name and URL, and the navigation's categories (queried only when a page shows them).

    Queried once per content version in each process (``articles.versioned``), like the page
    cache, so the navigation changes when an article is published or withdrawn."""
    version = versioned.version_of(request)
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_url": settings.NEWSROOM_SITE_URL,
        "site_urls": site_urls(),
        "nav_categories": SimpleLazyObject(
            lambda: versioned.pages.get_or_compute(version, ("navigation",), _nav_categories)
        ),
    }
