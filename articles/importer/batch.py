"""Import files one by one or in worker processes; never raise for bad input."""

import functools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.urls import reverse

from articles.caching import one_change_for
from articles.editorial import authority
from articles.editorial.runner import EditorialError
from articles.importer.lookups import Lookups
from articles.importer.results import (
    CONFLICT,
    CREATED,
    FAILED,
    MAX_KEY,
    UNCHANGED,
    UPDATED,
    ImportResult,
    fingerprint,
)
from articles.importer.store import store_article
from articles.ingest import (
    ImportRejected,
    InputFile,
    MentionData,
    ParsedArticle,
    parse_article,
)
from articles.models import (
    Article,
    Entity,
    Mention,
)
from articles.rendering import derived


def parse_input(
    item: InputFile, max_bytes: int, *, render: bool = False
) -> ParsedArticle | ImportResult:
    """The pure half of importing one file: a ParsedArticle, or a failed result. With
    ``render``, the body is rendered from the same parse with ``expected_links``."""
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
        links = _expected_links if render else None
        return parse_article(item.name, item.data, max_bytes=max_bytes, links=links)
    except ImportRejected as exc:
        return ImportResult(item.name, FAILED, error=str(exc))
    except RecursionError:
        return ImportResult(item.name, FAILED, error="文件结构嵌套过深，无法解析。")
    except ValueError as exc:  # lxml refusing what the parser let through: this file only
        return ImportResult(item.name, FAILED, error=f"正文无法解析：{exc}")


def expected_links(parsed: ParsedArticle) -> list[str | None]:
    """The entity links a new article would get if every entity had its default slug."""
    return _expected_links(parsed.mentions)


def _expected_links(mentions: list[MentionData]) -> list[str | None]:
    return [
        _entity_url((m.name or m.text).strip()[:200], m.data_id)
        if m.data_id and m.verdict == Mention.Verdict.LINKED
        else None
        for m in mentions
    ]


@functools.lru_cache(maxsize=4096)
def _entity_url(name: str, data_id: str) -> str:
    # An archive names the same companies again and again; their pinyin slug takes a while.
    return reverse("articles:entity", kwargs={"slug": Entity.default_slug(name, data_id)})


def _parse_in_worker(items: list[InputFile], max_bytes: int) -> list[tuple[InputFile, object]]:
    done = []
    for item in items:
        parsed = parse_input(item, max_bytes, render=True)
        if isinstance(parsed, ParsedArticle) and parsed.body_html is not None:
            # The writer is the batch's one process: what can be done here is not done there.
            parsed.rendered_fields = derived(parsed.body_html, parsed.summary)
        # Send back the name only: the bytes are in the ParsedArticle's raw text already.
        done.append((InputFile(item.name, error=item.error), parsed))
    return done


def _chunks(items: Iterable[InputFile], size: int) -> Iterator[list[InputFile]]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _jobs(jobs: int | None) -> int:
    """How many parser processes: ``jobs``, else every core; one where forking cannot work
    (the caller's open transaction, an in-memory database: the tests')."""
    connection = connections["default"]
    if connection.in_atomic_block:
        return 1
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return 1
    return jobs if jobs is not None else (os.cpu_count() or 1)


_CHUNK = 8  # files per task sent to a parser process
_imported_sql: dict[str, str] = {}  # by database vendor


def _is_imported(key: str) -> bool:
    """Whether an article has this import key: one indexed lookup, its SQL built once (most
    files of a large batch are new, and building the full query cost more than running it)."""
    connection = connections["default"]
    if connection.vendor not in _imported_sql:
        query = Article.objects.filter(import_key="").order_by().values("pk")[:1].query
        _imported_sql[connection.vendor] = query.sql_with_params()[0]
    with connection.cursor() as cursor:
        cursor.execute(_imported_sql[connection.vendor], [key])
        return cursor.fetchone() is not None


class Importer:
    """Imports files one by one; reuse one instance across a batch to share lookups."""

    def __init__(
        self,
        *,
        publish: bool = False,
        dry_run: bool = False,
        max_bytes=None,
        editor=None,
        user=None,
    ):
        """``user``: whose authority the import has (None: the operator's, as in commands)."""
        if publish and not authority.can_publish(user):
            raise EditorialError(authority.REFUSALS[authority.PUBLISH_PERMISSION])
        self.publish = publish
        self.user = user
        self.keep_visibility = not authority.may_change_visibility(user)
        # 责任编辑 of what ``publish`` publishes: ``editor``, else NEWSROOM_DEFAULT_EDITOR.
        self.editor = (settings.NEWSROOM_DEFAULT_EDITOR if editor is None else editor).strip()
        self.dry_run = dry_run
        self.max_bytes = max_bytes or settings.NEWSROOM_MAX_FILE_BYTES
        self.lookups = Lookups()

    def import_file(self, item: InputFile) -> ImportResult:
        """Parse and store one file; return what happened. Never raises for bad input."""
        return self.store(item, parse_input(item, self.max_bytes, render=not self.dry_run))

    def import_many(
        self, items: Iterable[InputFile], *, jobs: int | None = 1
    ) -> Iterator[ImportResult]:
        """Import a batch, yielding results in input order.

        With ``jobs`` > 1 (None: every core), parsing and rendering (pure, CPU-bound) run in
        that many worker processes while this process writes; each file still gets its own
        transaction here. The content version changes once, when the batch ends.
        """
        with one_change_for():
            jobs = _jobs(jobs)
            if jobs <= 1:
                for item in items:
                    yield self.import_file(item)
                return
            # Forked children must not share this process's database connections.
            connections.close_all()
            context = multiprocessing.get_context("fork")
            with context.Pool(jobs) as pool:
                # A few chunks ahead of the writer, no more: Pool.imap would read the whole
                # batch in and hold every parsed file the writer has not reached yet.
                pending: deque = deque()
                for chunk in _chunks(items, _CHUNK):
                    pending.append(pool.apply_async(_parse_in_worker, (chunk, self.max_bytes)))
                    if len(pending) > jobs * 2:
                        yield from self._store_all(pending.popleft().get())
                while pending:
                    yield from self._store_all(pending.popleft().get())

    def _store_all(self, done: list[tuple[InputFile, object]]) -> Iterator[ImportResult]:
        for item, parsed in done:
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

    def _may_recredit(self, existing: Article, parsed: ParsedArticle) -> bool:
        """Whether this import may credit ``existing`` to the outlet the file names
        (``authority.may_change_credit``; the preview says so before anything is written)."""
        if authority.may_change_credit(self.user, existing):
            return True
        a = parsed.attribution
        current = getattr(getattr(existing, "attribution", None), "source_id", None)
        named = self.lookups.find_source(a.outlet, a.channel) if a and a.outlet else None
        return current == (named.pk if named else None)

    def _upsert(self, item: InputFile, parsed: ParsedArticle, result: ImportResult):
        existing = None
        if _is_imported(item.key[:255]):
            existing = (
                Article.objects.select_related("attribution")
                .filter(import_key=item.key[:255])
                .first()
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
            if not self._may_recredit(existing, parsed):
                result.error = authority.CREDIT_REFUSAL
                return result
        if self.dry_run:
            result.status = UPDATED if existing else CREATED
            return result
        with transaction.atomic():
            article = store_article(
                item,
                parsed,
                existing,
                self.publish,
                self.lookups,
                self.editor,
                keep_visibility=self.keep_visibility,
            )
        result.article_id = article.pk
        result.status = UPDATED if existing else CREATED
        if existing is None and article.status == Article.Status.PUBLISHED:
            result.responsible_editor = article.responsible_editor or None
        return result


def import_files(
    items: Iterable[InputFile], *, jobs: int | None = 1, **options
) -> Iterator[ImportResult]:
    """Import every input in turn, yielding one result per file (``jobs``: see import_many)."""
    return Importer(**options).import_many(items, jobs=jobs)
