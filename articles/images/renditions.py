"""Verify image bytes with Pillow and make responsive renditions of them. Pure: no Django.

Verification refuses, with a reason: anything Pillow cannot read as JPEG, PNG, GIF or WebP
(the only decoders it is allowed to try), more pixels than ``max_pixels`` (checked from the
header, before any pixel is decoded, so decompression bombs cost nothing; the caller passes
the ``NEWSROOM_IMAGE_MAX_PIXELS`` setting, see ``articles.images.localize.verify_image``), and
files that do not decode to the end (truncated).

Renditions of a still image: for each configured width below the original's, and at the
original's width when that is below the largest, a WebP and a fallback, JPEG for opaque images
and PNG for images with transparency. They are upright (EXIF orientation applied), in sRGB
(an embedded colour profile is converted, then dropped), and carry no metadata. An animated
image (GIF, WebP or APNG) gets no renditions: it is served as downloaded, still animated.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageCms, ImageOps, UnidentifiedImageError

from articles.ingest.pictures import MIME_TYPES

ALLOWED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
DEFAULT_WIDTHS = (480, 960, 1440)
WEBP_MAX_SIDE = 16383  # the format's limit


class ImageRejected(Exception):
    """Bytes that are not an image Newsroom accepts; ``code`` is short and stable."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ImageInfo:
    format: str  # JPEG, PNG, GIF or WEBP
    width: int  # as displayed: EXIF orientation applied
    height: int
    is_animated: bool

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    format: str
    data: bytes

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def _open(data: bytes, max_pixels: int | None) -> Image.Image:
    """Open ``data`` (headers only) and check its format and pixel count."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("pixels", f"像素过多，疑似解压炸弹：{exc}") from exc
    except UnidentifiedImageError as exc:
        raise ImageRejected("not-image", "不是受支持的图片（只接受 JPEG、PNG、GIF、WebP）") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageRejected("corrupt", f"图片无法读取：{exc}") from exc
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageRejected("corrupt", "图片尺寸为零")
    if max_pixels is not None and width * height > max_pixels:
        raise too_many_pixels(width, height, max_pixels)
    return image


def too_many_pixels(width: int, height: int, max_pixels: int) -> ImageRejected:
    return ImageRejected(
        "pixels",
        f"图片像素过多：{width}×{height} = {width * height} 像素，"
        f"上限 {max_pixels} 像素（NEWSROOM_IMAGE_MAX_PIXELS）",
    )


def _decode(image: Image.Image) -> None:
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        if "truncated" in str(exc):
            raise ImageRejected("truncated", "图片文件不完整（被截断）") from exc
        raise ImageRejected("corrupt", f"图片无法解码：{exc}") from exc


def _orientation_swaps(image: Image.Image) -> bool:
    try:
        return image.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8)
    except Exception:  # noqa: BLE001 - a broken EXIF block only means "no orientation"
        return False


def _info(image: Image.Image, animated: bool, *, decoded: bool) -> ImageInfo:
    width, height = image.size
    # PNG may keep its EXIF after the pixels: getexif() would decode them all to find it.
    may_read_exif = decoded or image.format != "PNG" or "exif" in image.info
    if may_read_exif and _orientation_swaps(image):
        width, height = height, width
    return ImageInfo(image.format, width, height, animated)


def inspect_image(data: bytes, *, max_pixels: int) -> ImageInfo:
    """Verify ``data`` fully decodes as an allowed image; its first frame for animations."""
    image = _open(data, max_pixels)
    with image:
        animated = bool(getattr(image, "is_animated", False))
        _decode(image)
        return _info(image, animated, decoded=True)


def read_header(data: bytes) -> ImageInfo:
    """What the header of ``data`` says, decoding no pixel: not a verification.

    Only the format and Pillow's own decompression-bomb ceiling are checked, so this is cheap
    whatever the image's size; ``inspect_image`` is what proves the file decodes.
    """
    with _open(data, None) as image:
        return _info(image, bool(getattr(image, "is_animated", False)), decoded=False)


def rendition_widths(width: int, widths=DEFAULT_WIDTHS) -> list[int]:
    """The widths to make for an image ``width`` pixels wide: never wider than it."""
    widths = sorted(set(widths))
    chosen = [w for w in widths if w < width]
    largest = min(width, widths[-1])
    if largest not in chosen:
        chosen.append(largest)
    return chosen


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        return True
    return image.mode == "P" and "transparency" in image.info


def _to_srgb(image: Image.Image, alpha: bool) -> Image.Image:
    """Upright, in sRGB, in RGB or RGBA mode, with no metadata left in ``info``."""
    image = ImageOps.exif_transpose(image)
    profile = image.info.get("icc_profile")
    mode = "RGBA" if alpha else "RGB"
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
                image = image.convert(mode)
            converted = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode=mode
            )
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # an unreadable profile: keep the pixels as they are
    if image.mode != mode:
        image = image.convert(mode)
    image.info = {}
    return image


def _encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    out = io.BytesIO()
    if fmt == "WEBP":
        image.save(out, "WEBP", quality=quality, method=4)
    elif fmt == "JPEG":
        image.save(out, "JPEG", quality=min(quality + 5, 95), optimize=True, progressive=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def make_renditions(
    data: bytes, *, max_pixels: int, widths=DEFAULT_WIDTHS, quality: int = 80
) -> list[Rendition]:
    """Renditions of a still image (see the module docstring); [] for an animated one."""
    image = _open(data, max_pixels)
    with image:
        if getattr(image, "is_animated", False):
            return []
        swaps = _orientation_swaps(image)
        width = image.height if swaps else image.width
        targets = rendition_widths(width, widths)
        if image.format == "JPEG":
            # Let libjpeg decode at a reduced scale when the largest rendition allows it.
            scale = targets[-1] / width
            image.draft(image.mode, (int(image.width * scale) + 1, int(image.height * scale) + 1))
        _decode(image)
        alpha = _has_alpha(image)
        upright = _to_srgb(image, alpha)
    fallback = "PNG" if alpha else "JPEG"
    renditions: list[Rendition] = []
    source = upright
    for target in reversed(targets):  # largest first; each smaller one from the previous
        height = max(1, round(upright.height * target / upright.width))
        if (target, height) != source.size:
            source = source.resize((target, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            source.info = {}
        if max(target, height) <= WEBP_MAX_SIDE:
            renditions.append(Rendition(target, height, "WEBP", _encode(source, "WEBP", quality)))
        renditions.append(Rendition(target, height, fallback, _encode(source, fallback, quality)))
    return sorted(renditions, key=lambda r: (r.width, r.format))
