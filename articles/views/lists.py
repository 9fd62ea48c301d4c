"""List pages: home, category, tag, entity, source, author, archive and search."""

from datetime import datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.generic import ListView, TemplateView
from taggit.models import Tag, TaggedItem

from articles import listing, seo, visible
from articles.caching import public_cache
from articles.mentions import LINKED
from articles.models import Article, Attribution, Author, Entity, Mention, Source
from articles.views.memo import versioned_context

SEARCH_MAX_LENGTH = 60


def _page_number(request) -> int:
    value = request.GET.get("page", "1")
    if not value.isdigit() or not 1 <= int(value) <= 10_000:
        raise Http404("没有这一页。")
    return int(value)


@method_decorator([public_cache, versioned_context], name="dispatch")
class ArticleListView(ListView):
    """A paginated list of public articles; subclasses narrow it with ``filter_articles``."""

    template_name = "articles/list.html"
    context_object_name = "articles"
    paginate_by = settings.NEWSROOM_PAGE_SIZE
    heading = ""
    description = ""
    robots = seo.DEFAULT_ROBOTS
    feed_object = None
    # A category, tag, entity, outlet or byline with no public article has no page (a draft
    # would publish its name): an empty first page is 404, decided by the list query itself.
    needs_articles = False

    def get_queryset(self):
        # Tags come from attach_tags() below rather than taggit's prefetch.
        return self.filter_articles(Article.objects.published().for_lists().prefetch_related(None))

    def filter_articles(self, queryset):
        return queryset

    def paginate_queryset(self, queryset, page_size):
        page = listing.Pager(queryset, _page_number(self.request), page_size)
        if not page.object_list and (page.number > 1 or self.needs_articles):
            raise Http404("没有这一页。")
        listing.attach_tags(page.object_list)
        listing.attach_cards(page.object_list)
        return None, page, page.object_list, page.has_other_pages

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("首页", reverse("articles:home")), (self.heading, self.request.path)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        canonical = self.request.path + (f"?page={page.number}" if page.number > 1 else "")
        title = self.heading if page.number == 1 else f"{self.heading}（第 {page.number} 页）"
        crumbs = self.get_breadcrumbs()
        context.update(
            heading=self.heading,
            description=self.description,
            feed_object=self.feed_object,
            breadcrumbs=crumbs[1:] if len(crumbs) > 1 else [],
            meta={
                "title": title,
                "description": self.description
                or f"{self.heading} · {settings.NEWSROOM_SITE_NAME}",
                "canonical": seo.absolute(canonical),
                "robots": self.robots,
                "type": "website",
            },
            ld_breadcrumbs=seo.json_text(seo.breadcrumbs_jsonld(crumbs))
            if len(crumbs) > 1
            else None,
        )
        return context


class HomeView(ArticleListView):
    template_name = "articles/home.html"
    heading = "最新文章"
    description = "科技、互联网与商业新闻，转载自原发媒体并注明出处。"

    def get_breadcrumbs(self):
        return [("首页", reverse("articles:home"))]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first = context["page_obj"].number == 1
        context["ld_website"] = seo.json_text(seo.website_jsonld()) if first else None
        context["meta"]["title"] = (
            settings.NEWSROOM_SITE_NAME
            if context["page_obj"].number == 1
            else f"最新文章（第 {context['page_obj'].number} 页）"
        )
        return context


class CategoryView(ArticleListView):
    template_name = "articles/category.html"
    needs_articles = True

    def get(self, request, *args, **kwargs):
        # The category and its whole subtree in one query: the subtree's ids filter the list,
        # its first level is linked where it has public articles.
        path = kwargs["path"]
        self.subtree = visible.category_tree(path)
        self.category = next((c for c in self.subtree if c.path == path), None)
        if self.category is None:
            raise Http404("没有这个分类。")
        self.feed_object = self.category
        self.heading = self.category.name
        self.description = self.category.description or f"“{self.category}”分类下的文章。"
        return super().get(request, *args, **kwargs)

    def filter_articles(self, queryset):
        ids = [c.pk for c in self.subtree]
        if len(ids) == 1:  # the (category, status, published_at) index gives the order
            return queryset.filter(category_id=ids[0])
        depth = _page_number(self.request) * self.paginate_by + 1
        if depth * len(ids) > listing.MAX_MERGED_IDS:  # far back in a big tree: plain query
            return queryset.filter(category__in=ids)
        # Merge each category's newest (index order) rather than sort the whole tree, so the
        # first pages cost the same at 1,000 or 100,000 articles.
        return listing.by_ids(listing.newest_public_ids(ids, depth))

    def get_breadcrumbs(self):
        return [("首页", reverse("articles:home")), *self.category.breadcrumbs]

    def get_context_data(self, **kwargs):
        children = [c for c in self.subtree if c.parent_id == self.category.pk and c.is_shown]
        return super().get_context_data(
            category=self.category,
            children=children,
            current_category_path=self.category.path,
            **kwargs,
        )


class TagView(ArticleListView):
    template_name = "articles/tag.html"
    needs_articles = True

    def get(self, request, *args, **kwargs):
        self.tag = self.feed_object = get_object_or_404(Tag, slug=kwargs["slug"])
        self.heading = self.tag.name
        self.description = f"标签“{self.tag.name}”下的文章。"
        return super().get(request, *args, **kwargs)

    def filter_articles(self, queryset):
        few = listing.few_public_ids(
            TaggedItem,
            "object_id",
            tag_id=self.tag.pk,
            also={"content_type_id": listing.article_content_type().pk},
        )
        return listing.by_ids(few) if few is not None else queryset.filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class EntityView(ArticleListView):
    template_name = "articles/entity.html"
    needs_articles = True

    def get(self, request, *args, **kwargs):
        entity = get_object_or_404(
            Entity.objects.select_related("merged_into"), slug=kwargs["slug"]
        )
        if entity.merged_into_id:
            # Only to a page that exists: the redirect would name a hidden entity.
            if not visible.entities().filter(pk=entity.merged_into_id).exists():
                raise Http404("没有这个实体。")
            return redirect(entity.merged_into, permanent=True)
        if entity.is_never_link:
            raise Http404("此词条不作为实体展示。")
        self.entity = self.feed_object = entity
        # Its mentions count under its merged duplicates' ids too (京东 has two provider ids).
        self.entity_ids = [entity.pk, *entity.merged.order_by().values_list("pk", flat=True)]
        self.heading = entity.name
        self.description = f"提到“{entity.name}”的文章。"
        return super().get(request, *args, **kwargs)

    def filter_articles(self, queryset):
        linked = {"entity_id": self.entity_ids, "verdict": list(LINKED)}
        few = listing.few_public_ids(Mention, "article_id", **linked)
        if few is not None:
            return listing.by_ids(few)
        # Many: walk the date index, checking each article's own mentions (EXISTS), which
        # finds a page after a few rows instead of collecting every mention first.
        mentions = Mention.objects.filter(
            article=OuterRef("pk"), entity_id__in=self.entity_ids, verdict__in=LINKED
        )
        return queryset.filter(Exists(mentions))

    def get_context_data(self, **kwargs):
        return super().get_context_data(entity=self.entity, **kwargs)


class SourceView(ArticleListView):
    template_name = "articles/source.html"
    needs_articles = True

    def get(self, request, *args, **kwargs):
        self.source = self.feed_object = get_object_or_404(Source, slug=kwargs["slug"])
        self.heading = self.source.name
        self.description = f"转载自{self.source.get_channel_display()}“{self.source.name}”的文章。"
        return super().get(request, *args, **kwargs)

    def filter_articles(self, queryset):
        few = listing.few_public_ids(Attribution, "article_id", source_id=self.source.pk)
        if few is not None:
            return listing.by_ids(few)
        return queryset.filter(attribution__source=self.source)

    def get_context_data(self, **kwargs):
        return super().get_context_data(source=self.source, **kwargs)


class AuthorView(ArticleListView):
    template_name = "articles/author.html"
    needs_articles = True

    def get(self, request, *args, **kwargs):
        self.author = self.feed_object = get_object_or_404(Author, slug=kwargs["slug"])
        self.heading = self.author.name
        self.description = self.author.bio or f"{self.author.name} 发布的文章。"
        return super().get(request, *args, **kwargs)

    def filter_articles(self, queryset):
        return queryset.filter(author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class ArchiveView(ArticleListView):
    """Articles of one year or one month, in the site's time zone (Asia/Shanghai)."""

    template_name = "articles/archive.html"

    def get(self, request, *args, **kwargs):
        year, month = kwargs["year"], kwargs.get("month")
        if not 1970 <= year <= 9998 or (month is not None and not 1 <= month <= 12):
            raise Http404("没有这个日期。")
        tz = timezone.get_current_timezone()
        self.year, self.month = year, month
        if month is None:
            self.start = datetime(year, 1, 1, tzinfo=tz)
            self.end = datetime(year + 1, 1, 1, tzinfo=tz)
            self.heading = f"{year} 年"
        else:
            self.start = datetime(year, month, 1, tzinfo=tz)
            self.end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
            self.heading = f"{year} 年 {month} 月"
        self.description = f"{self.heading}发布的文章。"
        return super().get(request, *args, **kwargs)

    def filter_articles(self, queryset):
        return queryset.filter(published_at__gte=self.start, published_at__lt=self.end)

    def get_breadcrumbs(self):
        crumbs = [("首页", reverse("articles:home")), ("归档", reverse("articles:archive"))]
        year_url = reverse("articles:archive-year", kwargs={"year": self.year})
        crumbs.append((f"{self.year} 年", year_url))
        if self.month:
            crumbs.append((f"{self.month} 月", self.request.path))
        return crumbs

    def get_context_data(self, **kwargs):
        return super().get_context_data(year=self.year, month=self.month, **kwargs)


class SearchView(ArticleListView):
    """Title and summary search; every word must match (``icontains``: SQLite and PostgreSQL)."""

    template_name = "articles/search.html"
    heading = "搜索"
    robots = "noindex, follow"

    def get(self, request, *args, **kwargs):
        self.query = " ".join(request.GET.get("q", "").split())[:SEARCH_MAX_LENGTH]
        if self.query:
            self.heading = f"搜索：{self.query}"
        return super().get(request, *args, **kwargs)

    def filter_articles(self, queryset):
        if not self.query:
            return queryset.none()
        for word in self.query.split()[:8]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(summary__icontains=word))
        return queryset

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.query, **kwargs)


@method_decorator([public_cache, versioned_context], name="dispatch")
class ArchiveIndexView(TemplateView):
    template_name = "articles/archive_index.html"

    def get_context_data(self, **kwargs):
        months = (
            Article.objects.published()
            .annotate(month=TruncMonth("published_at"))
            .values("month")
            .annotate(count=Count("id"))
            .order_by("-month")
        )
        years: dict[int, list] = {}
        for row in months:
            years.setdefault(row["month"].year, []).append(row)
        crumbs = [("首页", reverse("articles:home")), ("归档", reverse("articles:archive"))]
        return super().get_context_data(
            years=sorted(years.items(), reverse=True),
            heading="归档",
            breadcrumbs=crumbs[1:],
            ld_breadcrumbs=seo.json_text(seo.breadcrumbs_jsonld(crumbs)),
            meta={
                "title": "归档",
                "description": f"{settings.NEWSROOM_SITE_NAME}按月份排列的全部文章。",
                "canonical": seo.absolute(reverse("articles:archive")),
                "robots": seo.DEFAULT_ROBOTS,
                "type": "website",
            },
            **kwargs,
        )
