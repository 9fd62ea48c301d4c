"""The article admin's publishing actions: publish now (with a licence override), schedule,
unpublish, take down and restore, each an intermediate form where it needs a reason or a time.
Every one calls ``articles.editorial``; this module only collects input and reports."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import timezone

from articles import editorial
from articles.admin.forms import (
    OverrideForm,
    RestoreForm,
    ScheduleForm,
    TakedownForm,
)
from articles.models import Article
from articles.models.content import BODY_FIELDS


class PublishingActions:
    """Mixed into ``ArticleAdmin``; the actions need the ``publish`` permission."""

    def _report(self, request, result: editorial.PublishResult, done: str) -> None:
        if result.published:
            self.message_user(request, done.format(n=len(result.published)), messages.SUCCESS)
        if result.empty:
            self.message_user(
                request,
                f"{len(result.empty)} 篇正文为空，没有发布；补上正文后再发布。",
                messages.WARNING,
            )
        if result.taken_down:
            self.message_user(
                request,
                f"{len(result.taken_down)} 篇已撤稿，没有发布；先在撤稿记录中恢复。",
                messages.WARNING,
            )
        if result.unlicensed:
            rows = Article.objects.filter(pk__in=result.unlicensed).values_list(
                "title", "attribution__source__name"
            )[:5]
            titles = "、".join(
                f"“{title}”（{source}）" if source else f"“{title}”" for title, source in rows
            )
            self.message_user(
                request,
                f"{len(result.unlicensed)} 篇没有发布，其来源的授权已到期、被撤销或未登记："
                f"{titles}。"
                "请先续签授权；发布者可用“覆盖授权并发布”并填写原因，原因会记入日志。",
                messages.ERROR,
            )

    def _editor_or_refuse(self, request) -> str | None:
        name = editorial.editor_name(request.user)
        if not name:
            self.message_user(
                request,
                "发布前请先在“个人资料”中填写真实姓名：它将作为“责任编辑”显示在文章页上。",
                messages.ERROR,
            )
            return None
        return name

    @admin.action(description="立即发布所选文章", permissions=["publish"])
    def publish_now(self, request, queryset):
        """Publish at this moment (the original's date stays as 原文发布于)."""
        if (editor := self._editor_or_refuse(request)) is None:
            return
        ids = list(queryset.values_list("pk", flat=True))
        result = editorial.publish_now(ids, user=request.user, editor=editor)
        self._report(request, result, "已发布 {n} 篇文章。")

    @admin.action(description="覆盖授权并发布所选文章…", permissions=["publish"])
    def publish_with_override(self, request, queryset):
        def apply(form, ids):
            if (editor := self._editor_or_refuse(request)) is None:
                return
            result = editorial.publish_now(
                ids, user=request.user, editor=editor, override_reason=form.cleaned_data["reason"]
            )
            self._report(request, result, "已发布 {n} 篇文章（授权覆盖已记入日志）。")

        return self._reason_action(
            request, queryset, OverrideForm, apply, "覆盖授权并发布", "publish_with_override"
        )

    @admin.action(description="撤回所选文章（改为草稿）", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = editorial.unpublish(queryset.values_list("pk", flat=True), user=request.user)
        self.message_user(request, f"已撤回 {count} 篇文章，它们现在是草稿。", messages.SUCCESS)

    @admin.action(description="定时发布所选文章…", permissions=["publish"])
    def schedule(self, request, queryset):
        def apply(form, ids):
            when = form.cleaned_data["published_at"]
            result = editorial.schedule(ids, when, user=request.user)
            local = timezone.localtime(when).strftime("%Y-%m-%d %H:%M")
            self._report(request, result, f"{{n}} 篇文章将于 {local} 发布。")

        return self._reason_action(request, queryset, ScheduleForm, apply, "定时发布", "schedule")

    @admin.action(description="撤稿所选文章…", permissions=["publish"])
    def take_down(self, request, queryset):
        def apply(form, ids):
            done = editorial.take_down(
                ids,
                reason=form.cleaned_data["reason"],
                requested_by=form.cleaned_data["requested_by"],
                user=request.user,
            )
            self.message_user(
                request,
                f"已撤稿 {len(done)} 篇文章：所有网址立即返回 410，订阅源发出删除通知。",
                messages.SUCCESS,
            )

        return self._reason_action(request, queryset, TakedownForm, apply, "撤稿", "take_down")

    @admin.action(description="恢复所选的已撤稿文章…", permissions=["publish"])
    def restore(self, request, queryset):
        def apply(form, ids):
            restored = 0
            for pk in Article.objects.filter(pk__in=ids, taken_down_at__isnull=False).values_list(
                "pk", flat=True
            ):
                editorial.restore(pk, reason=form.cleaned_data["reason"], user=request.user)
                restored += 1
            self.message_user(request, f"已恢复 {restored} 篇文章。", messages.SUCCESS)

        return self._reason_action(request, queryset, RestoreForm, apply, "恢复撤稿", "restore")

    def _reason_action(self, request, queryset, form_class, apply, title, action):
        """An intermediate page asks for the form; it posts back to the same action."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            try:
                apply(form, list(queryset.values_list("pk", flat=True)))
            except editorial.EditorialError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "form": form,
            "articles": queryset.defer(*BODY_FIELDS),
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/articles/article/reason_action.html", context)
