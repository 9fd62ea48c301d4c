"""What an outlet permitted, and what was taken down.

A ``Licence`` belongs to an outlet (``source``) or, as an override, to one article; the public
rule (``articles.models.public``) reads it at query time. A ``Takedown`` records a withdrawal
(撤稿) and its restoration; ``Article.taken_down_at`` mirrors the open one for the rule's index.
Changes go through ``articles.editorial``, which logs them and invalidates caches.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Licence(models.Model):
    class Basis(models.TextChoices):
        REPRINT = "reprint", "授权转载"
        EXCLUSIVE = "exclusive", "独家授权"
        PARTNER = "partner", "合作"
        OWN = "own", "自有内容"
        OTHER = "other", "其他"

    source = models.OneToOneField(
        "articles.Source",
        verbose_name="来源",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="licence",
    )
    article = models.OneToOneField(
        "articles.Article",
        verbose_name="文章（单篇授权）",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="licence",
    )
    basis = models.CharField("授权类型", max_length=20, choices=Basis, default=Basis.REPRINT)
    granted_by = models.CharField("授权人（联系方式）", max_length=200, blank=True)
    reference = models.CharField("凭证（合同号或邮件）", max_length=200, blank=True)
    granted_on = models.DateField("授权日期", null=True, blank=True)
    expires_on = models.DateField(
        "到期日",
        null=True,
        blank=True,
        help_text="到期日当天 00:00（北京时间）起不再公开；留空为长期有效。",
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    requires_link_back = models.BooleanField("须链接原文", default=True)
    requires_original_title = models.BooleanField("须注明原标题", default=True)
    requires_author_credit = models.BooleanField("须署原作者", default=True)
    is_ai_training_allowed = models.BooleanField("允许用于 AI 训练", default=False)
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["expires_on", "pk"]
        verbose_name = "授权"
        verbose_name_plural = "授权"
        constraints = [
            models.CheckConstraint(
                condition=(Q(source__isnull=False) & Q(article__isnull=True))
                | (Q(source__isnull=True) & Q(article__isnull=False)),
                name="licence_one_holder",
            )
        ]
        indexes = [models.Index(fields=["expires_on"], name="licence_expires_idx")]

    def __str__(self):
        holder = self.source or self.article
        return f"{holder}：{self.get_basis_display()}"

    def status(self, today: date | None = None) -> str:
        """in-force, expiring (within 30 days), expired or revoked: for editors' eyes; what
        readers see is decided by the public rule."""
        today = today or timezone.localdate()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_on is not None and self.expires_on <= today:
            return "expired"
        if self.expires_on is not None and (self.expires_on - today).days <= 30:
            return "expiring"
        return "in-force"


LICENCE_STATUS_LABELS = {
    "in-force": "有效",
    "expiring": "30 天内到期",
    "expired": "已到期",
    "revoked": "已撤销",
    "none": "未登记授权",
}


class Takedown(models.Model):
    article = models.ForeignKey(
        "articles.Article", verbose_name="文章", on_delete=models.CASCADE, related_name="takedowns"
    )
    reason = models.TextField("撤稿原因")
    requested_by = models.CharField("要求方", max_length=200, blank=True)
    taken_down_at = models.DateTimeField("撤稿时间", default=timezone.now)
    taken_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.CharField("操作人（名称）", max_length=200, blank=True)
    restored_at = models.DateTimeField("恢复时间", null=True, blank=True)
    restored_by = models.CharField("恢复人", max_length=200, blank=True)
    restore_reason = models.TextField("恢复原因", blank=True)

    class Meta:
        ordering = ["-taken_down_at", "-pk"]
        verbose_name = "撤稿记录"
        verbose_name_plural = "撤稿记录"
        constraints = [
            models.UniqueConstraint(
                fields=["article"], condition=Q(restored_at=None), name="takedown_one_open"
            )
        ]

    def __str__(self):
        return f"撤稿 #{self.article_id}：{self.reason[:40]}"


class WithdrawnMedia(models.Model):
    """A media file that only taken-down articles used: the media view refuses it."""

    name = models.CharField("文件", max_length=255)
    takedown = models.ForeignKey(Takedown, on_delete=models.CASCADE, related_name="media")

    class Meta:
        verbose_name = "已撤下的媒体文件"
        verbose_name_plural = "已撤下的媒体文件"
        indexes = [models.Index(fields=["name"], name="withdrawnmedia_name_idx")]

    def __str__(self):
        return self.name
