"""Own the images: download remote ones safely, verify them, keep them with responsive
renditions, and give pages and feeds the local copies.

- ``fetch``: one safe download (schemes, redirects, SSRF, size and time limits); no Django.
- ``renditions``: Pillow verification and renditions; no Django.
- ``localize``: the ORM orchestration behind the command, the admin action and the benchmark.
- ``uploads``: the same checks and renditions for images uploaded in the admin.

The JSON "picture" pages and ``render_body`` read is built by ``articles.pictures``. The
admin's "本地化图片" action is ``articles.admin.images``.
"""

from articles.images.fetch import Fetched, FetchError, FetchLimits, fetch, is_public_address
from articles.images.renditions import (
    ALLOWED_FORMATS,
    ImageInfo,
    ImageRejected,
    Rendition,
    inspect_image,
    make_renditions,
    rendition_widths,
)

__all__ = [
    "ALLOWED_FORMATS",
    "FetchError",
    "FetchLimits",
    "Fetched",
    "ImageInfo",
    "ImageRejected",
    "Rendition",
    "fetch",
    "inspect_image",
    "is_public_address",
    "make_renditions",
    "rendition_widths",
]
