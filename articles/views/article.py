"""The article page; a withdrawn article answers 410, a staff preview shows any."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView

from articles.article_page import article_context
from articles.caching import public_cache
from articles.models import Article
from articles.views.memo import versioned_context

GONE_NOTICES = {
    "taken-down": ("已撤稿", "应权利方要求，本文已撤下。"),
    "expired": ("授权已到期", "本文的转载授权已到期，本站不再提供。"),
    "revoked": ("授权已撤销", "本文的转载授权已被撤销，本站不再提供。"),
    "none": ("未登记授权", "本文没有登记转载授权，本站暂不提供。"),
}


def gone(request, cause: str) -> HttpResponse:
    """410 with a short notice: no body, no images, and nothing may keep a copy."""
    heading, text = GONE_NOTICES.get(cause, GONE_NOTICES["none"])
    context = {"heading": heading, "text": text, "meta": {"title": heading, "robots": "noindex"}}
    response = render(request, "410.html", context, status=410)
    response["Cache-Control"] = "no-store"
    return response


@method_decorator([public_cache, versioned_context], name="dispatch")
class ArticleDetailView(DetailView):
    """A public article; one taken down or no longer licensed answers 410 on every URL."""

    template_name = "articles/detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return (
            Article.objects.with_visibility()
            .defer("raw", "feed_html")
            .select_related("author", "category", "attribution__source__licence", "licence")
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.object.is_public_now:
            return self.withdrawn(request, self.object)
        if kwargs.get("slug") != self.object.slug:
            # A short link, or a slug from before an edit: the current URL, permanently.
            return redirect(self.object, permanent=True)
        response = self.render_to_response(self.get_context_data(object=self.object))
        licence = self.object.effective_licence
        if licence is None or not licence.is_ai_training_allowed:
            response["Content-Usage"] = "train-ai=n"  # IETF aipref vocabulary
        return response

    def withdrawn(self, request, article):
        if article.taken_down_at is not None:
            return gone(request, "taken-down")
        if article.is_released_now and article.is_standing_now:  # only a licence forbids it
            licence = article.effective_licence
            return gone(request, licence.status() if licence is not None else "none")
        raise Http404("没有这篇文章。")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**article_context(self.object), **kwargs)


@never_cache
@staff_member_required
def preview(request, pk):
    """Any article as readers would see it, drafts included; for staff who may view articles
    in the admin, never cached."""
    if not request.user.has_perm("articles.view_article"):
        raise PermissionDenied("预览文章需要查看文章的权限。")
    article = get_object_or_404(
        Article.objects.select_related("author", "category", "attribution__source"), pk=pk
    )
    response = render(request, "articles/detail.html", article_context(article, preview=True))
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
