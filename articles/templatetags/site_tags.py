"""Template helpers for the reading site."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from articles.seo import JSONText, json_text

register = template.Library()


@register.filter(is_safe=True)
def ld_json(value, element_id=None):
    """Render ``value`` as a JSON-LD ``<script type="application/ld+json">`` element.

    Django's ``json_script`` filter always says ``application/json``, which search engines
    ignore; this is the same escaping with the JSON-LD media type.
    """
    data = value if isinstance(value, JSONText) else json_text(value)
    if element_id:
        return format_html(
            '<script id="{}" type="application/ld+json">{}</script>', element_id, mark_safe(data)
        )
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(data))


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL with ``page`` set to ``number`` (dropped for page 1), other params kept."""
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    if number and int(number) > 1:
        params["page"] = number
    query = params.urlencode()
    return f"{request.path}?{query}" if query else request.path


SHARE_DESCRIPTION_CHARS = 200


def _property(name: str, value) -> str:
    return format_html('<meta property="{}" content="{}">', name, value)


def _name(name: str, value) -> str:
    return format_html('<meta name="{}" content="{}">', name, value)


@register.simple_tag(takes_context=True)
def social_meta(context):
    """Open Graph and Twitter card tags from the page's ``meta`` (every page prints them, so
    they are put together here rather than by two dozen template tags)."""
    meta, site_name = context.get("meta") or {}, context.get("site_name", "")
    title = meta.get("title") or site_name
    description = meta.get("description") or ""
    short = Truncator(description).chars(SHARE_DESCRIPTION_CHARS) if description else ""
    tags = [
        _property("og:site_name", site_name),
        _property("og:locale", "zh_CN"),
        _property("og:type", meta.get("type") or "website"),
        _property("og:title", title),
    ]
    if short:
        tags.append(_property("og:description", short))
    if meta.get("url") or meta.get("canonical"):
        tags.append(_property("og:url", meta.get("url") or meta.get("canonical")))
    if meta.get("image"):
        tags.append(_property("og:image", meta["image"]))
        if meta.get("image_width") and meta.get("image_height"):
            tags.append(_property("og:image:width", meta["image_width"]))
            tags.append(_property("og:image:height", meta["image_height"]))
        tags += [
            _name("twitter:card", "summary_large_image"),
            _name("twitter:image", meta["image"]),
        ]
    else:
        tags.append(_name("twitter:card", "summary"))
    tags.append(_name("twitter:title", title))
    if short:
        tags.append(_name("twitter:description", short))
    if meta.get("type") == "article":
        for name in ("published", "modified"):
            if meta.get(name):
                tags.append(_property(f"article:{name}_time", meta[name]))
        if meta.get("section"):
            tags.append(_property("article:section", meta["section"]))
        tags += [_property("article:tag", tag) for tag in meta.get("tags") or ()]
    return mark_safe("\n".join(tags))
