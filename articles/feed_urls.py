"""Feed URLs, included under /feeds/ by articles/urls.py (names in the ``articles`` namespace).

Every feed exists in three formats: RSS 2.0 (``rss.xml``), Atom 1.0 (``atom.xml``) and JSON
Feed 1.1 (``feed.json``)::

    /feeds/rss.xml                            articles:feed-rss
    /feeds/atom.xml                           articles:feed-atom
    /feeds/feed.json                          articles:feed-json
    /feeds/category/<path:path>/rss.xml       articles:category-feed-rss
    /feeds/category/<path:path>/atom.xml      articles:category-feed-atom
    /feeds/category/<path:path>/feed.json     articles:category-feed-json
    /feeds/tag/<str:slug>/rss.xml             articles:tag-feed-rss
    /feeds/tag/<str:slug>/atom.xml            articles:tag-feed-atom
    /feeds/tag/<str:slug>/feed.json           articles:tag-feed-json
    /feeds/entity/<slug:slug>/rss.xml         articles:entity-feed-rss
    /feeds/entity/<slug:slug>/atom.xml        articles:entity-feed-atom
    /feeds/entity/<slug:slug>/feed.json       articles:entity-feed-json
    /feeds/source/<slug:slug>/rss.xml         articles:source-feed-rss
    /feeds/source/<slug:slug>/atom.xml        articles:source-feed-atom
    /feeds/source/<slug:slug>/feed.json       articles:source-feed-json
    /feeds/author/<slug:slug>/rss.xml         articles:author-feed-rss
    /feeds/author/<slug:slug>/atom.xml        articles:author-feed-atom
    /feeds/author/<slug:slug>/feed.json       articles:author-feed-json

A category path has slashes (``xin-mei-ti/36kr/zi-xun``). ``<path:path>`` followed by the file
name still resolves exactly: the pattern is anchored at the end, so the file name is always the
last segment and the path everything before it (slugs never contain a dot).

Build links with ``articles.feeds.feed_url(obj, fmt)`` or ``reverse()``, never by hand.
"""

from django.urls import path

from articles import feeds
from articles.caching import public_cache


def _feeds(prefix: str, feed_class, name: str) -> list:
    return [
        path(f"{prefix}{filename}", public_cache(feed_class(fmt)), name=f"{name}-{fmt}")
        for fmt, (filename, _, _) in feeds.FORMATS.items()
    ]


urlpatterns = [
    *_feeds("", feeds.SiteFeed, "feed"),
    *_feeds("category/<path:path>/", feeds.CategoryFeed, "category-feed"),
    *_feeds("tag/<str:slug>/", feeds.TagFeed, "tag-feed"),
    *_feeds("entity/<slug:slug>/", feeds.EntityFeed, "entity-feed"),
    *_feeds("source/<slug:slug>/", feeds.SourceFeed, "source-feed"),
    *_feeds("author/<slug:slug>/", feeds.AuthorFeed, "author-feed"),
]
