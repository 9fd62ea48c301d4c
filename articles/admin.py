from django.contrib import admin

from articles.models import Article, Attribution, Author, Category, Entity, Mention, Source


class AttributionInline(admin.StackedInline):
    model = Attribution


class MentionInline(admin.TabularInline):
    model = Mention
    extra = 0
    raw_id_fields = ["entity"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "category"]
    list_filter = ["status"]
    search_fields = ["title"]
    inlines = [AttributionInline, MentionInline]


admin.site.register([Author, Category, Source, Entity])
