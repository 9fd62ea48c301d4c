"""The feeds: one ``Feed`` class per kind of object, instantiated once per format."""

import mimetypes
import re
from datetime import timedelta
from urllib.parse import unquote

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist, SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.html import escape
from django.utils.http import http_date
from taggit.models import Tag

from articles import visible
from articles.caching import content_state
from articles.feeds.discovery import feed_title, feed_url
from articles.feeds.generators import GENERATORS
from articles.mentions import LINKED
from articles.models import Article, Author, Category, Entity, Mention, Source
from articles.models.content import BODY_FIELDS
from articles.seo import absolute, original_title

TOMBSTONE_DAYS = 30  # how long the Atom feed announces a takedown
FEED_TOMBSTONES = 100
# XML 1.0 forbids these; Django's XML writer refuses them rather than produce a broken feed.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _XML_ILLEGAL.sub("", text or "")


def _local_media_size(url: str) -> int | None:
    """The size of ``url`` when it is one of our own media files, else None."""
    for prefix in dict.fromkeys((settings.MEDIA_URL, absolute(settings.MEDIA_URL))):
        if url.startswith(prefix):
            name = unquote(url[len(prefix) :])
            try:
                return default_storage.size(name)
            except (OSError, NotImplementedError, SuspiciousFileOperation):
                return None
    return None


def _local(dt):
    """In the site's time zone, to the second (some readers choke on fractions)."""
    return timezone.localtime(dt).replace(microsecond=0)


def _attribution(article):
    try:
        return article.attribution
    except ObjectDoesNotExist:
        return None


class _Moved(Exception):
    def __init__(self, url):
        self.url = url


class SiteFeed(Feed):
    """The newest published articles; subclasses narrow ``articles(obj)`` to one object."""

    language = "zh-cn"

    def __init__(self, fmt: str):
        self.format = fmt
        self.feed_type = GENERATORS[fmt]

    def __call__(self, request, *args, **kwargs):
        try:
            response = super().__call__(request, *args, **kwargs)
        except _Moved as moved:
            return redirect(moved.url, permanent=True)
        # When content last changed, not the newest item's date: an edit, a deletion or a
        # renamed outlet changes the feed too.
        state = getattr(request, "content_state", None) or content_state()  # read by the cache
        response.headers["Last-Modified"] = http_date(state["changed_at"].timestamp())
        return response

    def articles(self, obj):
        return self.narrow(obj, Article.objects.published())

    def narrow(self, obj, articles):
        """The feed's own articles among ``articles`` (subclasses: one category, tag, …)."""
        return articles

    def taken_down(self, obj):
        """The feed's articles taken down lately, newest first."""
        since = timezone.now() - timedelta(days=TOMBSTONE_DAYS)
        gone = self.narrow(obj, Article.objects.filter(taken_down_at__gte=since))
        return gone.order_by("-taken_down_at")

    def feed_extra_kwargs(self, obj):
        if self.format != "atom":
            return {}
        # RFC 6721 tombstones: feed readers drop their copy of an article taken down lately.
        rows = self.taken_down(obj).values_list("guid", "taken_down_at")[:FEED_TOMBSTONES]
        return {"deleted": [(guid.urn, _local(when)) for guid, when in rows]}

    def items(self, obj):
        items = list(
            self.articles(obj)
            .defer(*(f for f in BODY_FIELDS if f != "feed_html"), "warnings")
            .select_related("author", "category", "attribution__source")
            .prefetch_related("tags")
            .order_by("-published_at", "-id")[: settings.NEWSROOM_FEED_ITEMS]
        )
        # A category, tag, entity, outlet or byline with no public article has no feed, as it
        # has no page: a draft would publish its name. An Atom feed still carries its recent
        # takedowns, so that readers drop their copies (those names were public).
        if (
            obj is not None
            and not items
            and (self.format != "atom" or not self.taken_down(obj).exists())
        ):
            raise Http404("没有公开的文章。")
        return items

    def title(self, obj):
        return xml_safe(feed_title(obj))

    def link(self, obj):
        return absolute(obj.get_absolute_url() if obj is not None else reverse("articles:home"))

    def feed_url(self, obj):
        return absolute(feed_url(obj, self.format))

    def description(self, obj):
        if obj is None:
            text = f"{settings.NEWSROOM_SITE_NAME}：最新转载的中文科技新闻，注明原作者与出处。"
        else:
            text = xml_safe(getattr(obj, "description", "") or f"{feed_title(obj)}的最新文章。")
        # It names the category, tag, author… which an import file chose, and RSS readers treat
        # <description> as HTML (as for items): escape it once more there. JSON Feed's is text.
        return escape(text) if self.format == "rss" else text

    def author_name(self, obj):
        # Atom needs an author for every entry; the site stands in where an article names none.
        return settings.NEWSROOM_SITE_NAME

    def author_link(self, obj):
        return absolute(reverse("articles:home"))

    # Items.

    def item_title(self, item):
        return xml_safe(item.title)

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_guid(self, item):
        return item.guid.urn

    def item_guid_is_permalink(self, item):
        return False

    def item_description(self, item):
        # RSS readers treat <description> as HTML: escape the plain text once more.
        return escape(xml_safe(item.summary)) if item.summary else None

    def item_pubdate(self, item):
        return _local(item.published_at)

    def item_updateddate(self, item):
        # Never before publication: a scheduled article was last saved before its time came.
        return _local(max(item.updated_at, item.published_at))

    def item_categories(self, item):
        names = list(item.category.name_path) if item.category_id else []
        names += sorted(tag.name for tag in item.tags.all())
        return list(dict.fromkeys(xml_safe(name) for name in names))

    def item_enclosures(self, item):
        """The header image, when it is our own file and so its length and type are known."""
        image = self.item_image(item)
        if image and image["type"]:
            length = _local_media_size(image["url"])
            if length is not None:
                return [feedgenerator.Enclosure(image["url"], str(length), image["type"])]
        return []

    def item_image(self, item):
        if not item.header_image:
            return None
        picture = item.header_picture
        if picture:  # localized: the largest rendition, whose size and type are known
            return {
                "url": absolute(picture["large"]),
                "type": picture["type"],
                "width": picture.get("large_width"),
                "height": picture.get("large_height"),
            }
        url = absolute(item.header_image)
        return {
            "url": url,
            "type": mimetypes.guess_type(url.split("?", 1)[0])[0],
            "width": item.header_image_width,
            "height": item.header_image_height,
        }

    def item_authors(self, item, attribution):
        """The original authors (role 作者), else the byline author on this site."""
        names = attribution.authors if attribution else []
        if names:
            return [{"name": xml_safe(name), "url": None} for name in names]
        if item.author_id:
            return [
                {
                    "name": xml_safe(item.author.name),
                    "url": absolute(item.author.get_absolute_url()),
                }
            ]
        return []

    def item_content(self, item, attribution):
        url = self.item_link(item)
        body = item.feed_html
        credit = render_to_string(
            "feeds/attribution.html",
            {
                "attribution": attribution,
                "source": attribution.source if attribution else None,
                "source_url": (
                    absolute(attribution.source.get_absolute_url())
                    if attribution and attribution.source_id
                    else ""
                ),
                "republisher": (attribution.republisher if attribution else "")
                or settings.NEWSROOM_SITE_NAME,
                "article_url": url,
                "article": item,
                "original_title": original_title(item, attribution),
                "original_date": (
                    item.original_published_at
                    if item.original_published_at != item.published_at
                    else None
                ),
            },
        )
        return xml_safe(body + credit.strip())

    def item_source(self, item, attribution):
        """The original outlet: its name, linked to the original article or its page here."""
        if not (attribution and attribution.source_id):
            return None
        url = attribution.original_url or absolute(attribution.source.get_absolute_url())
        return {"name": xml_safe(attribution.source.name), "url": xml_safe(url)}

    def item_extra_kwargs(self, item):
        attribution = _attribution(item)
        return {
            "content_html": self.item_content(item, attribution),
            "summary": xml_safe(item.summary),
            "authors": self.item_authors(item, attribution),
            "image": self.item_image(item),
            "source": self.item_source(item, attribution),
            # Taken from the imported body: a control character in it would break the XML.
            "via": xml_safe(attribution.original_url) if attribution else "",
        }


class CategoryFeed(SiteFeed):
    """A category and all its sub-categories."""

    def get_object(self, request, path):
        return get_object_or_404(Category, path=path)

    def narrow(self, obj, articles):
        in_tree = Q(category=obj) | Q(category__path__startswith=obj.path + "/")
        return articles.filter(in_tree)


class TagFeed(SiteFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def link(self, obj):
        return absolute(reverse("articles:tag", kwargs={"slug": obj.slug}))

    def narrow(self, obj, articles):
        return articles.filter(tags=obj)


class EntityFeed(SiteFeed):
    """Articles that link the entity (or an id merged into it), as its page lists them.

    A merged entity's feed redirects permanently to the canonical one, so readers update
    their subscription; a never-link entity (a common word) has no page and no feed.
    """

    def get_object(self, request, slug):
        entity = get_object_or_404(Entity.objects.select_related("merged_into"), slug=slug)
        if entity.merged_into_id:
            # Only to a feed that exists: the redirect would name a hidden entity.
            if not visible.entities().filter(pk=entity.merged_into_id).exists():
                raise Http404("没有这个实体。")
            raise _Moved(feed_url(entity.merged_into, self.format))
        if entity.is_never_link:
            raise Http404("此词条不作为实体展示。")  # a common word: no page, no feed
        return entity

    def narrow(self, obj, articles):
        linked = Mention.objects.filter(
            Q(entity=obj) | Q(entity__merged_into=obj),
            verdict__in=LINKED,
        )
        return articles.filter(pk__in=linked.values("article_id"))


class SourceFeed(SiteFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Source, slug=slug)

    def narrow(self, obj, articles):
        return articles.filter(attribution__source=obj)


class AuthorFeed(SiteFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def narrow(self, obj, articles):
        return articles.filter(author=obj)
