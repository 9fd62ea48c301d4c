"""Sources, categories, authors and tags: small admins with article counts."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from taggit.models import Tag, TaggedItem

from articles.admin.forms import CategoryAdminForm, MergeForm
from articles.admin.rights import licence_badge
from articles.admin.utils import HttpsURLFields, count_of
from articles.editorial import merge_tags, save_category
from articles.images.uploads import use_uploaded_avatar, validate_image_upload
from articles.models import Article, Attribution, Author, Category, Source


@admin.register(Source)
class SourceAdmin(HttpsURLFields, admin.ModelAdmin):
    list_display = [
        "name",
        "channel",
        "account_id",
        "homepage_column",
        "indexing_policy",
        "licence_column",
        "article_count",
    ]
    list_filter = ["channel", "indexing_policy"]
    list_select_related = ["licence"]
    search_fields = ["name", "account_id"]
    search_help_text = "按名称或账号 ID 搜索。"
    fields = ["name", "slug", "channel", "account_id", "homepage", "indexing_policy"]
    list_per_page = 100

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                articles_count=count_of(Attribution.objects.filter(source=OuterRef("pk")), "source")
            )
        )

    @admin.display(description="主页")
    def homepage_column(self, obj):
        if not obj.homepage:
            return "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>',
            obj.homepage,
            obj.homepage,
        )

    @admin.display(description="文章数", ordering="articles_count")
    def article_count(self, obj):
        return obj.articles_count

    @admin.display(description="授权")
    def licence_column(self, obj):
        licence = getattr(obj, "licence", None)
        badge = licence_badge(licence)
        if licence is None:
            url = reverse("admin:articles_licence_add") + f"?source={obj.pk}"
        else:
            url = reverse("admin:articles_licence_change", args=[licence.pk])
        return format_html('<a href="{}">{}</a>', url, badge)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryAdminForm
    list_display = ["tree_name", "path", "article_count"]
    search_fields = ["name", "path"]
    ordering = ["path"]
    autocomplete_fields = ["parent"]
    list_per_page = 200

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                articles_count=count_of(Article.objects.filter(category=OuterRef("pk")), "category")
            )
        )

    @admin.display(description="分类", ordering="path")
    def tree_name(self, obj):
        depth = len(obj.name_path or [obj.name]) - 1
        if not depth:
            return format_html('<strong class="nr-tree-root">{}</strong>', obj.name)
        # Full-width spaces indent without style attributes (the admin runs under a strict CSP).
        return format_html('<span class="nr-tree">{}└ {}</span>', "\u3000" * (depth - 1), obj.name)

    @admin.display(description="文章数", ordering="articles_count")
    def article_count(self, obj):
        return obj.articles_count

    def save_model(self, request, obj, form, change):
        save_category(obj, set(form.changed_data) if change else set(), user=request.user)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["avatar_column", "name", "slug", "article_count"]
    list_display_links = ["name"]
    search_fields = ["name"]
    fields = ["avatar_preview", "name", "slug", "bio", "avatar"]
    readonly_fields = ["avatar_preview"]
    list_per_page = 100

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["avatar"].validators.append(validate_image_upload)
        return form

    def save_model(self, request, obj, form, change):
        if "avatar" in form.changed_data and form.cleaned_data.get("avatar"):
            use_uploaded_avatar(obj, form.cleaned_data["avatar"])
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                articles_count=count_of(Article.objects.filter(author=OuterRef("pk")), "author")
            )
        )

    def _avatar(self, obj, size):
        if not obj.avatar:
            return format_html('<span class="nr-avatar nr-avatar-empty">{}</span>', obj.name[:1])
        return format_html(
            '<img class="nr-avatar" src="{}" alt="" width="{}" height="{}">',
            obj.avatar.url,
            size,
            size,
        )

    @admin.display(description="头像")
    def avatar_column(self, obj):
        return self._avatar(obj, 32)

    @admin.display(description="头像预览")
    def avatar_preview(self, obj):
        return self._avatar(obj, 96) if obj.pk else "—"

    @admin.display(description="文章数", ordering="articles_count")
    def article_count(self, obj):
        return obj.articles_count


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge"]
    list_per_page = 100

    def get_queryset(self, request):
        article_type = ContentType.objects.get_for_model(Article)
        return (
            super()
            .get_queryset(request)
            .annotate(
                articles_count=count_of(
                    TaggedItem.objects.filter(tag=OuterRef("pk"), content_type=article_type),
                    "tag",
                )
            )
        )

    @admin.display(description="文章数", ordering="articles_count")
    def article_count(self, obj):
        return obj.articles_count

    @admin.action(description="合并所选标签…", permissions=["change", "delete"])
    def merge(self, request, queryset):
        if queryset.count() < 2:
            self.message_user(request, "请至少选择两个标签再合并。", messages.WARNING)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None, queryset=queryset)
        if "apply" in request.POST and form.is_valid():
            target = form.cleaned_data["target"]
            others = [t for t in queryset if t.pk != target.pk]
            moved = merge_tags(target, others, user=request.user)
            self.message_user(
                request,
                f"已把 {len(others)} 个标签合并到“{target.name}”，移动了 {moved} 处使用。",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "合并标签",
            "opts": self.opts,
            "form": form,
            "objects": queryset,
            "kind": "tag",
            "action": "merge",
            "selected": queryset.values_list("pk", flat=True),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/merge.html", context)
