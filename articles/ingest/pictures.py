"""The one way an image is drawn: a local copy's ``<picture>`` (WebP ``<source>`` and a
JPEG/PNG/GIF ``<img>`` with ``srcset``), or the hotlinked remote ``<img>`` until it is localized.

Pure, no Django: the body renderer (``articles.ingest.body``) builds its tags from
``picture_attrs`` and so does the ``{% picture %}`` template tag, so page chrome and article
bodies draw images alike. A *picture* is the dict ``articles.pictures`` builds from a local copy.
"""

from collections.abc import Mapping

MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


def picture_attrs(
    picture: Mapping | None,
    remote: str = "",
    *,
    alt: str = "",
    width=None,
    height=None,
    sizes: str = "",
    default_sizes: str = "",
    css_class: str = "",
    lazy: bool = False,
    priority: bool = False,
) -> tuple[dict | None, dict]:
    """The attributes of the WebP ``<source>`` (None when there is none) and of the ``<img>``.

    ``width``/``height`` are the box to draw into, by default the picture's own (its real
    aspect ratio, so no layout shift). ``sizes`` wins over the picture's, which wins over
    ``default_sizes``. Hotlinked images get no referrer: outlets should not see our readers.
    """
    local = bool(picture and picture.get("src"))
    attrs = {"class": css_class, "src": picture["src"] if local else remote, "alt": alt}
    source = None
    if local:
        sizes = sizes or picture.get("sizes") or default_sizes
        if picture.get("srcset"):
            attrs.update(srcset=picture["srcset"], sizes=sizes)
        width, height = width or picture.get("width"), height or picture.get("height")
        if picture.get("webp_srcset"):
            source = {"type": "image/webp", "srcset": picture["webp_srcset"], "sizes": sizes}
    if width and height:
        attrs.update(width=str(width), height=str(height))
    attrs.update(loading="lazy" if lazy else "", decoding="async")
    attrs.update(fetchpriority="high" if priority else "")
    if not local:
        attrs["referrerpolicy"] = "no-referrer"
    img = {name: value for name, value in attrs.items() if value or name == "alt"}
    return source, img
