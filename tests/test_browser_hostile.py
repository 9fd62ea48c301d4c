"""Hostile import files opened in Debian's Chromium: no vector may ever run.

Every vector of ``tests/xss_vectors.py`` is imported with ``publish=True`` (three or so to a
file, ``groups``) into every place a file can put text: body, title, every front-matter
field, entity links' ``data-*``, credit lines; the dates in a second, draft file. Then, logged
in as a superuser, Chromium opens every article page; the home and shared-tag pages that list
them all; the pages of every author, source and leaf category and of a fifth of the tags and
entities (every vector names at least one of them); archive and search pages (searching for
vectors); every format of the site's feeds and of three objects of each kind; the sitemaps;
and the admin: article list pages and searches, every published article's change form and a
fourth of the drafts', entities, flagged mentions, taxonomy lists, and the import preview of
an uploaded zip of hostile files under hostile entry names.

Then the HTML of every published article's feed item, from the feeds in every format, is
shown the way a feed reader shows it: as HTML in a page of its own, without our CSP.

Detection is ``tests/browser_harness.py``'s (a marker every payload calls, wrapped dialogs, a
dialog handler, a CSP violation listener and a scan of the live DOM for what would run on a
click); ``tests/test_browser_controls.py`` proves it reports. All of it runs twice: with the
Content-Security-Policy, and with ``bypass_csp`` so that sanitizing and escaping alone are
proven. A CSP violation other than Chromium's own XML viewer styling a sitemap fails the test.

Requests leaving 127.0.0.1 are aborted. Skipped without Playwright or Chromium, except in CI
(``CI=true``), where that is a failure. ``pytest -s`` prints what was opened and how long it
took.
"""

import asyncio
import io
import os
import time
import zipfile
from urllib.parse import quote, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from taggit.models import Tag

from articles.feeds import feed_url
from articles.importer import CREATED, Importer
from articles.ingest import InputFile
from articles.models import Article, Author, Category, Entity, Source
from articles.sitemaps import SITEMAPS
from tests.browser_harness import (  # noqa: F401 - the fixtures are used by name
    Session,
    base_url_fixture,
    launch,
    playwright_api_fixture,
    reader_document,
)
from tests.feed_support import html_items
from tests.xss_vectors import (
    VECTORS,
    groups,
    hostile_date_file,
    hostile_file,
    hostile_file_name,
)

# Playwright runs an event loop in this thread; the ORM calls happen before it starts.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "pw-Newsroom-2024"
MODES = ("csp", "bypass-csp")
# Files uploaded to the admin's import preview, under hostile zip entry names.
PREVIEW_VECTORS = (
    "img-onerror",
    "svg-onload",
    "attr-break-img",
    "breakout-title",
    "details-ontoggle",
    "template-angular",
    "entity-link-data-name",
    "polyglot-0xsobky",
    "form-math-svg-textarea",
    "code-class-breakout",
)

# Vectors per file: the admin's change form is the slowest page to open, so a few vectors
# share one (tests/test_hostile_content.py imports one vector per file, without a browser).
GROUP_SIZE = 4
READER_ITEMS = 20  # feed items shown on one page of the feed-reader view

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _import_everything(files: list[list[int]]) -> dict:
    importer = Importer(publish=True)
    results = {}
    for group in files:
        for name, data in (hostile_file(group), hostile_date_file(group)):
            results[name] = importer.import_file(InputFile(name, data=data))
    return results


def _tag_url(tag: Tag) -> str:
    return reverse("articles:tag", args=[tag.slug])


def _hostile_objects() -> list:
    """Every category, tag, author, source and entity the hostile names made, by kind."""
    return [
        list(Category.objects.order_by("pk")),
        list(Tag.objects.exclude(name="安全测试").order_by("pk")),
        list(Author.objects.order_by("pk")),
        list(Source.objects.order_by("pk")),
        list(Entity.objects.canonical().filter(is_never_link=False).order_by("pk")),
    ]


def _object_url(obj) -> str:
    return _tag_url(obj) if isinstance(obj, Tag) else obj.get_absolute_url()


def _public_urls() -> list[str]:
    shared = Tag.objects.get(name="安全测试")
    pages = (Article.objects.published().count() + 19) // 20
    # Every article page: its body, title, summary, header image, the names of its category,
    # tags, author, source and entities, its credit and its JSON-LD.
    urls = [a.get_absolute_url() for a in Article.objects.published().order_by("pk")]
    urls += [f"/?page={n}" for n in range(1, pages + 1)]
    urls += [f"{_tag_url(shared)}?page={n}" for n in range(1, pages + 1)]
    # The pages of the objects hostile names made (heading, <title>, meta, breadcrumbs, feed
    # links): every author and source, every leaf category (its breadcrumbs name the whole
    # path), and a fifth of the tags and entities in turn, so that every vector names one of
    # those (tests/test_hostile_content.py parses others without a browser; every name is
    # also on its article's page).
    categories, tags, authors, sources, entities = _hostile_objects()
    objects = [c for c in categories if not c.children.exists()] + authors + sources
    objects += tags[::5] + entities[1::5]
    urls += [_object_url(obj) for obj in objects]
    urls += ["/archive/", "/archive/2024/", "/archive/2024/3/"]
    searches = ["<script>", "onerror=", '"><svg onload=__xss(1)>', "__xss", "{{7*7}}", "</title>"]
    searches += [Article.objects.published().order_by("pk")[n].title[:60] for n in (0, 19, 32)]
    urls += [f"/search/?q={quote(q)}" for q in searches]
    # Feeds: Chromium shows them as text (or its XML viewer); every format of the site's and
    # the shared tag's feeds, and of three hostile objects of each kind.
    formats = ("rss", "atom", "json")
    urls += [feed_url(obj, fmt) for obj in (None, shared) for fmt in formats]
    kinds = (categories, tags, authors, sources, entities)
    urls += [feed_url(obj, fmt) for objs in kinds for obj in objs[:3] for fmt in formats]
    urls += ["/sitemap.xml"]
    urls += [reverse("sitemap-section", args=[s]) for s in SITEMAPS]
    urls += [reverse("articles:preview", args=[pk]) for pk in _draft_ids()[:10]]
    return urls


def _draft_ids() -> list[int]:
    return list(Article.objects.filter(status="draft").order_by("pk").values_list("pk", flat=True))


def _admin_urls() -> list[str]:
    changelist = reverse("admin:articles_article_changelist")
    pages = (Article.objects.count() + 49) // 50
    urls = [f"{changelist}?p={n}" for n in range(1, pages + 1)]
    urls += [f"{changelist}?q={quote(q)}" for q in ("__xss", "<script>", "onerror", "{{7*7}}")]
    urls += [f"{changelist}?state=draft", f"{changelist}?state=draft&p=2"]
    # Every article with vectors in its fields; a fourth of the drafts whose only vectors are
    # in the date (its warning is also in every changelist row's tooltip, opened above).
    published = Article.objects.filter(status="published").order_by("pk")
    ids = [*published.values_list("pk", flat=True), *_draft_ids()[::4]]
    urls += [reverse("admin:articles_article_change", args=[pk]) for pk in ids]
    entities = reverse("admin:articles_entity_changelist")
    urls += [f"{entities}?p={n}" for n in range(1, (Entity.objects.count() + 99) // 100 + 1)]
    urls += [f"{entities}?q=__xss"]
    mentions = reverse("admin:articles_mention_changelist")
    urls += [f"{mentions}?verdict__exact=flagged", f"{mentions}?q=__xss"]
    for name in ("source", "category", "author"):
        urls += [reverse(f"admin:articles_{name}_changelist")]
    urls += [reverse("admin:taggit_tag_changelist")]
    urls += [reverse("admin:index")]
    return urls


def _preview_zip() -> bytes:
    buffer = io.BytesIO()
    index = {name: i for i, (name, _) in enumerate(VECTORS)}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in PREVIEW_VECTORS:
            i = index[name]
            bundle.writestr(hostile_file_name(i), hostile_file(i)[1])
            bundle.writestr(hostile_date_file(i)[0], hostile_date_file(i)[1])
    return buffer.getvalue()


def _feed_reader_pages() -> tuple[list[str], int]:
    """Every published article's feed item as readers render it, in pages of READER_ITEMS
    items; and how many items. The site's feeds in every format, with room for all."""
    client = Client()
    items: dict[str, list[str]] = {}
    with override_settings(NEWSROOM_FEED_ITEMS=10_000):
        for fmt in ("rss", "atom", "json"):
            response = client.get(feed_url(None, fmt), secure=True)
            assert response.status_code == 200, (fmt, response.status_code)
            own, found = html_items(response.content)
            items.update({f"{fmt}:{guid}": parts for guid, parts in found.items()})
            items[f"{fmt}:feed"] = own
    cache.clear()  # the long feeds must not be what the browser is served later
    fragments = ["".join(parts) for parts in items.values()]
    pages = [
        reader_document(fragments[n : n + READER_ITEMS], "feed reader")
        for n in range(0, len(fragments), READER_ITEMS)
    ]
    return pages, len(items) - 3


async def _visit_all(api, base, public, admin, archive, reader_pages):
    runs = {}
    async with api() as playwright:
        browser = await launch(playwright)
        try:
            for mode in MODES:
                async with Session(browser, mode, base) as session:
                    await session.login(
                        reverse("admin:login"), "boss", PASSWORD, reverse("admin:index")
                    )
                    urls = [(u, _kind(u), False) for u in public]
                    urls += [(u, "admin", True) for u in admin]
                    await session.visit_all(urls)
                    await _import_preview(session, archive)
                    if mode == "bypass-csp":  # no CSP in a feed reader: once is enough
                        await session.render_all(reader_pages, kind="feed reader")
                runs[mode] = session.run
        finally:
            await browser.close()
    return runs


async def _import_preview(session: Session, archive: bytes) -> None:
    """The import preview of an uploaded zip: hostile titles, fields, credit and file names;
    cancelled, so the batch is deleted and nothing written."""
    page, run = session.pages[0], session.run
    await page.goto(session.base + reverse("admin:articles_article_import"))
    await page.set_input_files(
        "input[type=file]",
        files=[{"name": "hostile.zip", "mimeType": "application/zip", "buffer": archive}],
    )
    await page.click("input[type=submit]")
    await page.wait_for_selector("table.nr-preview")
    rows = await page.locator("table.nr-preview tbody tr").count()
    if rows != 2 * len(PREVIEW_VECTORS):
        run.bad_status.append((page.url, f"import preview shows {rows} rows"))
    run.visited["admin import preview"] += 1
    await session.check(page, urlsplit(page.url).path, is_admin=True)
    await page.click("input[name=_cancel]")
    await page.wait_for_load_state("load")


def _kind(url: str) -> str:
    path = urlsplit(url).path
    if "/feeds/" in path:
        return "feed"
    if path.startswith("/sitemap"):
        return "sitemap"
    for prefix, kind in (
        ("/a/", "article"),
        ("/preview/", "staff preview"),
        ("/category/", "category"),
        ("/tag/", "tag"),
        ("/entity/", "entity"),
        ("/source/", "source"),
        ("/author/", "author"),
        ("/archive/", "archive"),
        ("/search/", "search"),
    ):
        if path.startswith(prefix):
            return kind
    return "home"


def _xml_viewer(line: str) -> bool:
    # Chromium's own XML viewer (the sitemaps) applies an inline style; nothing of ours may
    # be blocked, least of all a script.
    return "xml-viewer" in line or "sitemap" in line


def test_no_hostile_vector_runs_in_chromium(playwright_api, base_url):
    # A transactional test before this one flushed the database and the content types were
    # made again under new ids: forget the ones cached in this process.
    ContentType.objects.clear_cache()
    files = groups(GROUP_SIZE)
    results = _import_everything(files)
    failed = {name: r.error for name, r in results.items() if r.status != CREATED}
    assert failed == {}
    get_user_model().objects.create_superuser("boss", password=PASSWORD)
    public, admin = _public_urls(), _admin_urls()
    archive = _preview_zip()
    reader_pages, items = _feed_reader_pages()
    published = Article.objects.published().count()
    assert items == 3 * published, "every published article in every feed format"
    articles_before = Article.objects.count()

    started = time.perf_counter()
    runs = asyncio.run(_visit_all(playwright_api, base_url, public, admin, archive, reader_pages))
    elapsed = time.perf_counter() - started

    assert Article.objects.count() == articles_before  # the preview wrote nothing
    for run in runs.values():
        print("\n" + run.summary())  # noqa: T201 - the report asked for: pages and timings
    csp = runs["csp"].csp
    print(f"[csp] {len(csp)} CSP violation reports")  # noqa: T201
    for line in sorted(set(csp))[:20]:
        print(f"  {line[:300]}")  # noqa: T201
    print(f"{len(VECTORS)} vectors in {len(files)} files; browser time {elapsed:.0f} s")  # noqa: T201

    problems = sorted(
        (line for run in runs.values() for line in run.problems(allowed_csp=_xml_viewer)),
        key=lambda line: "script ran" not in line and "dialog" not in line,
    )
    assert problems == [], "\n".join(problems[:100])
    for run in runs.values():
        assert run.visited["article"] == len(files)
        assert run.visited["admin"] == len(admin)
        assert run.visited["admin import preview"] == 1
    assert runs["bypass-csp"].visited["feed reader"] == len(reader_pages)
