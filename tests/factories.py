"""Plain factory functions: each makes a saved object with sensible defaults."""

import itertools
from datetime import timedelta

from django.utils import timezone

from articles import rendering
from articles.models import Article, Attribution, Author, Category, Entity, Mention, Source

_seq = itertools.count(1)


def make_category(*names: str) -> Category:
    parent = None
    for name in names or ("新媒体",):
        parent, _ = Category.objects.get_or_create(parent=parent, name=name)
    return parent


def make_author(name: str | None = None) -> Author:
    return Author.objects.create(name=name or f"作者{next(_seq)}")


def make_source(name: str | None = None, **kwargs) -> Source:
    kwargs.setdefault("channel", Source.Channel.WECHAT)
    kwargs.setdefault("account_id", f"acct{next(_seq)}")
    return Source.objects.create(name=name or f"来源{next(_seq)}", **kwargs)


def make_entity(name: str | None = None, **kwargs) -> Entity:
    n = next(_seq)
    kwargs.setdefault("provider_id", str(100000 + n))
    return Entity.objects.create(name=name or f"公司{n}", **kwargs)


def make_article(
    title: str | None = None,
    *,
    published: bool = True,
    published_at=None,
    body: str = "<p>正文第一段，足够长的文字。</p>",
    source: Source | None = None,
    roles: dict | None = None,
    tags: tuple[str, ...] = (),
    entities: tuple[Entity, ...] = (),
    **kwargs,
) -> Article:
    """A saved article; with ``entities`` the body gets one linked anchor per entity."""
    n = next(_seq)
    if entities:
        body += "".join(
            f'<p>提到<a class="project-link" data-id="{e.provider_id}" data-name="{e.name}" '
            f'href="https://36kr.com/projectDetails/{e.provider_id}">{e.name}</a>。</p>'
            for e in entities
        )
    if published_at is None:
        published_at = timezone.now() - timedelta(hours=n)
    article = Article.objects.create(
        title=title or f"文章标题{n}",
        summary=kwargs.pop("summary", "摘要"),
        body=body,
        status=Article.Status.PUBLISHED if published else Article.Status.DRAFT,
        published_at=published_at,
        **kwargs,
    )
    Attribution.objects.create(
        article=article,
        source=source,
        roles=roles if roles is not None else {"作者": ["张三"]},
        original_url="https://mp.weixin.qq.com/s/example" if source else "",
        is_authorized=source is not None,
        republisher="36氪" if source else "",
    )
    for position, entity in enumerate(entities):
        Mention.objects.create(article=article, entity=entity, position=position, text=entity.name)
    if tags:
        article.tags.add(*tags)
    rendering.rerender(article, links=[e.get_absolute_url() for e in entities], images={})
    return article


def version_queries() -> int:
    """Queries the content version costs each anonymous request: one on the database store
    (the embedded default), none on the shared cache (Redis)."""
    from django.conf import settings

    return 1 if settings.NEWSROOM_CONTENT_VERSION_STORE == "db" else 0
