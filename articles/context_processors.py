from django.conf import settings
from django.utils.functional import SimpleLazyObject

NAV_CATEGORIES = 8


def _nav_categories():
    from articles import visible

    # Leaf categories are where articles live (新媒体 › 36kr › 资讯 shows as 资讯); only those
    # with a public article, so a draft's new category is not announced on every page.
    return visible.leaf_categories(NAV_CATEGORIES)


def site(request):
    """Site name and URL, and the navigation's categories (queried only when a page shows them).

    Not cached apart from the page: a cached page is keyed by the content version, so the
    navigation changes with it when an article is published or withdrawn."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_url": settings.NEWSROOM_SITE_URL,
        "nav_categories": SimpleLazyObject(_nav_categories),
    }
