"""Local copies of remote images, and the picture (renditions) a model field points to."""

from django.db import models


def current_picture(pictures: dict, slot: str, current: str) -> dict | None:
    """``pictures[slot]`` if it still describes ``current`` (the field's value now)."""
    picture = (pictures or {}).get(slot)
    if picture and current and picture.get("remote") == current and picture.get("src"):
        return picture
    return None


class LocalImage(models.Model):
    """A remote image downloaded once and kept here, with its responsive renditions.

    One row per remote URL (uploads have none). Files are content-addressed
    (``images/ab/<sha256>.<ext>``, renditions ``…-<width>w.<ext>``), so two URLs serving the
    same bytes share one set of files. A failed download keeps its row with the reason and is
    tried again by the next run; until then pages keep the remote URL.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待下载"
        OK = "ok", "已本地化"
        FAILED = "failed", "失败"

    remote_url = models.CharField(
        "原始网址",
        max_length=1000,
        unique=True,
        null=True,
        blank=True,
        help_text="图片的原始地址，保留用于署名和重新下载；后台上传的图片为空。",
    )
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, db_index=True)
    file = models.FileField("原图", upload_to="images/", max_length=255, blank=True)
    width = models.PositiveIntegerField("宽", null=True, blank=True)
    height = models.PositiveIntegerField("高", null=True, blank=True)
    format = models.CharField("格式", max_length=10, blank=True)
    is_animated = models.BooleanField("动图", default=False)
    byte_size = models.PositiveIntegerField("原图字节数", null=True, blank=True)
    renditions = models.JSONField(
        "衍生图",
        default=list,
        blank=True,
        help_text="每项：name（存储路径）、width、height、format、bytes。",
    )
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.PENDING)
    error_code = models.CharField("失败类别", max_length=20, blank=True)
    error = models.TextField("失败原因", blank=True)
    attempts = models.PositiveIntegerField("下载次数", default=0)
    fetched_at = models.DateTimeField("最近下载", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "本地图片"
        verbose_name_plural = "本地图片"
        indexes = [models.Index(fields=["status"], name="localimage_status_idx")]

    def __str__(self):
        return self.remote_url or self.file.name or f"LocalImage {self.pk}"

    @property
    def is_ok(self) -> bool:
        return self.status == self.Status.OK
