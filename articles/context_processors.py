from django.conf import settings
from django.utils.functional import SimpleLazyObject

NAV_CATEGORIES = 8


def _nav_categories():
    from articles.models import Category

    # Leaf categories are where articles live (新媒体 › 36kr › 资讯 shows as 资讯).
    return list(Category.objects.filter(children=None).only("name", "path")[:NAV_CATEGORIES])


def site(request):
    """Site name and URL, and the navigation's categories (queried only when a page shows them)."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_url": settings.NEWSROOM_SITE_URL,
        "nav_categories": SimpleLazyObject(_nav_categories),
    }
