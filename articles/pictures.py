"""What a page needs to show a local image: the "picture" dict built from a LocalImage.

A picture is plain JSON, stored on the article (header, thumbnail), entity (logo) and author
(avatar) it belongs to, so pages and feeds read it with no query::

    {"remote": <the URL it replaces>, "src": <fallback ≤ 960 px>, "srcset": <fallback set>,
     "webp_srcset": <WebP set, "" for animations>, "sizes": <how wide it is drawn>,
     "width": .., "height": .. (of the largest rendition: the aspect ratio),
     "type": <fallback MIME type>, "large": <largest fallback, for og:image and feeds>,
     "large_width": .., "large_height": .., "animated": bool}

Body images get the same dict, passed to ``render_body`` by ``articles.rendering``; how a
picture is drawn is ``articles.ingest.pictures``.
"""

from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.utils.html import format_html, format_html_join

from articles.ingest.pictures import MIME_TYPES, picture_attrs
from articles.models import LocalImage

# How wide each kind of image is drawn (static/css/site.css), for the browser's choice.
HERO_SIZES = "(max-width: 56rem) 100vw, 56rem"
CARD_SIZES = "(max-width: 30rem) 100vw, 240px"
LOGO_SIZES = "96px"
DEFAULT_SRC_WIDTH = 960
_LOOKUP_CHUNK = 500


def build_picture(local: LocalImage, *, remote: str | None = None, sizes: str = "") -> dict | None:
    """The picture dict of ``local`` (None unless it is stored and verified)."""
    if not local.is_ok or not local.file:
        return None
    url = default_storage.url
    base = {"remote": remote if remote is not None else (local.remote_url or ""), "sizes": sizes}
    fallback = sorted(
        (r for r in local.renditions if r["format"] != "WEBP"), key=lambda r: r["width"]
    )
    if local.is_animated or not fallback:
        src = url(local.file.name)
        return {
            **base,
            "src": src,
            "srcset": "",
            "webp_srcset": "",
            "width": local.width,
            "height": local.height,
            "type": MIME_TYPES.get(local.format, ""),
            "large": src,
            "large_width": local.width,
            "large_height": local.height,
            "animated": local.is_animated,
        }
    webp = sorted((r for r in local.renditions if r["format"] == "WEBP"), key=lambda r: r["width"])
    default = [r for r in fallback if r["width"] <= DEFAULT_SRC_WIDTH] or fallback[:1]
    largest = fallback[-1]
    return {
        **base,
        "src": url(default[-1]["name"]),
        "srcset": ", ".join(f"{url(r['name'])} {r['width']}w" for r in fallback),
        "webp_srcset": ", ".join(f"{url(r['name'])} {r['width']}w" for r in webp),
        "width": largest["width"],
        "height": largest["height"],
        "type": MIME_TYPES[largest["format"]],
        "large": url(largest["name"]),
        "large_width": largest["width"],
        "large_height": largest["height"],
        "animated": False,
    }


def local_images(urls: Iterable[str]) -> dict[str, LocalImage]:
    """The verified local copies of ``urls``, by remote URL (one query per 500 URLs)."""
    urls = list(dict.fromkeys(u for u in urls if u))
    found: dict[str, LocalImage] = {}
    for start in range(0, len(urls), _LOOKUP_CHUNK):
        chunk = urls[start : start + _LOOKUP_CHUNK]
        for local in LocalImage.objects.filter(remote_url__in=chunk, status=LocalImage.Status.OK):
            found[local.remote_url] = local
    return found


def pictures_for(urls: Iterable[str], *, sizes: str = "") -> dict[str, dict]:
    """Picture dicts for those of ``urls`` that are local, by remote URL."""
    pictures = {}
    for remote, local in local_images(urls).items():
        picture = build_picture(local, sizes=sizes)
        if picture is not None:
            pictures[remote] = picture
    return pictures


def _attrs(attrs) -> str:
    return format_html_join("", ' {}="{}"', attrs.items())


def picture_html(picture=None, remote: str = "", **options) -> str:
    """The ``<picture>`` (or plain ``<img>``) of a page's chrome for a picture dict, else the
    remote URL (see ``articles.ingest.pictures.picture_attrs`` for ``options``); '' when there
    is no image. The ``{% picture %}`` tag prints it; list cards build it with their context."""
    source, img = picture_attrs(picture, remote or "", **options)
    if not img.get("src"):
        return ""
    html = format_html("<img{}>", _attrs(img))
    if source is None:
        return html
    return format_html("<picture><source{}>{}</picture>", _attrs(source), html)
