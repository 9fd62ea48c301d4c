"""How articles are classified and credited: categories, our authors, original outlets."""

from django.db import models
from django.db.models import Q
from django.urls import reverse

from articles.models.images import current_picture
from articles.slugs import make_slug


class IndexingPolicy(models.TextChoices):
    NEWS_NOINDEX = "news-noindex", "自链 canonical，Google 新闻不收录"
    NOINDEX = "noindex", "不收录（noindex）"
    CANONICAL_TO_ORIGINAL = "canonical-to-original", "canonical 指向原文"
    SELF = "self", "自链 canonical，正常收录"


class Category(models.Model):
    """One node of the category tree; ``path`` is the slug path from the root."""

    name = models.CharField("名称", max_length=100)
    slug = models.SlugField("别名", max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径", max_length=500, unique=True, editable=False)
    name_path = models.JSONField("名称路径", default=list, editable=False)
    description = models.TextField("简介", blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = "分类"
        verbose_name_plural = "分类"
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent=None), name="category_unique_root_name"
            ),
        ]

    def __str__(self):
        return " › ".join(self.name_path or [self.name])

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = make_slug(self.name, fallback="category")
        if self.parent_id:
            self.path = f"{self.parent.path}/{self.slug}"
            self.name_path = [*self.parent.name_path, self.name]
        else:
            self.path = self.slug
            self.name_path = [self.name]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"path": self.path})

    @property
    def breadcrumbs(self) -> list[tuple[str, str]]:
        """(name, url) from the root down, built from stored paths without queries."""
        slugs = self.path.split("/")
        return [
            (name, reverse("articles:category", kwargs={"path": "/".join(slugs[: i + 1])}))
            for i, name in enumerate(self.name_path)
        ]


class Author(models.Model):
    """The byline on this site (the republishing account), not the original writer."""

    name = models.CharField("名称", max_length=100, unique=True)
    slug = models.SlugField("别名", max_length=100, unique=True)
    bio = models.TextField("简介", blank=True)
    avatar = models.ImageField("头像", upload_to="authors/", blank=True)
    local_pictures = models.JSONField("本地图片", default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "作者"
        verbose_name_plural = "作者"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = make_slug(self.name, fallback="author")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})

    @property
    def avatar_picture(self) -> dict | None:
        """The avatar's renditions (see ``articles.pictures``), None if it has none."""
        name = self.avatar.name if self.avatar else ""
        return current_picture(self.local_pictures, "avatar", name)


class Source(models.Model):
    """An outlet where articles first appeared: IT之家 on WeChat, a website, a newspaper."""

    class Channel(models.TextChoices):
        WECHAT = "wechat", "微信公众号"
        WEBSITE = "website", "网站"
        MEDIA = "media", "媒体"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=200)
    slug = models.SlugField("别名", max_length=200, unique=True)
    channel = models.CharField("渠道", max_length=20, choices=Channel, default=Channel.OTHER)
    account_id = models.CharField("账号 ID", max_length=100, blank=True)
    homepage = models.URLField("主页", max_length=500, blank=True)
    indexing_policy = models.CharField(
        "默认收录策略",
        max_length=30,
        choices=IndexingPolicy,
        default=IndexingPolicy.NEWS_NOINDEX,
        help_text="本来源文章的默认搜索引擎策略；逐字转载默认不进入 Google 新闻。",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "来源"
        verbose_name_plural = "来源"
        constraints = [
            models.UniqueConstraint(fields=["channel", "name"], name="source_unique_channel_name")
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = make_slug(self.name, fallback="source")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:source", kwargs={"slug": self.slug})
