"""How the hostile-content tests watch Chromium for script that runs.

Detection, in every frame and before any script of the page: ``window.__xss`` (which every
payload of ``tests/xss_vectors.py`` calls) and ``alert``/``confirm``/``prompt`` report to the
test through the console (frames and ``data:`` documents included); a dialog that still opens
is recorded; ``securitypolicyviolation`` events are recorded. After each load the live DOM is
scanned for what would run on a click, a hover or a later mutation (``SCAN``). The positive
controls in ``tests/test_browser_controls.py`` prove that each of these channels reports.

``Session`` is one browser context in one mode: ``csp`` (the site's Content-Security-Policy
applies) or ``bypass-csp`` (it does not, so that sanitizing and escaping alone are proven).
Requests leaving the live server are aborted; ``render`` shows HTML the test made (feed item
contents, as a feed reader would show them: no CSP) under the live server's origin.
"""

import asyncio
import contextlib
import html
import itertools
import re
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest

from tests.xss_vectors import describe

WORKERS = 4  # pages loading at once in a session
SETTLE_MS = 40  # after "load": autofocus, ontoggle, SVG animations and media errors fire
RENDER_PREFIX = "/__render__/"  # never a route of the site: answered by the test itself

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
  for (const name of ["alert", "confirm", "prompt", "print"]) {
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


def where(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Run:
    """What one session saw: hits, dialogs, dangerous DOM, CSP violations, failed loads."""

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
        if (where(url), marker) not in self.hits:
            self.hits.append((where(url), marker))

    def problems(self, *, allowed_csp=lambda line: False) -> list[str]:
        """Every failure, scripts that ran and dialogs first; CSP violations but those
        ``allowed_csp`` accepts (Chromium's own XML viewer styling a sitemap)."""
        lines = [f"[{self.mode}] script ran: {describe(h)} on {u}" for u, h in self.hits]
        lines += [f"[{self.mode}] dialog {m!r} on {u}" for u, m in self.dialogs]
        lines += [f"[{self.mode}] {u}: {f}" for u, found in self.dom.items() for f in found]
        lines += [f"[{self.mode}] {u} answered {s}" for u, s in self.bad_status]
        lines += [f"[{self.mode}] CSP violation: {c}" for c in self.csp if not allowed_csp(c)]
        return lines

    def summary(self) -> str:
        kinds = ", ".join(
            f"{kind} {n} ({self.time[kind] / n * 1000:.0f} ms)"
            for kind, n in sorted(self.visited.items())
        )
        return f"[{self.mode}] {sum(self.visited.values())} pages in {self.seconds:.0f} s: {kinds}"


async def launch(playwright):
    from tests.browser_support import CHROMIUM, LAUNCH_ARGS

    return await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


class Session:
    """One browser context in one mode, with ``WORKERS`` pages that report into ``run``."""

    def __init__(self, browser, mode: str, base: str, *, hook: bool = True):
        self.browser, self.base, self.run, self.hook = browser, base, Run(mode), hook
        self.documents: dict[str, str] = {}
        self._numbers = itertools.count(1)
        self.pages: list = []
        # Script run after each load and scan (the positive controls click and fire events
        # with it); None for the hostile suites, which only look.
        self.provoke: str | None = None

    async def __aenter__(self):
        self.started = time.perf_counter()
        self.context = await self.browser.new_context(
            bypass_csp=self.run.mode == "bypass-csp",
            extra_http_headers={"X-Forwarded-Proto": "https"},
            locale="zh-CN",
            viewport={"width": 1280, "height": 900},
            accept_downloads=False,
        )
        # Everything not for the live server is aborted. Static files and the admin's
        # JavaScript catalog are fetched once, then served from memory: the live server
        # renders pages with the CPU it has left.
        static: dict[str, tuple] = {}

        async def from_memory(route):
            url = route.request.url
            if url not in static:
                response = await route.fetch()
                static[url] = (response.status, response.headers, await response.body())
            status, headers, body = static[url]
            await route.fulfill(status=status, headers=headers, body=body)

        async def rendered(route):
            body = self.documents.get(urlsplit(route.request.url).path, "")
            await route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

        local = re.escape(self.base)
        await self.context.route(re.compile(rf"^(?!{local}/)"), lambda route: route.abort())
        await self.context.route(re.compile(rf"^{local}/(static/|admin/jsi18n/)"), from_memory)
        await self.context.route(re.compile(rf"^{local}{RENDER_PREFIX}"), rendered)
        if self.hook:  # without it, only the dialog handler and the DOM scan report
            await self.context.add_init_script(HOOK)
        self.pages = [await self.open_page() for _ in range(WORKERS)]
        return self

    async def __aexit__(self, *exc):
        await self.context.close()
        self.run.seconds = time.perf_counter() - self.started

    async def open_page(self):
        page = await self.context.new_page()
        page.set_default_timeout(30_000)
        run = self.run

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
        return page

    async def login(self, login_url: str, username: str, password: str, then: str) -> None:
        """Log in once: the context's cookies serve every page."""
        page = self.pages[0]
        await page.goto(self.base + login_url)
        await page.fill("#id_username", username)
        await page.fill("#id_password", password)
        await page.click("input[type=submit]")
        await page.wait_for_url(self.base + then)

    async def check(self, page, url: str, *, is_admin: bool) -> dict | None:
        """Settle, scan the DOM and collect the hits of ``page`` (showing ``url``)."""
        from playwright.async_api import Error

        await page.wait_for_timeout(SETTLE_MS)
        try:
            result = await page.evaluate(SCAN, is_admin)
        except Error as exc:  # a document that navigated away, e.g. a meta refresh
            self.run.dom.setdefault(url, []).append(f"could not scan: {exc}")
            return None
        for hit in result["hits"]:
            self.run.hit(url, hit)
        if result["found"]:
            self.run.dom[url] = result["found"]
        return result

    async def visit(self, page, url: str, *, kind: str, is_admin: bool = False, status=200):
        from playwright.async_api import Error

        began = time.perf_counter()
        try:
            response = await page.goto(self.base + url, wait_until="load")
        except Error as exc:
            self.run.bad_status.append((url, str(exc).splitlines()[0]))
            return
        answered = response.status if response else "no response"
        if answered != status:
            self.run.bad_status.append((url, answered))
        self.run.visited[kind] += 1
        await self.check(page, url, is_admin=is_admin)
        if self.provoke:
            # What a click brings runs in this document or in the one it navigates to: its
            # hits arrive through the console either way.
            with contextlib.suppress(Error):
                await page.evaluate(self.provoke)
        self.run.time[kind] += time.perf_counter() - began

    async def visit_all(self, urls: list[tuple[str, str, bool]]) -> None:
        """Open every ``(url, kind, is_admin)``, ``WORKERS`` at a time."""
        queue: asyncio.Queue = asyncio.Queue()
        for item in urls:
            queue.put_nowait(item)

        async def worker(page):
            while not queue.empty():
                url, kind, is_admin = queue.get_nowait()
                await self.visit(page, url, kind=kind, is_admin=is_admin)

        await asyncio.gather(*(worker(page) for page in self.pages))

    def add_document(self, html: str) -> str:
        """Serve ``html`` (no CSP: a feed reader's view) under the live server's origin."""
        path = f"{RENDER_PREFIX}{next(self._numbers)}"
        self.documents[path] = html
        return path

    async def render_all(self, documents: list[str], *, kind: str) -> None:
        await self.visit_all([(self.add_document(d), kind, False) for d in documents])


def reader_document(fragments: list[str], title: str = "feed") -> str:
    """HTML fragments (feed item contents) as one page, each in its own ``<article>``, the way
    a feed reader puts item HTML into its page."""
    items = "\n".join(f"<article>{fragment}</article>" for fragment in fragments)
    head = f'<meta charset="utf-8"><title>{html.escape(title)}</title>'
    return f'<!doctype html><html lang="zh"><head>{head}</head><body>\n{items}\n</body></html>'


@pytest.fixture(name="playwright_api", scope="module")
def playwright_api_fixture():
    """Playwright's async API, or a skip (a failure in CI) without it or Chromium."""
    from tests.browser_support import require_chromium, unavailable

    try:
        from playwright.async_api import async_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    require_chromium()
    return async_playwright


@pytest.fixture(name="base_url")
def base_url_fixture(live_server, settings, tmp_path) -> str:
    """The live server's URL. It speaks plain HTTP while its middleware has the production
    settings (HTTPS redirect): requests say they came through the TLS proxy
    (X-Forwarded-Proto), and the browser's plain-HTTP origin is trusted for CSRF."""
    base = live_server.url.replace("//localhost:", "//127.0.0.1:")
    settings.CSRF_TRUSTED_ORIGINS = [base]
    settings.NEWSROOM_IMPORT_BATCH_DIR = str(tmp_path / "import-batches")
    return base
