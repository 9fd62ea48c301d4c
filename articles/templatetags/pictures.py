"""``{% picture %}``: an image of the page chrome, drawn by ``articles.ingest.pictures``.

    {% load pictures %}
    {% picture article.header_picture article.header_image width=1200 height=675 priority=True %}

The first argument is the local copy's picture dict (``article.header_picture``,
``thumbnail_picture``, ``entity.logo_picture``, ``author.avatar_picture``), the second the
remote URL shown until it is localized. Options: ``width``, ``height`` (the box; default the
picture's own), ``sizes``, ``css_class``, ``alt``, ``lazy``, ``priority``.
"""

from django import template

from articles.pictures import picture_html

register = template.Library()


@register.simple_tag
def picture(picture=None, remote="", **options):
    return picture_html(picture, remote, **options)
