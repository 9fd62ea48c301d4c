"""The editorial log, editors' profiles, and the content version every process reads."""

from django.conf import settings
from django.db import models


class EditorialLog(models.Model):
    """One editorial operation on one article or outlet: who, when, what, why."""

    action = models.CharField("操作", max_length=40, db_index=True)
    article = models.ForeignKey(
        "articles.Article",
        verbose_name="文章",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="editorial_log",
    )
    source = models.ForeignKey(
        "articles.Source",
        verbose_name="来源",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="editorial_log",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.CharField("操作人", max_length=200, blank=True)
    reason = models.TextField("原因", blank=True)
    data = models.JSONField("详情", default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "编辑日志"
        verbose_name_plural = "编辑日志"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class EditorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editor_profile"
    )
    real_name = models.CharField(
        "真实姓名", max_length=100, blank=True, help_text="发布文章时作为“责任编辑”署名。"
    )

    class Meta:
        verbose_name = "编辑资料"
        verbose_name_plural = "编辑资料"

    def __str__(self):
        return self.real_name or str(self.user)


class ContentVersion(models.Model):
    """Append-only: the newest row is the version of everything readers see.

    Rows are inserted (never updated) inside the writing transaction, so concurrent writers do
    not contend for one row and the new version becomes visible exactly when the change does.
    """

    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "内容版本"
        verbose_name_plural = "内容版本"

    def __str__(self):
        return f"v{self.pk}"
