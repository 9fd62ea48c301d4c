"""``{% picture %}``: an image of the page chrome, drawn by ``articles.ingest.pictures``.

    {% load pictures %}
    {% picture article.header_picture article.header_image width=1200 height=675 priority=True %}

The first argument is the local copy's picture dict (``article.header_picture``,
``thumbnail_picture``, ``entity.logo_picture``, ``author.avatar_picture``), the second the
remote URL shown until it is localized. Options: ``width``, ``height`` (the box; default the
picture's own), ``sizes``, ``css_class``, ``alt``, ``lazy``, ``priority``.
"""

from django import template
from django.utils.html import format_html, format_html_join

from articles.ingest.pictures import picture_attrs

register = template.Library()


def _attrs(attrs) -> str:
    return format_html_join("", ' {}="{}"', attrs.items())


@register.simple_tag
def picture(picture=None, remote="", **options):
    source, img = picture_attrs(picture, remote or "", **options)
    if not img.get("src"):
        return ""
    html = format_html("<img{}>", _attrs(img))
    if source is None:
        return html
    return format_html("<picture><source{}>{}</picture>", _attrs(source), html)
