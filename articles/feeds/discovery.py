"""Which feeds an object has, their URLs and titles: shared by the feeds and the templates."""

from django.conf import settings
from django.urls import reverse
from taggit.models import Tag

from articles.models import Author, Category, Entity, Source

# Format → (URL file name, media type for <link rel="alternate">, label shown to readers).
FORMATS = {
    "rss": ("rss.xml", "application/rss+xml", "RSS"),
    "atom": ("atom.xml", "application/atom+xml", "Atom"),
    "json": ("feed.json", "application/feed+json", "JSON Feed"),
}


def feed_kind(obj) -> tuple[str, dict]:
    """The URL name prefix and kwargs of the feeds for ``obj`` (None: the site-wide feeds)."""
    if obj is None:
        return "feed", {}
    if isinstance(obj, Category):
        return "category-feed", {"path": obj.path}
    if isinstance(obj, Tag):
        return "tag-feed", {"slug": obj.slug}
    if isinstance(obj, Entity):
        canonical = obj.merged_into if obj.merged_into_id else obj
        return "entity-feed", {"slug": canonical.slug}
    if isinstance(obj, Source):
        return "source-feed", {"slug": obj.slug}
    if isinstance(obj, Author):
        return "author-feed", {"slug": obj.slug}
    raise TypeError(f"no feeds for {type(obj).__name__}")


def feed_url(obj, fmt: str) -> str:
    """The path of ``obj``'s feed in format ``fmt`` (rss, atom or json)."""
    kind, kwargs = feed_kind(obj)
    return reverse(f"articles:{kind}-{fmt}", kwargs=kwargs)


def feed_title(obj) -> str:
    """The feed's title, the same in every format and in ``<link rel="alternate">``."""
    site = settings.NEWSROOM_SITE_NAME
    if obj is None:
        return site
    if isinstance(obj, Category):
        return f"{site} · 分类：{obj}"
    if isinstance(obj, Tag):
        return f"{site} · 标签：{obj.name}"
    if isinstance(obj, Source):
        return f"{site} · 来源：{obj.name}"
    if isinstance(obj, Author):
        return f"{site} · 作者：{obj.name}"
    return f"{site} · {obj.name}"
