"""Write one parsed file (the caller holds the transaction)."""

from django.utils import timezone

from articles.importer.lookups import Lookups
from articles.importer.mention_rows import links_of, mention_rows, save_mentions
from articles.importer.results import fingerprint
from articles.ingest import (
    InputFile,
    ParsedArticle,
)
from articles.models import (
    Article,
    Attribution,
)
from articles.rendering import body_pictures, set_rendering
from articles.slugs import make_slug


def apply_parsed(
    article: Article,
    parsed: ParsedArticle,
    item: InputFile,
    lookups: Lookups,
    *,
    keep_visibility: bool = False,
) -> None:
    """Copy what was parsed onto ``article``. With ``keep_visibility`` (the importing user may
    not change what is public or when, ``editorial.authority``), a published or scheduled
    article keeps its time and embargo; the file's date still becomes the original's."""
    article.title = parsed.title
    article.slug = parsed.slug or make_slug(parsed.title, fallback="article")
    article.summary = parsed.summary
    article.raw = parsed.raw
    article.body = parsed.body
    article.header_image = parsed.header_image
    article.header_image_width, article.header_image_height = parsed.header_image_size or (
        None,
        None,
    )
    article.thumbnail = parsed.thumbnail
    article.author = lookups.author(parsed.author)
    article.category = lookups.category(parsed.categories)
    article.is_comments_enabled = parsed.comments
    article.warnings = parsed.warnings
    article.source_file = item.name[:500]
    article.import_key = item.key[:255]
    article.import_hash = parsed.content_hash
    article.imported_at = timezone.now()
    # Our publication time follows the file's date while the article is a draft or was
    # published as an archive import (our time = the original's); "publish now" set our own.
    follows_file = article.published_at == article.original_published_at
    locked = keep_visibility and article.status == Article.Status.PUBLISHED
    follows = article.status == Article.Status.DRAFT or follows_file
    if parsed.published_at is not None and follows and not locked:
        article.published_at = parsed.published_at
    article.original_published_at = parsed.published_at or article.original_published_at
    if not locked:
        article.embargo_until = parsed.embargo_until


def store_article(
    item: InputFile,
    parsed: ParsedArticle,
    existing: Article | None,
    publish: bool,
    lookups,
    editor: str = "",
    *,
    keep_visibility: bool = False,
) -> Article:
    """Write one parsed file; the caller holds the transaction.

    Everything derivable is computed before the first write, so a new article costs a
    handful of queries: the article, its attribution, its mentions and (if any) its tags.
    """
    article = existing or Article()
    apply_parsed(article, parsed, item, lookups, keep_visibility=keep_visibility)
    if existing is None and publish and parsed.published_at is not None and parsed.body:
        # An archive import: our time is the file's date. A takedown is never undone here
        # (``taken_down_at`` is not an import field).
        article.status = Article.Status.PUBLISHED
        article.responsible_editor = editor
    attribution = getattr(existing, "attribution", None) if existing else None
    attribution = attribution or Attribution()
    a = parsed.attribution
    attribution.source = lookups.source(a.outlet, a.channel, a.account_id) if a else None
    attribution.original_url = (a.original_url if a else "")[:1000]
    attribution.original_title = (a.original_title if a else "")[:500]
    attribution.roles = a.roles if a else {}
    attribution.republisher = (a.republisher if a else "")[:100]
    attribution.is_authorized = a.authorized if a else False
    attribution.raw_text = a.raw_text if a else ""
    rows = mention_rows(article, parsed.mentions, lookups)
    links = links_of(rows)
    # Images localized before (a re-import of a changed file) keep their local copies.
    images = body_pictures(article.body) if article.body and lookups.has_local_images() else {}
    if parsed.body_html is not None and parsed.rendered_links == links and not images:
        # Rendered from the parse: the usual case.
        set_rendering(article, parsed.body_html, fields=parsed.rendered_fields)
    else:
        set_rendering(article, links=links, images=images)
    article.import_fingerprint = fingerprint(article, attribution, parsed.tags)
    article.save()
    attribution.article = article
    # A new row: one INSERT (with its primary key set, save() tried an UPDATE first).
    attribution.save(force_insert=attribution._state.adding)
    save_mentions(article, rows, replace=existing is not None)
    if parsed.tags or existing is not None:
        article.tags.set(parsed.tags)
    return article
