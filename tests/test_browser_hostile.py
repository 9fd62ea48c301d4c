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

An init script in every frame defines ``window.__xss`` (which every payload calls) and wraps
``alert``/``confirm``/``prompt``; dialogs are recorded too. After each load the live DOM is
scanned for markup that would run on a click or hover (handlers, script URLs, frames, stray
scripts). All of it runs twice: with the Content-Security-Policy, and with ``bypass_csp`` so
that sanitizing and escaping alone are proven. CSP violations of the first run are printed;
any other than Chromium's own XML viewer (the sitemaps) fails the test.

Requests leaving 127.0.0.1 are aborted. Skipped without Playwright or Chromium, except in CI
(``CI=true``), where that is a failure. ``pytest -s`` prints what was opened and how long it
took.
"""

import asyncio
import io
import os
import re
import shutil
import time
import zipfile
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from taggit.models import Tag

from articles.feeds import feed_url
from articles.importer import CREATED, Importer
from articles.ingest import InputFile
from articles.models import Article, Author, Category, Entity, Source
from articles.sitemaps import SITEMAPS
from tests.browser_support import CHROMIUM, LAUNCH_ARGS, unavailable
from tests.xss_vectors import (
    VECTORS,
    describe,
    groups,
    hostile_date_file,
    hostile_file,
    hostile_file_name,
)

# Playwright runs an event loop in this thread; the ORM calls happen before it starts.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "pw-Newsroom-2024"
WORKERS = 4  # pages loading at once in each context
SETTLE_MS = 40  # after "load": autofocus, ontoggle, SVG animations and media errors fire
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
)

# Vectors per file: the admin's change form is the slowest page to open, so a few vectors
# share one (tests/test_hostile_content.py imports one vector per file, without a browser).
GROUP_SIZE = 3

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# In every frame, before any of the page's own script: the marker every payload calls, the
# dialogs wrapped, and CSP violations reported. Console messages reach the test from frames
# too, so a hit inside an iframe or a data: document is seen.
HOOK = """
(() => {
  const log = console.log.bind(console);
  const hits = [];
  const report = (id) => {
    const text = String(id);
    hits.push(text);
    try { (top.__xss_hits = top.__xss_hits || []).push(text); } catch (e) {}
    log("__XSS_HIT__ " + text);
  };
  Object.defineProperty(window, "__xss", {value: report, writable: false, configurable: false});
  Object.defineProperty(window, "__xss_own_hits", {value: hits, writable: false});
  for (const name of ["alert", "confirm", "prompt"]) {
    Object.defineProperty(window, name, {
      value: (message) => {
        report(name + ":" + message);
        return name === "confirm" ? false : null;
      },
      writable: false, configurable: false,
    });
  }
  document.addEventListener("securitypolicyviolation", (e) => {
    log("__CSP__ " + JSON.stringify({
      directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample,
      page: location.pathname,
    }));
  });
})();
"""

# What in the live DOM could run script on a click, a hover or a later mutation.
SCAN = """
(admin) => {
  const found = [];
  // Feeds and the sitemap are not HTML: Chromium shows them in its text or XML viewer, whose
  // own markup (a styled <pre>) is not the page's.
  const viewer = document.contentType !== "text/html";
  const safe = new Set(["http:", "https:", "mailto:"]);
  const urlAttributes = new Set(["href", "src", "action", "formaction", "poster", "data",
    "cite", "background", "xlink:href", "ping", "codebase", "dynsrc", "lowsrc", "srcdoc"]);
  const noise = /[\\u0000-\\u0020\\u007f-\\u00a0\\u200b-\\u200f\\u2028\\u2029\\u2060\\ufeff]/g;
  const scheme = (value) => {
    const match = /^([a-z][a-z0-9+.\\-]*):/i.exec(value.replace(noise, ""));
    return match ? match[1].toLowerCase() + ":" : null;
  };
  const describe = (el) => "<" + el.localName + " " + [...el.attributes]
    .map((a) => a.name + "=" + JSON.stringify(a.value.slice(0, 60))).join(" ") + ">";
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName;
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on") || name === "srcdoc" || (name === "style" && !admin && !viewer)) {
        found.push("attribute " + name + " on " + describe(el));
      } else if (urlAttributes.has(name)) {
        const s = scheme(attr.value);
        if (s && !safe.has(s)) found.push(name + " URL on " + describe(el));
      } else if (name === "srcset" || name === "imagesrcset") {
        for (const candidate of attr.value.split(",")) {
          const s = scheme(candidate.trim());
          if (s && !safe.has(s)) found.push(name + " candidate on " + describe(el));
        }
      }
    }
    if (tag === "script") {
      const type = (el.getAttribute("type") || "").toLowerCase();
      const inertData = type === "application/ld+json" || (admin && type === "application/json");
      const ownFile = el.src && new URL(el.src).origin === location.origin && !el.text.trim();
      if (!(inertData && !el.src) && !ownFile) found.push("script " + describe(el));
    } else if (["iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal",
                "fencedframe"].includes(tag)) {
      found.push(describe(el));
    } else if (tag === "meta" && el.getAttribute("http-equiv")) {
      found.push(describe(el));
    } else if (!admin && ["svg", "math", "template", "style", "noscript"].includes(tag)
               && !(viewer && tag === "style" && el.id === "xml-viewer-style")) {
      found.push(describe(el));
    }
  }
  const hits = [...(window.__xss_own_hits || []), ...(window.__xss_hits || [])];
  return {found, hits, type: document.contentType};
}
"""


@pytest.fixture(scope="module")
def playwright_api():
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        unavailable(f"Debian's Chromium is missing at {CHROMIUM}")
    return async_playwright


@pytest.fixture
def base_url(live_server, settings, tmp_path) -> str:
    base = live_server.url.replace("//localhost:", "//127.0.0.1:")
    # The live server speaks plain HTTP while its middleware has the production settings
    # (HTTPS redirect): requests say they came through the TLS proxy (X-Forwarded-Proto),
    # and the browser's plain-HTTP origin is trusted for CSRF (the import upload).
    settings.CSRF_TRUSTED_ORIGINS = [base]
    settings.NEWSROOM_IMPORT_BATCH_DIR = str(tmp_path / "import-batches")
    return base


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


class Run:
    """What one mode saw: hits, dialogs, dangerous DOM, CSP violations, failed loads."""

    def __init__(self, mode: str):
        self.mode = mode
        self.hits: list[tuple[str, str]] = []
        self.dialogs: list[tuple[str, str]] = []
        self.dom: dict[str, list[str]] = {}
        self.csp: list[str] = []
        self.bad_status: list[tuple[str, int | str]] = []
        self.visited = Counter()
        self.time = Counter()
        self.seconds = 0.0

    def hit(self, url: str, marker: str) -> None:
        parts = urlsplit(url)
        where = parts.path + (f"?{parts.query}" if parts.query else "")
        if (where, marker) not in self.hits:
            self.hits.append((where, marker))

    def problems(self) -> list[str]:
        lines = [f"[{self.mode}] script ran: {describe(h)} on {u}" for u, h in self.hits]
        lines += [f"[{self.mode}] dialog {m!r} on {u}" for u, m in self.dialogs]
        lines += [f"[{self.mode}] {u}: {f}" for u, found in self.dom.items() for f in found]
        lines += [f"[{self.mode}] {u} answered {s}" for u, s in self.bad_status]
        return lines


async def _visit_all(api, base: str, public: list[str], admin: list[str], archive: bytes):
    runs = {}
    async with api() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            for mode in MODES:
                runs[mode] = await _visit_in_mode(browser, mode, base, public, admin, archive)
        finally:
            await browser.close()
    return runs


async def _visit_in_mode(browser, mode, base, public, admin, archive) -> Run:
    from playwright.async_api import Error

    run = Run(mode)
    started = time.perf_counter()
    context = await browser.new_context(
        bypass_csp=mode == "bypass-csp",
        extra_http_headers={"X-Forwarded-Proto": "https"},
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
        accept_downloads=False,
    )

    # Everything not for the live server is aborted. Static files and the admin's JavaScript
    # catalog are fetched once per mode, then served from memory: the live server renders
    # pages with the CPU it has left. Patterns are matched inside Playwright's driver, so
    # page requests themselves never wait for this (busy) process.
    static: dict[str, tuple] = {}

    async def from_memory(route):
        url = route.request.url
        if url not in static:
            response = await route.fetch()
            static[url] = (response.status, response.headers, await response.body())
        status, headers, body = static[url]
        await route.fulfill(status=status, headers=headers, body=body)

    local = re.escape(base)
    await context.route(re.compile(rf"^(?!{local}/)"), lambda route: route.abort())
    await context.route(re.compile(rf"^{local}/(static/|admin/jsi18n/)"), from_memory)
    await context.add_init_script(HOOK)

    def watch(page):
        def on_console(message):
            text = message.text
            if text.startswith("__XSS_HIT__ "):
                run.hit(page.url, text.split(" ", 1)[1])
            elif text.startswith("__CSP__ "):
                run.csp.append(text.split(" ", 1)[1])
            elif message.type == "error" and "Content Security Policy" in text:
                run.csp.append(f"{page.url}: {text[:300]}")

        async def on_dialog(dialog):
            run.dialogs.append((page.url, dialog.message))
            await dialog.dismiss()

        page.on("console", on_console)
        page.on("dialog", on_dialog)

    async def open_page():
        page = await context.new_page()
        page.set_default_timeout(30_000)
        watch(page)
        return page

    async def check(page, url: str, *, is_admin: bool):
        await page.wait_for_timeout(SETTLE_MS)
        try:
            result = await page.evaluate(SCAN, is_admin)
        except Error as exc:  # a document that navigated away, e.g. a meta refresh
            run.dom.setdefault(url, []).append(f"could not scan: {exc}")
            return
        for hit in result["hits"]:
            run.hit(url, hit)
        if result["found"]:
            run.dom[url] = result["found"]

    async def visit(page, url: str, *, is_admin: bool):
        began = time.perf_counter()
        kind = "admin" if is_admin else _kind(url)
        try:
            response = await page.goto(base + url, wait_until="load")
        except Error as exc:
            run.bad_status.append((url, str(exc).splitlines()[0]))
            return
        status = response.status if response else "no response"
        if status != 200:
            run.bad_status.append((url, status))
        run.visited[kind] += 1
        await check(page, url, is_admin=is_admin)
        run.time[kind] += time.perf_counter() - began

    # Log in once: the context's cookies serve every page.
    first = await open_page()
    await first.goto(base + reverse("admin:login"))
    await first.fill("#id_username", "boss")
    await first.fill("#id_password", PASSWORD)
    await first.click("input[type=submit]")
    await first.wait_for_url(base + reverse("admin:index"))

    queue: asyncio.Queue = asyncio.Queue()
    for url in public:
        queue.put_nowait((url, False))
    for url in admin:
        queue.put_nowait((url, True))

    async def worker(page):
        while not queue.empty():
            url, is_admin = queue.get_nowait()
            await visit(page, url, is_admin=is_admin)

    pages = [first, *[await open_page() for _ in range(WORKERS - 1)]]
    await asyncio.gather(*(worker(page) for page in pages))

    # The import preview of an uploaded zip: hostile titles, fields, credit and file names.
    page = first
    await page.goto(base + reverse("admin:articles_article_import"))
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
    await check(page, urlsplit(page.url).path, is_admin=True)
    # Cancel: the batch is deleted and nothing was written.
    await page.click("input[name=_cancel]")
    await page.wait_for_load_state("load")

    await context.close()
    run.seconds = time.perf_counter() - started
    return run


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


def test_no_hostile_vector_runs_in_chromium(playwright_api, base_url):
    # A test before this one may have flushed the database without re-creating content types
    # (a serialized-rollback test): forget the ids cached in this process.
    ContentType.objects.clear_cache()
    files = groups(GROUP_SIZE)
    results = _import_everything(files)
    failed = {name: r.error for name, r in results.items() if r.status != CREATED}
    assert failed == {}
    get_user_model().objects.create_superuser("boss", password=PASSWORD)
    public, admin = _public_urls(), _admin_urls()
    archive = _preview_zip()
    articles_before = Article.objects.count()

    started = time.perf_counter()
    runs = asyncio.run(_visit_all(playwright_api, base_url, public, admin, archive))
    elapsed = time.perf_counter() - started

    assert Article.objects.count() == articles_before  # the preview wrote nothing
    for run in runs.values():
        print(  # noqa: T201 - the report asked for: what was opened, how long it took
            f"\n[{run.mode}] {sum(run.visited.values())} pages in {run.seconds:.0f} s: "
            + ", ".join(
                f"{kind} {n} ({run.time[kind] / n * 1000:.0f} ms)"
                for kind, n in sorted(run.visited.items())
            )
        )
    csp = runs["csp"].csp
    print(f"[csp] {len(csp)} CSP violation reports")  # noqa: T201
    for line in sorted(set(csp))[:20]:
        print(f"  {line[:300]}")  # noqa: T201
    print(f"browser time {elapsed:.0f} s")  # noqa: T201

    # Scripts that ran and dialogs first: they are the failures that matter most.
    problems = sorted(
        (line for run in runs.values() for line in run.problems()),
        key=lambda line: "script ran" not in line and "dialog" not in line,
    )
    # Chromium's own XML viewer (the sitemaps) applies an inline style; nothing of ours may be
    # blocked, least of all a script.
    blocked = [c for c in csp if "xml-viewer" not in c and "sitemap" not in c]
    problems += [f"[csp] violation: {c}" for c in blocked]
    assert problems == [], "\n".join(problems[:100])
    for run in runs.values():
        assert run.visited["article"] == len(files)
        assert run.visited["admin"] == len(admin)
        assert run.visited["admin import preview"] == 1
