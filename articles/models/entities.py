"""Entities (companies, products) that articles mention, and the mentions themselves."""

import hashlib
import re

from django.db import models
from django.urls import reverse

from articles.models.images import current_picture
from articles.slugs import make_slug

_SLUG_SAFE = re.compile(r"[-a-zA-Z0-9_]{1,64}")


class EntityQuerySet(models.QuerySet):
    def canonical(self):
        return self.filter(merged_into=None)


class Entity(models.Model):
    """A company or product that articles link to.

    Keyed by the provider's ``data-id``. When one company has several ids (京东), the extra
    ids are kept as entities ``merged_into`` the canonical one, so re-imports still resolve.
    """

    provider_id = models.CharField("提供方 ID", max_length=64, unique=True)
    name = models.CharField("名称", max_length=200, db_index=True)
    slug = models.SlugField("别名", max_length=200, unique=True)
    aliases = models.JSONField("别名列表", default=list, blank=True)
    kind = models.CharField("类型", max_length=20, blank=True, help_text="data-refer-type")
    logo_url = models.URLField("标志", max_length=1000, blank=True)
    local_pictures = models.JSONField("本地图片", default=dict, blank=True, editable=False)
    external_url = models.URLField("外部链接", max_length=1000, blank=True)
    is_never_link = models.BooleanField(
        "从不链接",
        default=False,
        help_text="常用词（如“得到”“一起”）误被标为实体时打开：所有提及都显示为普通文本。",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name="合并到",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
    )

    objects = EntityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "实体"
        verbose_name_plural = "实体"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.default_slug(self.name, self.provider_id)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:entity", kwargs={"slug": self.slug})

    @property
    def logo_picture(self) -> dict | None:
        """The local copy of ``logo_url`` with its renditions, None until it is localized."""
        return current_picture(self.local_pictures, "logo", self.logo_url)

    @staticmethod
    def default_slug(name: str, provider_id: str) -> str:
        # Provider ids are digits in real data. Any other id ("name:得到" for an anchor without
        # one, or a hostile data-id with "/" or quotes) would make a slug that no entity or
        # feed URL accepts: it is spelled in slug characters, with a hash to keep it unique.
        if not _SLUG_SAFE.fullmatch(provider_id):
            digest = hashlib.sha256(provider_id.encode()).hexdigest()[:10]
            provider_id = f"{make_slug(provider_id, fallback='id', max_length=40)}-{digest}"
        return f"{make_slug(name, fallback='entity', max_length=80)}-{provider_id}"


class Mention(models.Model):
    """An entity link in an article, with the importer's or an editor's verdict."""

    class Verdict(models.TextChoices):
        LINKED = "linked", "链接"
        FLAGGED = "flagged", "存疑"
        CONFIRMED = "confirmed", "已确认"
        REJECTED = "rejected", "已驳回"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="mentions"
    )
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="mentions")
    position = models.PositiveIntegerField("位置", help_text="正文中第几个实体链接，从 0 开始。")
    text = models.CharField("锚文本", max_length=300)
    verdict = models.CharField("判定", max_length=10, choices=Verdict, default=Verdict.LINKED)
    reason = models.CharField("原因", max_length=300, blank=True)

    class Meta:
        ordering = ["article", "position"]
        verbose_name = "实体提及"
        verbose_name_plural = "实体提及"
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="mention_unique_position")
        ]
        indexes = [models.Index(fields=["entity", "verdict"], name="mention_entity_idx")]

    def __str__(self):
        return f"{self.text} → {self.entity}"
