"""List filters of the article changelist."""

from django.contrib import admin
from django.utils import timezone

from articles.models import Mention
from articles.models.public import draft_q, public_q, released_q, scheduled_q, standing_q

STATE_LABELS = {
    "draft": "草稿",
    "scheduled": "定时",
    "published": "已发布",
    "embargoed": "禁发期",
    "withdrawn": "授权失效",
    "taken-down": "已撤稿",
}


class StateFilter(admin.SimpleListFilter):
    title = "状态"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return list(STATE_LABELS.items())

    def queryset(self, request, queryset):
        # The same rule readers get (``articles.models.public``), split into its parts.
        now = timezone.now()
        released, standing = released_q(now), standing_q(now)
        if self.value() == "draft":
            return queryset.filter(draft_q(), taken_down_at__isnull=True)
        if self.value() == "scheduled":
            return queryset.filter(scheduled_q(now), taken_down_at__isnull=True)
        if self.value() == "published":
            return queryset.filter(public_q(now))
        if self.value() == "embargoed":
            return queryset.filter(released, taken_down_at__isnull=True).exclude(standing)
        if self.value() == "withdrawn":
            return queryset.filter(released, standing).exclude(public_q(now))
        if self.value() == "taken-down":
            return queryset.filter(taken_down_at__isnull=False)
        return queryset


class MentionFilter(admin.SimpleListFilter):
    title = "实体提及"
    parameter_name = "mentions"

    def lookups(self, request, model_admin):
        return [("flagged", "有存疑提及"), ("linked", "有链接提及"), ("none", "没有实体提及")]

    def queryset(self, request, queryset):
        if self.value() == "flagged":
            return queryset.filter(flagged_count__gt=0)
        if self.value() == "linked":
            return queryset.filter(linked_count__gt=0)
        if self.value() == "none":
            return queryset.exclude(pk__in=Mention.objects.values("article_id"))
        return queryset


class WarningFilter(admin.SimpleListFilter):
    title = "导入警告"
    parameter_name = "warnings"

    def lookups(self, request, model_admin):
        return [("yes", "有警告"), ("no", "没有警告")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(warnings=[])
        if self.value() == "no":
            return queryset.filter(warnings=[])
        return queryset
