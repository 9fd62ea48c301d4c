"""Template helpers for the reading site."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The escapes of django.utils.html.json_script: inside <script> no "<", ">" or "&" survives, so
# a title containing "</script>" or "<!--" cannot end the element early. The JSON stays valid.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter(is_safe=True)
def ld_json(value, element_id=None):
    """Render ``value`` as a JSON-LD ``<script type="application/ld+json">`` element.

    Django's ``json_script`` filter always says ``application/json``, which search engines
    ignore; this is the same escaping with the JSON-LD media type.
    """
    data = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
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
