"""Feed discovery for templates: ``{% load feeds %}``.

Pages set ``feed_object`` in their context (a Category, Tag, Entity, Source or Author) to
advertise that object's feeds; anything else, or nothing, means the site-wide feeds only.
"""

from django import template

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


@register.simple_tag
def feed_links(obj=None) -> list[dict]:
    """Every feed a page advertises: ``obj``'s own three first (the page's subject is what a
    reader picking the first feed wants), then the three site-wide ones."""
    obj = _feedable(obj)
    owners = [obj, None] if obj is not None else [None]
    return [feed_link(owner, fmt) for owner in owners for fmt in FORMATS]
