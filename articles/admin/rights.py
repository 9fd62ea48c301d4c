"""Licences (with their history), the takedown and editorial logs, the licensor's report and
each editor's profile (the real name credited as 责任编辑).

Every change goes through ``articles.editorial``: the admin only collects the input.
"""

import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from articles import editorial
from articles.admin.forms import EditorProfileForm
from articles.models import EditorialLog, EditorProfile, Licence, Source, Takedown
from articles.models.public import public_q, released_q, standing_q
from articles.models.rights import LICENCE_STATUS_LABELS

EXPIRING_DAYS = 30


def licence_badge(licence: Licence | None):
    status = licence.status() if licence else "none"
    return format_html(
        '<span class="nr-badge nr-licence-{}">{}</span>', status, LICENCE_STATUS_LABELS[status]
    )


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["holder", "basis", "status_column", "expires_on", "granted_by", "updated_at"]
    list_filter = ["basis", "is_ai_training_allowed"]
    list_select_related = ["source", "article"]
    search_fields = ["source__name", "article__title", "granted_by", "reference"]
    autocomplete_fields = ["source"]
    raw_id_fields = ["article"]
    readonly_fields = ["history"]
    fieldsets = [
        ("授权方", {"fields": ["source", "article"]}),
        (
            "授权",
            {
                "fields": [
                    "basis",
                    "granted_by",
                    "reference",
                    "granted_on",
                    "expires_on",
                    "revoked_at",
                    "note",
                ]
            },
        ),
        (
            "要求",
            {
                "fields": [
                    "requires_link_back",
                    "requires_original_title",
                    "requires_author_credit",
                    "is_ai_training_allowed",
                ]
            },
        ),
        ("历史", {"fields": ["history"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["source", "article"] if obj else fields

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("report/", wrap(self.report_view), name="articles_licence_report"),
            *super().get_urls(),
        ]

    @admin.display(description="授权方")
    def holder(self, obj):
        return obj.source.name if obj.source_id else f"单篇：{obj.article}"

    @admin.display(description="状态")
    def status_column(self, obj):
        return licence_badge(obj)

    @admin.display(description="修改记录")
    def history(self, obj):
        if obj is None or obj.pk is None:
            return "保存后记录每次修改。"
        rows = [
            (
                timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
                entry.actor or "—",
                entry.reason or "—",
                _changed_labels(entry.data.get("changed", [])),
                entry.data.get("expires_on") or "长期",
            )
            for entry in editorial.licence_history(obj)[:50]
        ]
        if not rows:
            return "无"
        return format_html(
            '<table class="nr-history"><thead><tr><th>时间</th><th>操作人</th><th>原因</th>'
            "<th>修改的字段</th><th>到期日</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
            ),
        )

    def save_model(self, request, obj, form, change):
        holder = obj.source or obj.article
        values = {
            name: form.cleaned_data[name]
            for name in editorial.LICENCE_FIELDS
            if name in form.cleaned_data
        }
        try:
            licence = editorial.set_licence(holder, user=request.user, reason="后台编辑", **values)
        except editorial.EditorialError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        obj.pk = licence.pk

    def delete_model(self, request, obj):
        editorial.delete_licence(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for licence in queryset:
            editorial.delete_licence(licence, user=request.user)

    def report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = licensor_report()
        if request.GET.get("format") == "csv":
            return report_csv(rows)
        context = {
            **self.admin_site.each_context(request),
            "title": "授权报告",
            "opts": self.opts,
            "rows": rows,
            "expiring_days": EXPIRING_DAYS,
        }
        return TemplateResponse(request, "admin/articles/licence/report.html", context)


def _changed_labels(names: list[str]) -> str:
    if names == ["deleted"]:
        return "删除"
    if set(editorial.LICENCE_FIELDS) <= set(names):
        return "登记"
    fields = {f.name: str(f.verbose_name) for f in Licence._meta.get_fields() if f.concrete}
    return "、".join(fields.get(name, name) for name in names) or "—"


def licensor_report(today=None) -> list[dict]:
    """Per outlet: its licence, live / withdrawn / taken-down article counts, and whether the
    licence ends within 30 days (one query for the counts)."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    prefix = "attributions__article__"
    sources = (
        Source.objects.select_related("licence")
        .annotate(
            live=Count("attributions", filter=public_q(now, prefix)),
            withdrawn=Count(
                "attributions",
                filter=released_q(now, prefix) & standing_q(now, prefix) & ~public_q(now, prefix),
            ),
            taken_down=Count(
                "attributions", filter=Q(attributions__article__taken_down_at__isnull=False)
            ),
        )
        .order_by("name")
    )
    rows = []
    for source in sources:
        licence = getattr(source, "licence", None)
        status = licence.status(today) if licence else "none"
        rows.append(
            {
                "source": source,
                "licence": licence,
                "status": status,
                "status_label": LICENCE_STATUS_LABELS[status],
                "expires_on": licence.expires_on if licence else None,
                "is_expiring": status == "expiring",
                "live": source.live,
                "withdrawn": source.withdrawn,
                "taken_down": source.taken_down,
            }
        )
    return rows


def report_csv(rows: list[dict]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="licences.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read the Chinese as UTF-8
    writer = csv.writer(response)
    writer.writerow(["来源", "授权类型", "授权状态", "到期日", "在线", "授权失效撤下", "已撤稿"])
    for row in rows:
        licence = row["licence"]
        writer.writerow(
            [
                row["source"].name,
                licence.get_basis_display() if licence else "",
                row["status_label"],
                row["expires_on"].isoformat() if row["expires_on"] else "",
                row["live"],
                row["withdrawn"],
                row["taken_down"],
            ]
        )
    return response


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Takedown)
class TakedownAdmin(ReadOnlyAdmin):
    list_display = [
        "article",
        "taken_down_at",
        "actor",
        "requested_by",
        "reason",
        "restored_at",
        "restored_by",
    ]
    list_filter = [("restored_at", admin.EmptyFieldListFilter)]
    list_select_related = ["article"]
    search_fields = ["article__title", "reason", "requested_by"]
    date_hierarchy = "taken_down_at"


@admin.register(EditorialLog)
class EditorialLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor", "article", "source", "reason"]
    list_filter = ["action"]
    list_select_related = ["article", "source"]
    search_fields = ["article__title", "source__name", "actor", "reason"]
    date_hierarchy = "created_at"


@admin.register(EditorProfile)
class EditorProfileAdmin(admin.ModelAdmin):
    """Not a list: one page where each staff user sets their own real name."""

    def get_model_perms(self, request):
        return {}  # kept off the index; the desk links to the profile page

    def get_urls(self):
        return [path("", self.admin_site.admin_view(self.profile_view), name="editor_profile")]

    def profile_view(self, request):
        profile, _ = EditorProfile.objects.get_or_create(user=request.user)
        form = EditorProfileForm(request.POST or None, instance=profile)
        if request.method == "POST" and form.is_valid():
            form.save()
            self.message_user(request, "已保存个人资料。", messages.SUCCESS)
            return redirect(reverse("admin:editor_profile"))
        context = {
            **self.admin_site.each_context(request),
            "title": "个人资料",
            "opts": self.opts,
            "form": form,
        }
        return TemplateResponse(request, "admin/articles/editorprofile/profile.html", context)
