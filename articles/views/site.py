"""Site-wide files and error pages: media, robots.txt, 404 and 500."""

from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.decorators.csrf import requires_csrf_token
from django.views.static import was_modified_since

from articles import editorial, seo
from articles.caching import MAX_AGE, public_cache
from articles.context_processors import site_urls
from articles.models import Article
from articles.views.article import gone

# The image types the site writes (renditions, localized images, checked uploads) are shown
# as themselves; any other file under MEDIA_ROOT is a download, so nothing stored there (HTML,
# SVG, script) ever runs on this origin.
SHOWN_MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


def media_file(request, name):
    """A stored media file; one that only taken-down articles used answers 410.

    Served by Django so that a takedown takes effect here too (a front server that serves
    ``MEDIA_ROOT`` itself must ask this view, or purge the names, see the README).
    """
    path = media_path(name)
    if path is None:
        raise Http404("没有这个文件。")
    if editorial.is_withdrawn_media(name):
        return gone(request, "taken-down")
    modified_at = path.stat().st_mtime
    if not was_modified_since(request.headers.get("If-Modified-Since"), modified_at):
        response = HttpResponseNotModified()
    else:
        content_type = SHOWN_MEDIA_TYPES.get(path.suffix.lower())
        response = FileResponse(
            path.open("rb"),
            content_type=content_type or "application/octet-stream",
            as_attachment=content_type is None,
            filename=path.name,
        )
    response["Last-Modified"] = http_date(modified_at)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def media_path(name: str) -> Path | None:
    """The regular file ``name`` names under ``MEDIA_ROOT``, or None.

    Only the canonical spelling counts, the one pages link and takedowns record: no empty,
    ``.`` or ``..`` segment, no dotfile, no trailing slash. Otherwise ``images/./a.jpg``
    would serve a file withdrawn as ``images/a.jpg``. Links are resolved and must stay
    inside ``MEDIA_ROOT``; directories are never listed.
    """
    if "\\" in name or "\0" in name or any(part[:1] in ("", ".") for part in name.split("/")):
        return None
    root = Path(settings.MEDIA_ROOT).resolve()
    try:
        path = (root / name).resolve()
        is_file = path.is_relative_to(root) and path.is_file()
    except (OSError, RuntimeError):  # a name too long for the file system, a link loop
        return None
    return path if is_file else None


@public_cache
def robots_txt(request):
    everyone = [
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('articles:search')}",
        "Disallow: /preview/",
    ]
    lines = [
        "User-agent: *",
        *everyone,
        "",
        *_ai_crawler_rules(everyone),
        f"Sitemap: {seo.absolute(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def _ai_crawler_rules(everyone: list[str]) -> list[str]:
    """The AI crawlers (``NEWSROOM_AI_CRAWLERS``) may not fetch articles whose licence does
    not permit AI training: listed one by one, or, when those are the majority, all articles
    but the permitted ones (the longest matching rule wins). A crawler named in a group
    reads only that group, so it repeats the rules for everyone."""
    crawlers = settings.NEWSROOM_AI_CRAWLERS
    if not crawlers:
        return []
    public = Article.objects.published().order_by("pk")
    allowed = Q(licence__is_ai_training_allowed=True) | Q(
        licence__isnull=True, attribution__source__licence__is_ai_training_allowed=True
    )
    permitted = list(public.filter(allowed).values_list("pk", flat=True))
    forbidden = list(public.exclude(allowed).values_list("pk", flat=True))
    if not forbidden:
        return []
    short = reverse("articles:detail-short", args=[0])[: -len("0/")]
    if len(forbidden) <= len(permitted):
        rules = [f"Disallow: {short}{pk}/" for pk in forbidden]
    else:
        rules = [f"Allow: {short}{pk}/" for pk in permitted] + [f"Disallow: {short}"]
    return [*(f"User-agent: {name}" for name in crawlers), *everyone, *rules, ""]


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", {"meta": {"title": "页面不存在"}}, status=404)


def server_error(request):
    # No context processors and no database: whatever failed may fail again.
    html = loader.get_template("500.html").render(
        {
            "site_name": settings.NEWSROOM_SITE_NAME,
            "site_urls": site_urls(),
            "meta": {"title": "服务器出错了"},
        }
    )
    return HttpResponse(html, status=500)
