"""Feed discovery for templates: ``{% load feeds %}``.

Pages set ``feed_object`` in their context (a Category, Tag, Entity, Source or Author) to
advertise that object's feeds; anything else, or nothing, means the site-wide feeds only.
"""

from functools import cache

from django import template
from django.conf import settings

from articles.feeds import FORMATS, feed_kind, feed_title, feed_url

register = template.Library()


def _feedable(obj):
    if not obj:
        return None
    try:
        feed_kind(obj)
    except TypeError:
        return None
    return obj


@register.simple_tag
def feed_link(obj, fmt="rss") -> dict:
    """``obj``'s feed in ``fmt`` (the site-wide one when ``obj`` has none): href, type, title."""
    obj = _feedable(obj)
    _, media_type, label = FORMATS[fmt]
    return {
        "href": feed_url(obj, fmt),
        "type": media_type,
        "title": f"{feed_title(obj)}（{label}）",
    }


@cache
def _site_feed_links(site_name: str) -> tuple[dict, ...]:
    # The same on every page: worked out once per process (per site name, which tests change).
    return tuple(feed_link(None, fmt) for fmt in FORMATS)


@register.simple_tag
def feed_links(obj=None) -> list[dict]:
    """Every feed a page advertises: ``obj``'s own three first (the page's subject is what a
    reader picking the first feed wants), then the three site-wide ones."""
    obj = _feedable(obj)
    own = [feed_link(obj, fmt) for fmt in FORMATS] if obj is not None else []
    return [*own, *_site_feed_links(settings.NEWSROOM_SITE_NAME)]
