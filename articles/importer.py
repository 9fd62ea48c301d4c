"""Store parsed import files: idempotent upserts, one transaction per file.

The Python API behind both ``manage.py import_articles`` and the admin's import page::

    for result in import_files(collect(paths, max_bytes=...), publish=True):
        print(result.file, result.status)
"""

import hashlib
import json
import multiprocessing
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.urls import reverse
from django.utils import timezone

from articles.ingest import (
    ImportRejected,
    InputFile,
    MentionData,
    ParsedArticle,
    parse_article,
    render_body,
)
from articles.ingest.body import parse_html
from articles.ingest.entities import find_mentions
from articles.mentions import EDITOR_VERDICTS, entity_key, kept_verdict, link_url
from articles.models import (
    Article,
    Attribution,
    Author,
    Category,
    Entity,
    LocalImage,
    Mention,
    Source,
)
from articles.rendering import body_pictures
from articles.slugs import make_slug

CREATED, UPDATED, UNCHANGED, CONFLICT, FAILED = (
    "created",
    "updated",
    "unchanged",
    "conflict",
    "failed",
)
STATUSES = (CREATED, UPDATED, UNCHANGED, CONFLICT, FAILED)
MAX_KEY = 255  # Article.import_key


@dataclass
class ImportResult:
    file: str
    status: str
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    parsed: ParsedArticle | None = None
    article_id: int | None = None
    responsible_editor: str | None = None  # set when this import published the article

    def report(self) -> dict:
        """One line of the JSON Lines report (keys documented in the README)."""
        data = {
            "file": self.file,
            "status": self.status,
            "error": self.error,
            "warnings": self.warnings,
            "article_id": self.article_id,
            "responsible_editor": self.responsible_editor,
        }
        if self.parsed is not None:
            data.update(self.parsed.report())
        else:
            data.update(
                title=None,
                published_at=None,
                embargo_until=None,
                categories=[],
                tags=[],
                author=None,
                header_image=None,
                source=None,
                entities=[],
                images=0,
            )
        return data


def fingerprint(article: Article, attribution=None, tags: list[str] | None = None) -> str:
    """Hash of what an editor can change; a difference from the stored one means "edited".

    ``attribution`` and ``tags`` default to what the database holds for a saved article.
    """
    if attribution is None and article.pk:
        attribution = Attribution.objects.filter(article=article).first()
    if tags is None:
        tags = sorted(article.tags.names()) if article.pk else []
    fields = [
        article.title,
        article.slug,
        article.summary,
        article.body,
        article.header_image,
        article.thumbnail,
        article.category_id,
        article.author_id,
        sorted(tags),
    ]
    if attribution is not None:
        fields += [
            attribution.source_id,
            attribution.original_url,
            attribution.roles,
            attribution.is_authorized,
            attribution.indexing_policy,
        ]
    payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


class _Lookups:
    """Per-batch caches of the small tables every file touches."""

    def __init__(self):
        self.authors: dict[str, Author] = {}
        self.categories: dict[tuple[str, ...], Category] = {}
        self.sources: dict[tuple[str, str], Source] = {}
        self.entities: dict[str, Entity] = {}
        self.local_images: bool | None = None

    def has_local_images(self) -> bool:
        # Finding a body's images means parsing it again: skip that while nothing is local.
        if self.local_images is None:
            self.local_images = LocalImage.objects.exists()
        return self.local_images

    def clear(self):
        # After a rolled-back transaction cached rows may not exist.
        self.__init__()

    def author(self, name: str) -> Author | None:
        if not name:
            return None
        if name not in self.authors:
            author = Author.objects.filter(name=name).first()
            if author is None:
                author = Author.objects.create(name=name, slug=_unique_slug(Author, name))
            self.authors[name] = author
        return self.authors[name]

    def category(self, names: list[str]) -> Category | None:
        parent = None
        for depth in range(1, len(names) + 1):
            key = tuple(names[:depth])
            if key not in self.categories:
                category = Category.objects.filter(parent=parent, name=key[-1]).first()
                if category is None:
                    category = Category.objects.create(
                        parent=parent, name=key[-1], slug=_category_slug(parent, key[-1])
                    )
                self.categories[key] = category
            parent = self.categories[key]
        return parent

    def source(self, outlet: str, channel: str, account_id: str) -> Source | None:
        if not outlet:
            return None
        channel = channel if channel in Source.Channel.values else Source.Channel.OTHER
        # The columns' limits: SQLite would keep longer text, PostgreSQL refuses it.
        outlet = outlet[: Source._meta.get_field("name").max_length].strip()
        account_id = account_id[: Source._meta.get_field("account_id").max_length]
        key = (channel, outlet)
        if key not in self.sources:
            source = Source.objects.filter(channel=channel, name=outlet).first()
            if source is None:
                source = Source.objects.create(
                    name=outlet,
                    channel=channel,
                    account_id=account_id,
                    slug=_unique_slug(Source, outlet if channel != "other" else outlet),
                )
            elif account_id and not source.account_id:
                source.account_id = account_id
                source.save(update_fields=["account_id"])
            self.sources[key] = source
        return self.sources[key]

    def entity(self, mention: MentionData) -> Entity:
        """The canonical entity for a mention, creating it (or an alias of it) when new."""
        provider_id = entity_key(mention)
        entity = self.entities.get(provider_id)
        if entity is None:
            entity = (
                Entity.objects.select_related("merged_into").filter(provider_id=provider_id).first()
            )
            name = (mention.name or mention.text).strip()[:200] or provider_id
            if entity is None:
                same_name = Entity.objects.canonical().filter(name=name).first()
                entity = Entity.objects.create(
                    provider_id=provider_id,
                    name=name,
                    kind=mention.kind[:20],
                    logo_url=_web_url(mention.logo),
                    external_url=_web_url(mention.href),
                    merged_into=same_name,
                )
                if same_name is not None:
                    _add_alias(same_name, provider_id)
            self.entities[provider_id] = entity
        target = entity.merged_into or entity
        name = (mention.name or "").strip()
        if name and name != target.name and name not in target.aliases:
            _add_alias(target, name)
        return target


def _web_url(url: str) -> str:
    """``url`` if it is an http(s) URL that fits the field, else "": an entity's logo and link
    come from a file's ``data-logo`` and ``href`` and are shown as an image and a link."""
    url = url.strip()
    return url if len(url) <= 1000 and re.match(r"https?://", url, re.IGNORECASE) else ""


def _add_alias(entity: Entity, alias: str) -> None:
    if alias not in entity.aliases:
        entity.aliases = [*entity.aliases, alias]
        entity.save(update_fields=["aliases"])


def _category_slug(parent: Category | None, name: str) -> str:
    """A slug whose path no sibling has: different names can spell the same slug (a long
    name cut at 60 characters, "AI" and "ai"), and the path must be unique."""
    base = make_slug(name, fallback="category")
    prefix = f"{parent.path}/" if parent is not None else ""
    slug, n = base, 2
    while Category.objects.filter(path=prefix + slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _unique_slug(model, text: str) -> str:
    base = make_slug(text, fallback=model._meta.model_name)
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _mention_rows(article: Article, mentions: list[MentionData], lookups) -> list[Mention]:
    """Unsaved Mention rows for ``mentions``, keeping editors' verdicts on unchanged anchors."""
    decided = {}
    if article.pk:
        decided = {m.position: m for m in article.mentions.filter(verdict__in=EDITOR_VERDICTS)}
    rows = []
    for position, data in enumerate(mentions):
        entity = lookups.entity(data)
        text = data.text[:300]
        old = decided.get(position)
        verdict, reason = (
            (old.verdict, old.reason)
            if kept_verdict(old, entity, text)
            else (data.verdict, data.reason)
        )
        rows.append(
            Mention(
                entity=entity, position=position, text=text, verdict=verdict, reason=reason[:300]
            )
        )
    return rows


def _links(rows: list[Mention]) -> list[str | None]:
    return [link_url(row.entity, row.verdict) for row in rows]


def _save_mentions(article: Article, rows: list[Mention], *, replace: bool) -> None:
    if replace:
        article.mentions.all().delete()
    for row in rows:
        row.article = article
    Mention.objects.bulk_create(rows)


def sync_mentions(article: Article, mentions: list[MentionData], lookups=None) -> None:
    """Replace the article's mentions, keeping editors' verdicts for unchanged anchors."""
    rows = _mention_rows(article, mentions, lookups or _Lookups())
    _save_mentions(article, rows, replace=True)


def mentions_from_body(body: str) -> list[MentionData]:
    return find_mentions(parse_html(body)) if body else []


def _apply(article: Article, parsed: ParsedArticle, item: InputFile, lookups: _Lookups) -> None:
    article.title = parsed.title
    article.slug = make_slug(parsed.title, fallback="article")
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
    if parsed.published_at is not None and (article.status == Article.Status.DRAFT or follows_file):
        article.published_at = parsed.published_at
    article.original_published_at = parsed.published_at or article.original_published_at
    article.embargo_until = parsed.embargo_until


def _store(
    item: InputFile,
    parsed: ParsedArticle,
    existing: Article | None,
    publish: bool,
    lookups,
    editor: str = "",
) -> Article:
    """Write one parsed file; the caller holds the transaction.

    Everything derivable is computed before the first write, so a new article costs a
    handful of queries: the article, its attribution, its mentions and (if any) its tags.
    """
    article = existing or Article()
    _apply(article, parsed, item, lookups)
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
    rows = _mention_rows(article, parsed.mentions, lookups)
    links = _links(rows)
    # Images localized before (a re-import of a changed file) keep their local copies.
    images = body_pictures(article.body) if article.body and lookups.has_local_images() else {}
    prerendered = getattr(parsed, "prerendered", None)
    if prerendered is not None and prerendered[0] == links and not images:
        article.body_html = prerendered[1]
    else:
        article.body_html = render_body(article.body, links, images) if article.body else ""
    article.import_fingerprint = fingerprint(article, attribution, parsed.tags)
    article.save()
    attribution.article = article
    attribution.save()
    _save_mentions(article, rows, replace=existing is not None)
    if parsed.tags or existing is not None:
        article.tags.set(parsed.tags)
    return article


def parse_input(item: InputFile, max_bytes: int) -> ParsedArticle | ImportResult:
    """The pure half of importing one file: a ParsedArticle, or a failed result."""
    if item.error is not None:
        return ImportResult(item.name, FAILED, error=item.error)
    if len(item.key) > MAX_KEY:
        # The name is the article's identity: cut to fit, two long names could be one article.
        return ImportResult(
            item.name,
            FAILED,
            error=f"文件名过长（{len(item.key)} 个字符，上限 {MAX_KEY}），请改短后再导入。",
        )
    try:
        return parse_article(item.name, item.data, max_bytes=max_bytes)
    except ImportRejected as exc:
        return ImportResult(item.name, FAILED, error=str(exc))
    except RecursionError:
        return ImportResult(item.name, FAILED, error="文件结构嵌套过深，无法解析。")


def _expected_links(parsed: ParsedArticle) -> list[str | None]:
    """The entity links a new article would get if every entity had its default slug."""
    return [
        reverse(
            "articles:entity",
            kwargs={"slug": Entity.default_slug((m.name or m.text).strip()[:200], m.data_id)},
        )
        if m.data_id and m.verdict == Mention.Verdict.LINKED
        else None
        for m in parsed.mentions
    ]


def _parse_in_worker(args: tuple[InputFile, int]) -> tuple[InputFile, object]:
    item, max_bytes = args
    parsed = parse_input(item, max_bytes)
    if isinstance(parsed, ParsedArticle) and parsed.body:
        # Rendering is the other CPU-heavy step; do it here with the links the entities will
        # most likely have. The writer re-renders when the real links differ.
        links = _expected_links(parsed)
        parsed.prerendered = (links, render_body(parsed.body, links))
    # Send back the name only: the bytes are in the ParsedArticle's raw text already.
    return InputFile(item.name, error=item.error), parsed


class Importer:
    """Imports files one by one; reuse one instance across a batch to share lookups."""

    def __init__(
        self, *, publish: bool = False, dry_run: bool = False, max_bytes=None, editor=None
    ):
        self.publish = publish
        # 责任编辑 of what ``publish`` publishes: ``editor``, else NEWSROOM_DEFAULT_EDITOR.
        self.editor = (settings.NEWSROOM_DEFAULT_EDITOR if editor is None else editor).strip()
        self.dry_run = dry_run
        self.max_bytes = max_bytes or settings.NEWSROOM_MAX_FILE_BYTES
        self.lookups = _Lookups()

    def import_file(self, item: InputFile) -> ImportResult:
        """Parse and store one file; return what happened. Never raises for bad input."""
        return self.store(item, parse_input(item, self.max_bytes))

    def import_many(self, items: Iterable[InputFile], *, jobs: int = 1) -> Iterator[ImportResult]:
        """Import a batch, yielding results in input order.

        With ``jobs`` > 1, parsing (pure, CPU-bound) runs in that many worker processes while
        this process writes; each file still gets its own transaction here.
        """
        if jobs <= 1:
            for item in items:
                yield self.import_file(item)
            return
        # Forked children must not share this process's database connections.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs) as pool:
            work = ((item, self.max_bytes) for item in items)
            for item, parsed in pool.imap(_parse_in_worker, work, chunksize=4):
                yield self.store(item, parsed)

    def store(self, item: InputFile, parsed: ParsedArticle | ImportResult) -> ImportResult:
        """Write a parsed file (or pass a failed parse through); never raises for bad input."""
        if isinstance(parsed, ImportResult):
            return parsed
        result = ImportResult(item.name, FAILED, warnings=list(parsed.warnings), parsed=parsed)
        for attempt in range(2):
            try:
                return self._upsert(item, parsed, result)
            except IntegrityError as exc:
                # Another process created the same article between our lookup and insert:
                # look again, which turns this into an update or "unchanged".
                self.lookups.clear()
                if attempt:
                    result.status, result.error = FAILED, f"数据库约束冲突：{exc}"
            except Exception as exc:  # noqa: BLE001 - one bad file must not stop a batch
                self.lookups.clear()
                result.status, result.error = FAILED, f"导入出错：{type(exc).__name__}: {exc}"
                return result
        return result

    def _upsert(self, item: InputFile, parsed: ParsedArticle, result: ImportResult):
        existing = (
            Article.objects.select_related("attribution").filter(import_key=item.key[:255]).first()
        )
        if existing is not None:
            result.article_id = existing.pk
            if existing.import_hash == parsed.content_hash:
                result.status = UNCHANGED
                return result
            if existing.import_fingerprint and fingerprint(existing) != existing.import_fingerprint:
                result.status = CONFLICT
                result.error = "文章在上次导入后被编辑过，未覆盖；请在后台比较后手动合并。"
                return result
        if self.dry_run:
            result.status = UPDATED if existing else CREATED
            return result
        with transaction.atomic():
            article = _store(item, parsed, existing, self.publish, self.lookups, self.editor)
        result.article_id = article.pk
        result.status = UPDATED if existing else CREATED
        if existing is None and article.status == Article.Status.PUBLISHED:
            result.responsible_editor = article.responsible_editor or None
        return result


def import_files(items: Iterable[InputFile], *, jobs: int = 1, **options) -> Iterator[ImportResult]:
    """Import every input in turn, yielding one result per file."""
    return Importer(**options).import_many(items, jobs=jobs)


__all__ = ["STATUSES", "ImportResult", "Importer", "fingerprint", "import_files", "sync_mentions"]
