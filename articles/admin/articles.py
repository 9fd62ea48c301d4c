"""The article admin: the changelist editors review and the change form (actions: ``publishing``).

Publishing (publish now, unpublish, schedule, and the status / publication time fields) needs
the ``articles.publish_article`` permission on every path: actions are hidden and refused
without it, and the change form shows those fields read-only, so a forged POST cannot set them.
"""

import json

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import OuterRef, Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from articles import editorial
from articles.admin import imports
from articles.admin.filters import STATE_LABELS, MentionFilter, StateFilter, WarningFilter
from articles.admin.forms import (
    ArticleAdminForm,
    AttributionForm,
    MentionForm,
)
from articles.admin.images import localize_images
from articles.admin.preview import preview_view
from articles.admin.publishing import PublishingActions
from articles.admin.utils import HttpsURLFields, count_of
from articles.editorial.authority import (
    CREDIT_FIELDS,
    VISIBILITY_FIELDS,
    can_publish,
    may_change_credit,
)
from articles.images.uploads import use_uploaded_header
from articles.importer import mentions_from_body, sync_mentions
from articles.mentions import LINKED
from articles.models import Article, Attribution, Mention
from articles.models.content import BODY_FIELDS


def state_badge(state: str):
    return format_html('<span class="nr-badge nr-state-{}">{}</span>', state, STATE_LABELS[state])


class AttributionInline(HttpsURLFields, admin.StackedInline):
    model = Attribution
    form = AttributionForm
    verbose_name = "原发来源与署名"
    verbose_name_plural = "原发来源与署名"
    autocomplete_fields = ["source"]
    placement = "credit"  # change_form.html shows it inside the "署名" fieldset
    can_delete = False
    extra = 1
    max_num = 1

    def get_readonly_fields(self, request, obj=None):
        # The outlet decides which licence applies (editorial.authority).
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and not may_change_credit(request.user, obj):
            return [*readonly, *CREDIT_FIELDS]
        return readonly


class MentionInline(admin.TabularInline):
    model = Mention
    form = MentionForm
    fields = ["position", "text", "entity", "verdict", "reason"]
    readonly_fields = ["position", "text", "reason"]
    autocomplete_fields = ["entity"]
    verbose_name_plural = "实体提及（存疑的请确认或驳回）"
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        # Mentions come from the body's entity links; edit the body to add one.
        return False


class ArticleChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The list never shows bodies: leave the large columns in the database.
        return super().get_queryset(request, exclude_parameters).defer(*BODY_FIELDS)


@admin.register(Article)
class ArticleAdmin(PublishingActions, HttpsURLFields, admin.ModelAdmin):
    form = ArticleAdminForm
    inlines = [AttributionInline, MentionInline]
    list_display = [
        "title",
        "state_column",
        "published_column",
        "outlet",
        "category_column",
        "linked_column",
        "flagged_column",
        "warnings_column",
    ]
    list_filter = [
        StateFilter,
        "published_at",
        ("attribution__source", admin.RelatedOnlyFieldListFilter),
        ("category", admin.RelatedOnlyFieldListFilter),
        MentionFilter,
        WarningFilter,
        ("author", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["category", "attribution__source", "author"]
    search_fields = [
        "title",
        "attribution__source__name",
        "author__name",
        "attribution__raw_text",
        "mentions__entity__name",
    ]
    search_help_text = "按标题、来源媒体、作者（本站署名或原作者）或实体名称搜索。"
    date_hierarchy = "published_at"
    autocomplete_fields = ["category", "author"]
    actions = [
        "publish_now",
        "publish_with_override",
        "schedule",
        "unpublish",
        "take_down",
        "restore",
        localize_images,
    ]
    list_per_page = 50
    readonly_fields = [
        "state_now",
        "original_published_at",
        "responsible_editor",
        "warnings_list",
        "source_file",
        "imported_at",
        "import_hash",
        "raw_display",
    ]
    fieldsets = [
        (
            "内容",
            {
                "fields": [
                    "title",
                    "slug",
                    "summary",
                    "body",
                    "header_image",
                    "header_upload",
                    ("header_image_width", "header_image_height"),
                    "thumbnail",
                ]
            },
        ),
        (
            "署名",
            {
                "fields": ["author"],
                "description": "“作者”是本站的发布账号；原发媒体、原作者和原文链接在下方填写。",
            },
        ),
        ("分类", {"fields": ["category", "tags"]}),
        (
            "发布",
            {
                "fields": [
                    "state_now",
                    "status",
                    "published_at",
                    "embargo_until",
                    "original_published_at",
                    "responsible_editor",
                    "is_comments_enabled",
                ]
            },
        ),
        (
            "导入信息",
            {
                "classes": ["collapse"],
                "fields": [
                    "warnings_list",
                    "source_file",
                    "imported_at",
                    "import_hash",
                    "raw_display",
                ],
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not can_publish(request.user):
            fields += [f for f in VISIBILITY_FIELDS if f not in fields]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.editor_user = request.user
        if "slug" in form.base_fields:
            form.base_fields["slug"].required = False
            form.base_fields["slug"].help_text = "网址里的英文别名；留空则由标题的拼音生成。"
        if "published_at" in form.base_fields:
            form.base_fields[
                "published_at"
            ].help_text = (
                "状态为“已发布”时：过去的时间立即公开，将来的时间到点自动公开；留空即现在。"
            )
        return form

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_visibility()  # the state column, with no query per row
            .annotate(
                linked_count=count_of(
                    Mention.objects.filter(article=OuterRef("pk"), verdict__in=LINKED), "article"
                ),
                flagged_count=count_of(
                    Mention.objects.filter(article=OuterRef("pk"), verdict=Mention.Verdict.FLAGGED),
                    "article",
                ),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        """Also find original authors and other credited people (the attribution's roles)."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            # SQLite stores JSON with \uXXXX escapes, PostgreSQL's jsonb as text: try both.
            escaped = json.dumps(term)[1:-1]
            by_role = queryset.filter(
                Q(attribution__roles__icontains=term) | Q(attribution__roles__icontains=escaped)
            )
            results = results | by_role
        return results, may_have_duplicates

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            *imports.urls(self),
            path("add/preview/", wrap(self.preview), name="articles_article_preview_add"),
            path("<path:object_id>/preview/", wrap(self.preview), name="articles_article_preview"),
            *super().get_urls(),
        ]

    def preview(self, request, object_id=None):
        return preview_view(self, request, object_id)

    def view_on_site(self, obj):
        if obj.is_public:
            return obj.get_absolute_url()
        return reverse("articles:preview", args=[obj.pk])

    def has_publish_permission(self, request):
        return can_publish(request.user)

    # Columns

    @admin.display(description="状态")
    def state_column(self, obj):
        return state_badge(obj.state)

    @admin.display(description="发布时间", ordering="published_at")
    def published_column(self, obj):
        if obj.published_at is None:
            return "—"
        return timezone.localtime(obj.published_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description="读者看到的")
    def state_now(self, obj):
        if obj.pk is None:
            return "尚未保存"
        return state_badge(obj.state)

    @admin.display(description="来源", ordering="attribution__source__name")
    def outlet(self, obj):
        attribution = getattr(obj, "attribution", None)
        return attribution.source.name if attribution and attribution.source else "—"

    @admin.display(description="分类", ordering="category__path")
    def category_column(self, obj):
        return str(obj.category) if obj.category_id else "—"

    @admin.display(description="链接", ordering="linked_count")
    def linked_column(self, obj):
        return obj.linked_count

    @admin.display(description="存疑", ordering="flagged_count")
    def flagged_column(self, obj):
        if not obj.flagged_count:
            return 0
        url = reverse("admin:articles_mention_changelist")
        query = f"?article__id__exact={obj.pk}&verdict__exact={Mention.Verdict.FLAGGED}"
        return format_html('<a class="nr-flagged" href="{}">{}</a>', url + query, obj.flagged_count)

    @admin.display(description="警告")
    def warnings_column(self, obj):
        count = len(obj.warnings or [])
        if not count:
            return 0
        return format_html(
            '<span class="nr-warning-count" title="{}">{}</span>', "\n".join(obj.warnings), count
        )

    @admin.display(description="导入警告")
    def warnings_list(self, obj):
        if not obj.warnings:
            return "无"
        return format_html(
            '<ul class="nr-warnings">{}</ul>',
            format_html_join("", "<li>{}</li>", ((w,) for w in obj.warnings)),
        )

    @admin.display(description="导入原文")
    def raw_display(self, obj):
        return format_html('<pre class="nr-raw">{}</pre>', obj.raw) if obj.raw else "—"

    # Saving

    def save_model(self, request, obj, form, change):
        obj._body_changed = not change or "body" in form.changed_data
        if upload := form.cleaned_data.get("header_upload"):
            use_uploaded_header(obj, upload)
        publishing = form.cleaned_data.get("status") == Article.Status.PUBLISHED and (
            not change or "status" in form.changed_data
        )
        if publishing:
            obj.responsible_editor = editorial.editor_name(request.user)
            if change and obj.original_published_at is None:
                obj.original_published_at = form.initial.get("published_at")
        obj._publishing = publishing
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """After the inlines are saved: re-sync mentions if the body changed, re-render."""
        super().save_related(request, form, formsets, change)
        article = form.instance
        if getattr(article, "_body_changed", False):
            sync_mentions(article, mentions_from_body(article.body))
        editorial.save_rendered(
            article, user=request.user, published=getattr(article, "_publishing", False)
        )
