"""Reader-facing pages: thin class-based views over ``Article.objects.published()``."""

from django.conf import settings
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from articles.models import Article, Author, Category, Entity, Source


class ArticleListMixin:
    paginate_by = settings.NEWSROOM_PAGE_SIZE
    template_name = "articles/list.html"
    context_object_name = "articles"
    heading = ""

    def get_queryset(self):
        return Article.objects.published().for_lists()

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.heading, **kwargs)


class HomeView(ArticleListMixin, ListView):
    heading = "最新文章"


class CategoryView(ArticleListMixin, ListView):
    def get_queryset(self):
        self.category = get_object_or_404(Category, path=self.kwargs["path"])
        self.heading = str(self.category)
        in_tree = Q(category=self.category) | Q(category__path__startswith=self.category.path + "/")
        return super().get_queryset().filter(in_tree)


class TagView(ArticleListMixin, ListView):
    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        self.heading = f"标签：{self.tag.name}"
        return super().get_queryset().filter(tags=self.tag)


class EntityView(ArticleListMixin, ListView):
    def get_queryset(self):
        self.entity = get_object_or_404(Entity, slug=self.kwargs["slug"])
        self.heading = self.entity.name
        return super().get_queryset().filter(mentions__entity=self.entity).distinct()


class SourceView(ArticleListMixin, ListView):
    def get_queryset(self):
        self.source = get_object_or_404(Source, slug=self.kwargs["slug"])
        self.heading = f"来源：{self.source.name}"
        return super().get_queryset().filter(attribution__source=self.source)


class AuthorView(ArticleListMixin, ListView):
    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        self.heading = f"作者：{self.author.name}"
        return super().get_queryset().filter(author=self.author)


class ArticleDetailView(DetailView):
    template_name = "articles/detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.published().select_related(
            "author", "category", "attribution__source"
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if kwargs.get("slug") != self.object.slug:
            return redirect(self.object, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))
