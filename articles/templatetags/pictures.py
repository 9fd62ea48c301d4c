"""``{% picture %}``: a local image with its renditions, or the remote one until localized.

    {% load pictures %}
    {% picture article.header_picture article.header_image fetchpriority="high" %}

With a picture (``article.header_picture``, ``thumbnail_picture``, ``entity.logo_picture``,
``author.avatar_picture``) it renders ``<picture>`` with a WebP ``<source>`` and a JPEG/PNG
``<img>``, both with ``srcset``/``sizes``; without one, ``<img src=fallback>`` with
``referrerpolicy="no-referrer"`` as hotlinked images need. ``width``/``height`` default to the
picture's own (the real aspect ratio); pass them to draw into a fixed box (object-fit).
"""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


def _attrs(pairs) -> str:
    return format_html_join("", ' {}="{}"', ((k, v) for k, v in pairs if v not in (None, "")))


@register.simple_tag
def picture(
    picture=None,
    fallback="",
    *,
    alt="",
    sizes="",
    width=None,
    height=None,
    loading="lazy",
    decoding="async",
    fetchpriority="",
    css_class="",
):
    if not picture:
        if not fallback:
            return ""
        return format_html(
            "<img{}>",
            _attrs(
                [
                    ("src", fallback),
                    ("alt", alt),
                    ("class", css_class),
                    ("width", width),
                    ("height", height),
                    ("loading", loading),
                    ("decoding", decoding),
                    ("fetchpriority", fetchpriority),
                    ("referrerpolicy", "no-referrer"),
                ]
            ),
        )
    sizes = sizes or picture.get("sizes") or "100vw"
    img = format_html(
        "<img{}>",
        _attrs(
            [
                ("src", picture["src"]),
                ("srcset", picture.get("srcset")),
                ("sizes", sizes if picture.get("srcset") else ""),
                ("alt", alt),
                ("class", css_class),
                ("width", width or picture.get("width")),
                ("height", height or picture.get("height")),
                ("loading", loading),
                ("decoding", decoding),
                ("fetchpriority", fetchpriority),
            ]
        ),
    )
    if not picture.get("webp_srcset"):
        return img
    source = format_html(
        '<source type="image/webp" srcset="{}" sizes="{}">', picture["webp_srcset"], sizes
    )
    return format_html("<picture>{}{}</picture>", source, img)
