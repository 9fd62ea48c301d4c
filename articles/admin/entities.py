"""Entities: logos, article counts, the never-link switch and merging duplicates.

Every change that alters how a body renders (a verdict, the never-link switch, a merge)
re-renders the affected articles' ``body_html`` at once, so the site never shows stale links.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import OuterRef
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from articles import editorial
from articles.admin.forms import EntityAdminForm, MergeForm
from articles.admin.utils import HttpsURLFields, distinct_count_of
from articles.editorial import merge_entities
from articles.images.uploads import use_uploaded_logo
from articles.models import Entity, Mention


class MergedFilter(admin.SimpleListFilter):
    title = "合并"
    parameter_name = "merged"

    def lookups(self, request, model_admin):
        return [("no", "独立实体"), ("yes", "已合并到其他实体")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(merged_into=None)
        if self.value() == "yes":
            return queryset.exclude(merged_into=None)
        return queryset


def logo(url: str, size: int = 32):
    if not url:
        return "—"
    return format_html(
        '<img class="nr-logo" src="{}" alt="" width="{}" height="{}" loading="lazy" '
        'referrerpolicy="no-referrer">',
        url,
        size,
        size,
    )


@admin.register(Entity)
class EntityAdmin(HttpsURLFields, admin.ModelAdmin):
    form = EntityAdminForm
    list_display = [
        "logo_column",
        "name",
        "aliases_column",
        "provider_id",
        "kind",
        "external_column",
        "article_count",
        "is_never_link",
        "merged_into",
    ]
    list_display_links = ["name"]
    list_editable = ["is_never_link"]
    list_filter = ["is_never_link", MergedFilter, "kind"]
    list_select_related = ["merged_into"]
    search_fields = ["name", "provider_id", "aliases"]
    search_help_text = "按名称、提供方 ID 或别名搜索。"
    readonly_fields = ["logo_preview", "merged_into", "article_count"]
    actions = ["merge", "never_link_on", "never_link_off"]
    list_per_page = 100

    def get_fields(self, request, obj=None):
        return [
            "logo_preview",
            "name",
            "slug",
            "provider_id",
            "aliases",
            "kind",
            "logo_url",
            "logo_upload",
            "external_url",
            "is_never_link",
            "merged_into",
            "article_count",
        ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                articles_count=distinct_count_of(
                    Mention.objects.filter(entity=OuterRef("pk")), "entity", "article"
                )
            )
        )

    def get_search_results(self, request, queryset, search_term):
        # The article form's mention inline offers canonical entities only.
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        if request.path == reverse("admin:autocomplete"):
            queryset = queryset.filter(merged_into=None)
        return queryset, duplicates

    @admin.display(description="标志")
    def logo_column(self, obj):
        return logo(obj.logo_url)

    @admin.display(description="标志")
    def logo_preview(self, obj):
        return logo(obj.logo_url, 64)

    @admin.display(description="别名")
    def aliases_column(self, obj):
        return "、".join(obj.aliases or []) or "—"

    @admin.display(description="外部链接")
    def external_column(self, obj):
        if not obj.external_url:
            return "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">打开</a>', obj.external_url
        )

    @admin.display(description="文章数", ordering="articles_count")
    def article_count(self, obj):
        count = getattr(obj, "articles_count", 0)
        if not count:
            return 0
        url = reverse("admin:articles_mention_changelist")
        return format_html('<a href="{}?entity__id__exact={}">{}</a>', url, obj.pk, count)

    def save_model(self, request, obj, form, change):
        if upload := form.cleaned_data.get("logo_upload"):
            use_uploaded_logo(obj, upload)
        super().save_model(request, obj, form, change)
        if change and "is_never_link" in form.changed_data:
            count = editorial.set_never_link([obj.pk], obj.is_never_link, user=request.user)
            state = "不再链接" if obj.is_never_link else "恢复链接"
            self.message_user(request, f"“{obj.name}”{state}，已重新渲染 {count} 篇文章。")

    def _set_never_link(self, request, queryset, value: bool):
        ids = list(queryset.values_list("pk", flat=True))
        count = editorial.set_never_link(ids, value, user=request.user)
        state = "设为从不链接" if value else "恢复链接"
        self.message_user(
            request, f"已将 {len(ids)} 个实体{state}，重新渲染了 {count} 篇文章。", messages.SUCCESS
        )

    @admin.action(description="设为从不链接（常用词）", permissions=["change"])
    def never_link_on(self, request, queryset):
        self._set_never_link(request, queryset, True)

    @admin.action(description="恢复链接", permissions=["change"])
    def never_link_off(self, request, queryset):
        self._set_never_link(request, queryset, False)

    @admin.action(description="合并所选实体…", permissions=["change"])
    def merge(self, request, queryset):
        # A merged entity stands for its canonical one.
        selected = {(e.merged_into or e).pk for e in queryset.select_related("merged_into")}
        candidates = self.get_queryset(request).filter(pk__in=selected, merged_into=None)
        if len(selected) < 2:
            self.message_user(request, "请至少选择两个不同的实体再合并。", messages.WARNING)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None, queryset=candidates)
        if "apply" in request.POST and form.is_valid():
            target = form.cleaned_data["target"]
            others = [e for e in candidates if e.pk != target.pk]
            count = merge_entities(target, others, user=request.user)
            self.message_user(
                request,
                f"已把 {len(others)} 个实体合并到“{target.name}”，重新渲染了 {count} 篇文章。",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "合并实体",
            "opts": self.opts,
            "form": form,
            "objects": candidates,
            "kind": "entity",
            "action": "merge",
            "selected": queryset.values_list("pk", flat=True),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/merge.html", context)
