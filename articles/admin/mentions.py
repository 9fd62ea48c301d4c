"""Entity mentions: the review list of flagged links, with one-click confirm and reject."""

import html
import re

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from articles import editorial
from articles.admin.forms import MentionForm
from articles.models import Mention
from articles.models.content import BODY_FIELDS

VERDICT_CLASSES = {
    Mention.Verdict.LINKED: "linked",
    Mention.Verdict.FLAGGED: "flagged",
    Mention.Verdict.CONFIRMED: "confirmed",
    Mention.Verdict.REJECTED: "rejected",
}

_ANCHOR = re.compile(
    r"<a\b[^>]*\bclass\s*=\s*[\"'][^\"']*\bproject-link\b[^>]*>(.*?)</a\s*>", re.I | re.S
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def _text(fragment: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", fragment)))


def mention_context(body: str, position: int, width: int = 18) -> tuple[str, str, str]:
    """(before, anchor text, after) around the ``position``-th entity link of ``body``."""
    for n, match in enumerate(_ANCHOR.finditer(body or "")):
        if n < position:
            continue
        before = body[max(0, match.start() - 1500) : match.start()]
        first_close = before.find(">")
        if first_close != -1 and not 0 <= before.find("<") < first_close:
            before = before[first_close + 1 :]  # a tag cut in half at the start
        after = re.sub(r"<[^>]*$", "", body[match.end() : match.end() + 1500])
        return _text(before)[-width:], _text(match[1]), _text(after)[:width]
    return "", "", ""


NEVER_LINK_BADGE = mark_safe(' <span class="nr-badge nr-state-draft">从不链接</span>')


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = [
        "text",
        "context_column",
        "entity_column",
        "verdict_column",
        "reason",
        "article_column",
        "decide_column",
    ]
    list_display_links = None
    list_filter = ["verdict", "entity__kind"]
    search_fields = ["text", "entity__name", "article__title"]
    search_help_text = "按锚文本、实体名称或文章标题搜索。"
    form = MentionForm
    fields = ["article_column", "position", "context_column", "entity", "verdict", "reason"]
    readonly_fields = ["article_column", "position", "context_column", "reason"]
    autocomplete_fields = ["entity"]
    actions = ["confirm", "reject"]
    list_per_page = 100

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article", "entity__merged_into")
            .defer(  # the body stays: the list shows each mention in its sentence
                *(f"article__{name}" for name in BODY_FIELDS if name != "body"),
                "article__warnings",
            )
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        # Links from the article and entity lists narrow this list to one of them.
        if lookup in ("article__id__exact", "entity__id__exact"):
            return True
        return super().lookup_allowed(lookup, value, request)

    def changelist_view(self, request, extra_context=None):
        # Reviewing flagged mentions is what this list is for: start there.
        if request.method == "GET" and not request.GET:
            return redirect(f"{request.path}?verdict__exact={Mention.Verdict.FLAGGED}")
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/<str:verdict>/",
                self.admin_site.admin_view(self.decide_view),
                name="articles_mention_decide",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="上下文")
    def context_column(self, obj):
        before, text, after = mention_context(obj.article.body, obj.position)
        if not text:
            return "—"
        return format_html(
            '<span class="nr-context">…{}<mark>{}</mark>{}…</span>', before, text, after
        )

    @admin.display(description="实体", ordering="entity__name")
    def entity_column(self, obj):
        entity = obj.entity.merged_into or obj.entity
        url = reverse("admin:articles_entity_change", args=[entity.pk])
        return format_html(
            '<a href="{}">{}</a> <span class="nr-muted">{}</span>{}',
            url,
            entity.name,
            entity.provider_id,
            NEVER_LINK_BADGE if entity.is_never_link else "",
        )

    @admin.display(description="判定", ordering="verdict")
    def verdict_column(self, obj):
        return format_html(
            '<span class="nr-verdict nr-verdict-{}">{}</span>',
            VERDICT_CLASSES[obj.verdict],
            obj.get_verdict_display(),
        )

    @admin.display(description="文章", ordering="article__title")
    def article_column(self, obj):
        url = reverse("admin:articles_article_change", args=[obj.article_id])
        return format_html('<a href="{}">{}</a>', url, obj.article.title)

    @admin.display(description="处理")
    def decide_column(self, obj):
        # Buttons inside the changelist form post there, with its CSRF token, to decide_view.
        buttons = []
        for verdict, label in (
            (Mention.Verdict.CONFIRMED, "确认"),
            (Mention.Verdict.REJECTED, "驳回"),
        ):
            if obj.verdict != verdict:
                url = reverse("admin:articles_mention_decide", args=[obj.pk, verdict])
                buttons.append(
                    format_html(
                        '<button type="submit" class="button nr-decide nr-decide-{}" '
                        'formaction="{}" formmethod="post">{}</button>',
                        verdict,
                        url,
                        label,
                    )
                )
        return format_html(" ".join(["{}"] * len(buttons)), *buttons) if buttons else "—"

    def decide_view(self, request, pk, verdict):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        mention = get_object_or_404(Mention.objects.select_related("article"), pk=pk)
        if not self.has_change_permission(request, mention):
            raise PermissionDenied
        if verdict not in Mention.Verdict.values:
            raise Http404("没有这种判定。")
        editorial.set_verdicts([mention.pk], verdict, user=request.user)
        mention.verdict = verdict
        self.log_change(request, mention, f"判定改为{mention.get_verdict_display()}")
        self.message_user(
            request,
            f"“{mention.text}”（{mention.article.title}）已{mention.get_verdict_display()}。",
            messages.SUCCESS,
        )
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("admin:articles_mention_changelist")
        return redirect(back)

    def _decide(self, request, queryset, verdict, label):
        ids = list(queryset.values_list("pk", flat=True))
        articles = editorial.set_verdicts(ids, verdict, user=request.user)
        self.message_user(
            request,
            f"已{label} {len(ids)} 个实体提及，重新渲染了 {articles} 篇文章。",
            messages.SUCCESS,
        )

    @admin.action(description="确认所选提及（显示为链接）", permissions=["change"])
    def confirm(self, request, queryset):
        self._decide(request, queryset, Mention.Verdict.CONFIRMED, "确认")

    @admin.action(description="驳回所选提及（显示为普通文本）", permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, Mention.Verdict.REJECTED, "驳回")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        editorial.rerender([obj.article_id])
