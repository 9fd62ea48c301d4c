"""Images uploaded in the admin: the same checks and renditions as downloaded ones.

- ``validate_image_upload``: a Django validator (form or model field) refusing what a download
  would refuse: too many bytes, not JPEG/PNG/GIF/WebP, truncated. One difference: an upload over
  ``NEWSROOM_IMAGE_MAX_PIXELS`` is the editor's own file, so it is kept and published as it
  is, without renditions (only its header is read), where a download would be refused.
- ``ImageUploadField``: a form field with that validator, for a header image or entity logo
  upload next to the URL fields.
- ``use_uploaded_header`` / ``use_uploaded_logo`` / ``use_uploaded_avatar``: store the upload
  (content-addressed, with renditions) and point the object at it; the caller saves.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.images.localize import store_image, verify_image
from articles.images.renditions import ALLOWED_FORMATS, ImageRejected
from articles.models import LocalImage
from articles.pictures import HERO_SIZES, LOGO_SIZES, build_picture
from articles.seo import absolute

ACCEPT = "image/jpeg,image/png,image/gif,image/webp"


def read_upload(file) -> bytes:
    """The bytes of an uploaded (or stored) file, refusing more than NEWSROOM_IMAGE_MAX_BYTES."""
    limit = settings.NEWSROOM_IMAGE_MAX_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(f"图片过大：{size} 字节，上限 {limit} 字节。", code="image-too-large")
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(limit + 1)
    if hasattr(file, "seek"):
        file.seek(0)
    if len(data) > limit:
        raise ValidationError(f"图片过大：超过上限 {limit} 字节。", code="image-too-large")
    return data


def validate_image_upload(file) -> None:
    """Raise ValidationError unless ``file`` is an image Newsroom accepts."""
    if not file:
        return
    try:
        verify_image(read_upload(file), local=True)
    except ImageRejected as exc:
        raise ValidationError(exc.message, code=f"image-{exc.code}") from exc


class ImageUploadField(forms.FileField):
    """An optional image upload checked like a downloaded image."""

    default_validators = [validate_image_upload]

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            f"{'、'.join(ALLOWED_FORMATS)}，不超过 {settings.NEWSROOM_IMAGE_MAX_BYTES // 1024} KB；"
            "保存时生成不同宽度的衍生图。超过 "
            f"{settings.NEWSROOM_IMAGE_MAX_PIXELS} 像素的图片按原文件发布（不生成衍生图，"
            "也不去除元数据）。",
        )
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)


def store_upload(file) -> LocalImage:
    """Verify and store an upload with its renditions; the same bytes give the same row."""
    data = read_upload(file)
    try:
        fields = store_image(data, local=True)
    except ImageRejected as exc:
        raise ValidationError(exc.message, code=f"image-{exc.code}") from exc
    fields.pop("shared")
    fields.pop("new_bytes")
    existing = LocalImage.objects.filter(
        remote_url=None, sha256=fields["sha256"], status=LocalImage.Status.OK
    ).first()
    if existing is not None:
        return existing
    return LocalImage.objects.create(
        remote_url=None,
        status=LocalImage.Status.OK,
        attempts=1,
        fetched_at=timezone.now(),
        **fields,
    )


def use_uploaded_header(article, file) -> dict:
    """Make the upload ``article``'s header image; return its picture. The caller saves.

    ``header_image`` becomes the largest rendition's absolute URL (metadata stripped; the
    original upload is kept but never linked), with its width and height; an upload over the
    pixel limit has no renditions, so it is the original's URL.
    """
    picture = build_picture(store_upload(file), sizes=HERO_SIZES)
    url = absolute(picture["large"])
    article.header_image = url
    article.header_image_width = picture["large_width"]
    article.header_image_height = picture["large_height"]
    pictures = article.local_pictures or {}
    article.local_pictures = {**pictures, "header": {**picture, "remote": url}}
    return picture


def use_uploaded_logo(entity, file) -> dict:
    """Make the upload ``entity``'s logo (``logo_url`` its largest rendition); caller saves."""
    picture = build_picture(store_upload(file), sizes=LOGO_SIZES)
    url = absolute(picture["large"])
    entity.logo_url = url
    entity.local_pictures = {**(entity.local_pictures or {}), "logo": {**picture, "remote": url}}
    return picture


def use_uploaded_avatar(author, file) -> dict:
    """Make the upload ``author``'s avatar: the ImageField names the largest rendition.

    Call before saving the author (e.g. in ``save_model`` before ``super()``) so that the
    field does not also write the raw upload under ``authors/``.
    """
    local = store_upload(file)
    picture = build_picture(local, sizes=LOGO_SIZES)
    still = [r for r in local.renditions if r["format"] != "WEBP"]
    name = max(still, key=lambda r: r["width"])["name"] if still else local.file.name
    author.avatar = name
    author.local_pictures = {
        **(author.local_pictures or {}),
        "avatar": {**picture, "remote": name},
    }
    return picture
