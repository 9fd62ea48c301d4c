"""Template helpers for the reading site."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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
