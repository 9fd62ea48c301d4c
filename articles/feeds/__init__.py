"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the whole site and per category, tag, entity,
source (outlet) and author.

One ``Feed`` class per kind of object, instantiated once per format (``SiteFeed("rss")``);
``articles/feed_urls.py`` wires them up. Every item carries the same data in each format:
the sanitized ``body_html`` (relative links made absolute) followed by an attribution block
rendered from the structured attribution, a plain-text summary, the original authors, the
category path and tags, the header image and the original outlet and article.

Ids are ``urn:uuid:<article.guid>``: they never change with the title, slug or URL. Absolute
URLs are built on ``NEWSROOM_SITE_URL``, never the request's Host header, because a cached feed
is served to whoever asks next.
"""

from articles.feeds.discovery import FORMATS, feed_kind, feed_title, feed_url
from articles.feeds.generators import AtomFeed, JsonFeed, RssFeed
from articles.feeds.views import (
    AuthorFeed,
    CategoryFeed,
    EntityFeed,
    SiteFeed,
    SourceFeed,
    TagFeed,
    absolute,
)

__all__ = [
    "FORMATS",
    "AtomFeed",
    "AuthorFeed",
    "CategoryFeed",
    "EntityFeed",
    "JsonFeed",
    "RssFeed",
    "SiteFeed",
    "SourceFeed",
    "TagFeed",
    "absolute",
    "feed_kind",
    "feed_title",
    "feed_url",
]
