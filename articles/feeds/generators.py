"""Feed generators: Django's RSS 2.0 and Atom 1.0 writers extended, and JSON Feed 1.1.

Besides Django's item fields, every item carries (from ``SiteFeed.item_extra_kwargs``):
``content_html`` (body plus attribution block), ``summary`` (plain text), ``authors`` (dicts
of name and url), ``image`` (url, type, width, height or None), ``source`` (name and url of the
original outlet or None) and ``via`` (the original article's URL or "").
"""

import json

from django.utils import feedgenerator

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
MEDIA_NS = "http://search.yahoo.com/mrss/"
TOMBSTONES_NS = "http://purl.org/atompub/tombstones/1.0"  # RFC 6721
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def _add_media_content(handler, image):
    attrs = {"url": image["url"], "medium": "image"}
    if image["type"]:
        attrs["type"] = image["type"]
    if image["width"] and image["height"]:
        attrs.update(width=str(image["width"]), height=str(image["height"]))
    handler.addQuickElement("media:content", None, attrs)


class RssFeed(feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with ``content:encoded``, one ``dc:creator`` per author, ``media:content``
    (when the image cannot be an enclosure) and ``<source>`` for the original outlet."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": CONTENT_NS,
            "xmlns:dc": DC_NS,
            "xmlns:media": MEDIA_NS,
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "author_name": None})
        for author in item["authors"]:
            handler.addQuickElement("dc:creator", author["name"])
        handler.addQuickElement("content:encoded", item["content_html"])
        if item["image"] and not item["enclosures"]:
            _add_media_content(handler, item["image"])
        if item["source"]:
            handler.addQuickElement(
                "source", item["source"]["name"], {"url": item["source"]["url"]}
            )


class AtomFeed(feedgenerator.Atom1Feed):
    """Atom 1.0 with ``content type="html"``, a plain-text ``summary``, every author,
    ``link rel="via"`` to the original article, ``media:content``, and an RFC 6721
    ``at:deleted-entry`` for each article taken down lately (feed kwarg ``deleted``: pairs of
    the entry's id and when)."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS, "xmlns:at": TOMBSTONES_NS}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for ref, when in self.feed.get("deleted", ()):
            handler.startElement(
                "at:deleted-entry", {"ref": ref, "when": feedgenerator.rfc3339_date(when)}
            )
            handler.addQuickElement("at:comment", "已撤稿")
            handler.endElement("at:deleted-entry")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None, "author_name": None})
        for author in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", author["name"])
            if author["url"]:
                handler.addQuickElement("uri", author["url"])
            handler.endElement("author")
        if item["summary"]:
            handler.addQuickElement("summary", item["summary"], {"type": "text"})
        handler.addQuickElement("content", item["content_html"], {"type": "html"})
        if item["via"]:
            handler.addQuickElement("link", "", {"rel": "via", "href": item["via"]})
        if item["image"] and not item["enclosures"]:
            _add_media_content(handler, item["image"])


class JsonFeed(feedgenerator.SyndicationFeed):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""

    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile, encoding):
        outfile.write(json.dumps(self.as_dict(), ensure_ascii=False))

    def as_dict(self) -> dict:
        feed = self.feed
        data = {
            "version": JSON_FEED_VERSION,
            "title": feed["title"],
            "home_page_url": feed["link"],
            "feed_url": feed["feed_url"],
            "description": feed["description"],
            "language": feed["language"],
            "authors": [{"name": feed["author_name"], "url": feed["author_link"]}],
            "items": [self.item_dict(item) for item in self.items],
        }
        return {key: value for key, value in data.items() if value is not None}

    def item_dict(self, item) -> dict:
        data = {
            "id": item["unique_id"],
            "url": item["link"],
            "external_url": item["via"],
            "title": item["title"],
            "content_html": item["content_html"],
            "summary": item["summary"],
            "image": item["image"]["url"] if item["image"] else None,
            "date_published": feedgenerator.rfc3339_date(item["pubdate"]),
            "date_modified": feedgenerator.rfc3339_date(item["updateddate"]),
            "authors": [
                {key: value for key, value in author.items() if value} for author in item["authors"]
            ],
            "tags": list(item["categories"]),
        }
        # content_html stays even when empty: an item needs content_html or content_text.
        return {key: value for key, value in data.items() if value or key == "content_html"}


GENERATORS = {"rss": RssFeed, "atom": AtomFeed, "json": JsonFeed}
