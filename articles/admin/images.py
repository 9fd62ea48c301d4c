"""The articles changelist action "本地化图片" (wired in the article admin's ``actions``)."""

from django.contrib import admin, messages

from articles.images.localize import Localizer

# An action answers within the request: downloads stop being started after this many seconds,
# and the rest is left to the next run (or to ``manage.py localize_images``).
ACTION_TIME_BUDGET = 20.0


@admin.action(description="本地化图片", permissions=["change"])
def localize_images(modeladmin, request, queryset):
    """Download the selected articles' remote images once, make renditions, re-render."""
    report = Localizer(time_budget=ACTION_TIME_BUDGET).localize_articles(
        queryset.order_by("pk").values_list("pk", flat=True)
    )
    modeladmin.message_user(
        request,
        f"{report.articles} 篇文章，{report.images} 张图片：新下载 {report.downloaded}，"
        f"已在本地 {report.already_local}，失败 {report.failed}；重新渲染 {report.rerendered} 篇。",
        messages.SUCCESS if not report.failed else messages.WARNING,
    )
    for url, reason in report.failures[:5]:
        modeladmin.message_user(request, f"{url}：{reason}", messages.WARNING)
    if report.skipped:
        modeladmin.message_user(
            request,
            f"{report.skipped} 张图片本次未处理（时间用完或不是可下载的网址），"
            "再次运行或使用 manage.py localize_images 继续。",
            messages.INFO,
        )
