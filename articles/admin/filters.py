"""List filters of the article changelist."""

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone

from articles.models import Article, Mention

STATE_LABELS = {"draft": "草稿", "scheduled": "定时", "published": "已发布"}


class StateFilter(admin.SimpleListFilter):
    title = "状态"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return list(STATE_LABELS.items())

    def queryset(self, request, queryset):
        now = timezone.now()
        published = Q(status=Article.Status.PUBLISHED)
        if self.value() == "draft":
            return queryset.exclude(published)
        if self.value() == "scheduled":
            return queryset.filter(published, published_at__gt=now)
        if self.value() == "published":
            return queryset.filter(published, published_at__lte=now)
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
