"""Pictures for the sample articles, drawn with Pillow: nothing is downloaded or shipped.

Every picture is a text-free pattern whose colours come from a seed (the article's file name,
the entity's provider id, the body image's path), so the same object always gets the same
bytes: a second run stores nothing new and changes nothing.

- header images (1200×675) go through ``use_uploaded_header``, entity logos (256×256) through
  ``use_uploaded_logo``, exactly as an editor's upload in the admin would;
- body images: the samples name them by a path under ``BODY_PREFIX`` (no remote host), and
  each path gets a verified local copy keyed by it, as ``localize_images`` keys a downloaded
  image by its URL; the articles are then re-rendered to show the renditions.
"""

import colorsys
import hashlib
import io
import random
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from articles.editorial import rerender
from articles.images.localize import store_image
from articles.images.uploads import use_uploaded_header, use_uploaded_logo
from articles.importer import fingerprint
from articles.ingest.body import image_sources
from articles.mentions import LINKED
from articles.models import Article, Entity, LocalImage

HEADER_SIZE = (1200, 675)
BODY_SIZE = (1200, 675)
LOGO_SIZE = (256, 256)
# Where the sample bodies' images live: a path on this site, never a remote URL.
BODY_PREFIX = "/media/samples/"

RGB = tuple[int, int, int]


@dataclass
class ImageReport:
    headers: int = 0
    logos: int = 0
    body_images: int = 0
    changed: int = 0  # pictures attached or stored anew by this run
    rerendered: int = 0


def _rng(seed: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))


def _colour(hue: float, saturation: float, value: float) -> RGB:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return round(r * 255), round(g * 255), round(b * 255)


def _gradient(size: tuple[int, int], corners: list[RGB]) -> Image.Image:
    """A smooth blend of four corner colours (top-left, top-right, bottom-left, bottom-right)."""
    small = Image.new("RGB", (2, 2))
    for xy, colour in zip([(0, 0), (1, 0), (0, 1), (1, 1)], corners, strict=True):
        small.putpixel(xy, colour)
    return small.resize(size, Image.Resampling.BILINEAR)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG")
    return out.getvalue()


def draw_header(seed: str, size: tuple[int, int] = HEADER_SIZE) -> bytes:
    """A gradient with soft discs and a few diagonal bands, coloured from ``seed`` (PNG)."""
    rng = _rng(seed)
    hue = rng.random()
    corners = [
        _colour(hue, 0.55, 0.95),
        _colour(hue + 0.06, 0.65, 0.85),
        _colour(hue - 0.05, 0.70, 0.70),
        _colour(hue + 0.12, 0.80, 0.55),
    ]
    base = _gradient(size, corners).convert("RGBA")
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    width, height = size
    accent = _colour(hue + 0.5, 0.45, 1.0)
    for _ in range(7):
        radius = rng.randint(height // 10, height // 3)
        x, y = rng.randint(0, width), rng.randint(0, height)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(*accent, 48))
    for _ in range(3):
        offset = rng.randint(-width // 2, width)
        band = rng.randint(20, 80)
        points = [(offset, height), (offset + band, height), (offset + band + height, 0)]
        draw.polygon([*points, (offset + height, 0)], fill=(255, 255, 255, 36))
    return _png(Image.alpha_composite(base, layer))


def draw_body_image(seed: str, size: tuple[int, int] = BODY_SIZE) -> bytes:
    """An abstract bar chart on a pale gradient, coloured from ``seed`` (PNG)."""
    rng = _rng(seed)
    hue = rng.random()
    pale = [_colour(hue, 0.08, 0.98), _colour(hue, 0.12, 0.96)]
    image = _gradient(size, [pale[0], pale[0], pale[1], pale[1]])
    draw = ImageDraw.Draw(image)
    width, height = size
    bars = rng.randint(5, 9)
    gap = width // (bars * 3 + 1)
    for i in range(bars):
        left = gap + i * 3 * gap
        top = rng.randint(height // 6, height * 3 // 4)
        colour = _colour(hue + 0.04 * i, 0.55, 0.80 - 0.03 * i)
        draw.rectangle((left, top, left + 2 * gap, height - gap), fill=colour)
    draw.line((gap // 2, height - gap, width - gap // 2, height - gap), fill=(90, 90, 90), width=4)
    return _png(image)


def draw_logo(seed: str, size: tuple[int, int] = LOGO_SIZE) -> bytes:
    """A square mark: a gradient, a ring and a polygon, coloured from ``seed`` (PNG)."""
    rng = _rng(seed)
    hue = rng.random()
    corners = [_colour(hue + d, 0.70, 0.90 - abs(d)) for d in (0.0, 0.05, -0.05, 0.10)]
    image = _gradient(size, corners)
    draw = ImageDraw.Draw(image)
    width, height = size
    cx, cy, r = width // 2, height // 2, width * 3 // 10
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(255, 255, 255), width=width // 16)
    sides = rng.choice([3, 4, 6])
    draw.regular_polygon((cx, cy, r // 2), sides, rotation=rng.randint(0, 59), fill="white")
    return _png(image)


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def attach_header(article: Article) -> bool:
    """Give ``article`` its drawn header image; return whether anything changed."""
    before = (article.header_image, article.local_pictures)
    use_uploaded_header(article, _upload("header.png", draw_header(article.import_key or "")))
    if (article.header_image, article.local_pictures) == before:
        return False
    # The header is part of what the loader imports: recording it in the import fingerprint
    # lets a later change to the sample file update the article rather than report a conflict.
    article.import_fingerprint = fingerprint(article)
    article.save(
        update_fields=[
            "header_image",
            "header_image_width",
            "header_image_height",
            "local_pictures",
            "import_fingerprint",
            "updated_at",
        ]
    )
    return True


def attach_logo(entity: Entity) -> bool:
    """Give ``entity`` its drawn logo; return whether anything changed."""
    before = (entity.logo_url, entity.local_pictures)
    use_uploaded_logo(entity, _upload("logo.png", draw_logo(entity.provider_id)))
    if (entity.logo_url, entity.local_pictures) == before:
        return False
    entity.save(update_fields=["logo_url", "local_pictures"])
    return True


def store_body_image(src: str) -> bool:
    """Keep a verified local copy of the body image named ``src``; return whether it is new."""
    data = draw_body_image(src)
    sha = hashlib.sha256(data).hexdigest()
    local = LocalImage.objects.filter(remote_url=src).first()
    if (
        local is not None
        and local.is_ok
        and local.sha256 == sha
        and local.file
        and default_storage.exists(local.file.name)
    ):
        return False
    fields = store_image(data)
    fields.pop("shared")
    fields.pop("new_bytes")
    LocalImage.objects.update_or_create(
        remote_url=src,
        defaults={
            **fields,
            "status": LocalImage.Status.OK,
            "error_code": "",
            "error": "",
            "attempts": 1,
            "fetched_at": timezone.now(),
        },
    )
    return True


def body_image_paths(article: Article) -> list[str]:
    return [src for src in image_sources(article.body) if src.startswith(BODY_PREFIX)]


def attach_images(articles) -> ImageReport:
    """Headers for ``articles``, logos for the entities they link, and their body images."""
    report = ImageReport()
    articles = list(articles)
    for article in articles:
        report.headers += 1
        report.changed += attach_header(article)
    entities = Entity.objects.filter(
        mentions__article__in=articles,
        mentions__verdict__in=LINKED,
    ).distinct()
    for entity in entities:
        report.logos += 1
        report.changed += attach_logo(entity)
    stored_anew = False
    for src in sorted({src for article in articles for src in body_image_paths(article)}):
        report.body_images += 1
        new = store_body_image(src)
        report.changed += new
        stored_anew = stored_anew or new
    # Articles rendered before their images were local still show the bare paths.
    stale = [
        a.pk
        for a in articles
        if body_image_paths(a) and (stored_anew or f'src="{BODY_PREFIX}' in a.body_html)
    ]
    if stale:
        report.rerendered = rerender(stale)
    return report
