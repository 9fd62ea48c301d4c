"""Reader-facing pages: thin class-based views over ``Article.objects.published()``.

Every public view is wrapped in ``public_cache`` and runs a fixed, small number of queries
whatever the number of articles, tags, entities or related items (pinned in
tests/test_views.py). Lists never load article bodies (``for_lists()``) and never count rows.

- ``lists``: home, category, tag, entity, source, author, archive, search
- ``article``: the article page (410 when withdrawn) and the staff preview
- ``site``: media files, robots.txt, error pages
"""

from articles.views.article import ArticleDetailView, preview
from articles.views.lists import (
    ArchiveIndexView,
    ArchiveView,
    AuthorView,
    CategoryView,
    EntityView,
    HomeView,
    SearchView,
    SourceView,
    TagView,
)
from articles.views.site import media_file, page_not_found, robots_txt, server_error

__all__ = [
    "ArchiveIndexView",
    "ArchiveView",
    "ArticleDetailView",
    "AuthorView",
    "CategoryView",
    "EntityView",
    "HomeView",
    "SearchView",
    "SourceView",
    "TagView",
    "media_file",
    "page_not_found",
    "preview",
    "robots_txt",
    "server_error",
]
