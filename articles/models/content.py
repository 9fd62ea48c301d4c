"""Articles and their credit (``Attribution``).

An article keeps the file it was imported from (``raw``) unchanged; ``body`` is the editable
HTML taken from it and ``body_html`` the sanitized rendering derived from ``body`` and the
mention verdicts. Rendering happens on save, never per request.
"""

import uuid

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

from articles.models.entities import Entity
from articles.models.images import current_picture
from articles.models.public import as_flag, licensed_q, public_q, released_q, standing_q
from articles.models.taxonomy import Author, Category, IndexingPolicy, Source
from articles.slugs import make_slug

# The heavy text columns: lists, related articles and admin change lists never load them.
BODY_FIELDS = ("raw", "body", "body_html", "body_opening", "feed_html", "body_images")


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """What readers may see (the rule is ``articles.models.public.public_q``)."""
        return self.filter(public_q(now))

    def not_published(self, now=None):
        return self.exclude(pk__in=self.published(now).values("pk"))

    def with_visibility(self, now=None):
        """Annotate ``is_public_now``, ``is_released_now`` (published, time reached),
        ``is_standing_now`` (not taken down, embargo passed) and ``is_licensed_now``."""
        now = now or timezone.now()
        return self.annotate(
            is_public_now=as_flag(public_q(now)),
            is_released_now=as_flag(released_q(now)),
            is_standing_now=as_flag(standing_q(now)),
            is_licensed_now=as_flag(licensed_q(timezone.localdate(now))),
        )

    def for_lists(self):
        """Everything a list item shows, with no body and a fixed number of queries."""
        return (
            self.defer(*BODY_FIELDS, "warnings")
            .select_related("author", "category", "attribution__source")
            .prefetch_related("tags")
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    guid = models.UUIDField("GUID", default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField("标题", max_length=300)
    slug = models.SlugField("别名", max_length=120)
    summary = models.TextField("摘要", blank=True)
    raw = models.TextField("导入原文", blank=True, help_text="导入的原始文件，永不修改。")
    body = models.TextField("正文（源）", blank=True)
    body_html = models.TextField("正文（渲染）", blank=True, editable=False)
    # Derived with body_html by articles.rendering, so no request parses the body.
    body_opening = models.TextField("正文开头（纯文本）", blank=True, editable=False)
    feed_html = models.TextField("正文（订阅源）", blank=True, editable=False)
    is_dek_shown = models.BooleanField(
        "显示导语",
        default=False,
        editable=False,
        help_text="摘要不只是正文开头时，文章页显示摘要。",
    )
    reading_minutes = models.PositiveIntegerField("阅读时间（分钟）", default=0, editable=False)
    body_images = models.JSONField("正文图片", default=list, blank=True, editable=False)
    header_image = models.URLField("头图", max_length=1000, blank=True)
    header_image_width = models.PositiveIntegerField(null=True, blank=True)
    header_image_height = models.PositiveIntegerField(null=True, blank=True)
    thumbnail = models.URLField("缩略图", max_length=1000, blank=True)
    local_pictures = models.JSONField(
        "本地图片",
        default=dict,
        blank=True,
        editable=False,
        help_text="头图和缩略图的本地副本与衍生图（localize_images 填写）。",
    )
    author = models.ForeignKey(
        Author,
        verbose_name="作者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    category = models.ForeignKey(
        Category,
        verbose_name="分类",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text="分类路径的末级，例如 新媒体 › 36kr › 资讯。",
    )
    tags = TaggableManager("标签", blank=True)
    entities = models.ManyToManyField(
        Entity, through="Mention", related_name="articles", verbose_name="实体", blank=True
    )
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "发布时间", null=True, blank=True, help_text="本站的发布时间；列表和订阅按它排序。"
    )
    original_published_at = models.DateTimeField(
        "原文发布时间", null=True, blank=True, help_text="原发媒体的发布时间（导入文件的日期）。"
    )
    embargo_until = models.DateTimeField(
        "禁发至", null=True, blank=True, help_text="在此之前无论状态如何都不公开。"
    )
    taken_down_at = models.DateTimeField(
        "撤稿时间", null=True, blank=True, editable=False, help_text="撤稿后所有网址返回 410。"
    )
    responsible_editor = models.CharField(
        "责任编辑", max_length=100, blank=True, help_text="发布者的真实姓名，发布时记录。"
    )
    is_comments_enabled = models.BooleanField("允许评论", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    warnings = models.JSONField("导入警告", default=list, blank=True)
    # Import provenance.
    source_file = models.CharField("导入文件", max_length=500, blank=True)
    import_key = models.CharField(
        max_length=255, null=True, blank=True, unique=True, editable=False
    )
    import_hash = models.CharField("内容哈希", max_length=64, blank=True, editable=False)
    import_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    imported_at = models.DateTimeField("导入时间", null=True, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = "文章"
        verbose_name_plural = "文章"
        permissions = [("publish_article", "可以发布、撤回和定时发布文章")]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_public_idx"),
            models.Index(fields=["category", "status", "-published_at"], name="article_cat_idx"),
            models.Index(fields=["author", "status", "-published_at"], name="article_author_idx"),
            models.Index(fields=["-updated_at"], name="article_updated_idx"),
            models.Index(fields=["taken_down_at"], name="article_takedown_idx"),
            models.Index(fields=["embargo_until"], name="article_embargo_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="article_published_has_date",
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = make_slug(self.title, fallback="article")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def effective_licence(self):
        """The licence that governs it: its own, else its outlet's, else None (a query each
        unless ``licence`` and ``attribution__source__licence`` are selected)."""
        if self.pk is None:
            return None
        try:
            return self.licence
        except ObjectDoesNotExist:
            pass
        try:
            source = self.attribution.source
            return source.licence if source is not None else None
        except ObjectDoesNotExist:
            return None

    @property
    def is_public(self) -> bool:
        """Whether readers may see it now (one query unless annotated by ``with_visibility``)."""
        if hasattr(self, "is_public_now"):
            return bool(self.is_public_now)
        return self.pk is not None and Article.objects.published().filter(pk=self.pk).exists()

    @property
    def state(self) -> str:
        """draft, scheduled, published, taken-down, embargoed or withdrawn (a licence forbids
        it), as an editor thinks of it; exact on rows annotated by ``with_visibility``."""
        if self.taken_down_at is not None:
            return "taken-down"
        if self.status != self.Status.PUBLISHED:
            return "draft"
        if hasattr(self, "is_public_now"):
            if self.is_public_now:
                return "published"
            if not self.is_released_now:
                return "scheduled"
            return "embargoed" if not self.is_standing_now else "withdrawn"
        if self.published_at is not None and self.published_at > timezone.now():
            return "scheduled"
        if self.embargo_until is not None and self.embargo_until > timezone.now():
            return "embargoed"
        return "published" if self.is_public else "withdrawn"

    @property
    def header_picture(self) -> dict | None:
        """The local copy of ``header_image`` with its renditions, None until it is localized.

        A dict with ``src``, ``srcset``, ``webp_srcset``, ``sizes``, ``width``, ``height``,
        ``type``, ``large`` (+ ``large_width``/``large_height``), ``remote`` and ``animated``;
        read from this row, no query. It is dropped as soon as ``header_image`` changes.
        """
        return current_picture(self.local_pictures, "header", self.header_image)

    @property
    def thumbnail_picture(self) -> dict | None:
        """Like ``header_picture``, for the list thumbnail (the header image when none)."""
        if not self.thumbnail:
            return self.header_picture
        return current_picture(self.local_pictures, "thumbnail", self.thumbnail)


CREDIT_ORDER = (
    "作者",
    "记者",
    "采访",
    "撰文",
    "译者",
    "翻译",
    "编译",
    "整理",
    "编辑",
    "校对",
    "审校",
)


class Attribution(models.Model):
    """Who the article belongs to: the outlet, the original link and the people credited."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="attribution"
    )
    source = models.ForeignKey(
        Source,
        verbose_name="来源",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attributions",
    )
    original_url = models.URLField("原文链接", max_length=1000, blank=True)
    original_title = models.CharField("原标题", max_length=500, blank=True)
    roles = models.JSONField(
        "署名", default=dict, blank=True, help_text='角色到姓名列表，例如 {"作者": ["郑玥"]}'
    )
    republisher = models.CharField("转载方", max_length=100, blank=True)
    is_authorized = models.BooleanField("经授权发布", default=False)
    raw_text = models.TextField("原始署名文本", blank=True)
    indexing_policy = models.CharField(
        "收录策略",
        max_length=30,
        choices=IndexingPolicy,
        blank=True,
        help_text="留空则使用来源的默认策略。",
    )

    class Meta:
        verbose_name = "署名"
        verbose_name_plural = "署名"

    def __str__(self):
        return f"{self.source or '—'}: {self.article_id}"

    @property
    def effective_policy(self) -> str:
        if self.indexing_policy:
            return self.indexing_policy
        if self.source_id:
            return self.source.indexing_policy
        return IndexingPolicy.NEWS_NOINDEX

    @property
    def authors(self) -> list[str]:
        return self.roles.get("作者", [])

    @property
    def credits(self) -> list[tuple[str, list[str]]]:
        """(role, names) pairs in reading order: 作者 first, then the other roles.

        PostgreSQL's jsonb does not keep key order, so the order is imposed here.
        """
        known = {role: i for i, role in enumerate(CREDIT_ORDER)}
        roles = [(role, names) for role, names in (self.roles or {}).items() if names]
        return sorted(roles, key=lambda item: (known.get(item[0], len(known)), item[0]))
