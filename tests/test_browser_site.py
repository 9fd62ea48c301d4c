"""A reader opens pages in Debian's Chromium (through Playwright) against a live server.

Screenshots go to var/screenshots/ (the path is printed; run ``pytest -s -m browser`` to see
it). Requests leaving the live server are never sent: external images get a local placeholder
so that the layout can be judged, everything else external is aborted.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from articles.models import Article, Entity, Source
from tests.browser_support import CHROMIUM, LAUNCH_ARGS, require_chromium, unavailable

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
# The sample article with a WeChat credit, an original link, body images and entities.
SHOWCASE = "示例星河数据开源向量数据库StarMapDB，笔记本也能跑"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
# No intrinsic size or ratio: each image shows as a grey box of exactly the size the page
# reserved for it (from its width/height attributes), which is what is being tested.
PLACEHOLDER = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="100%">'
    b'<rect width="100%" height="100%" fill="#9aa6b2"/>'
    b'<circle cx="50%" cy="50%" r="8%" fill="#b8c2cc"/></svg>'
)
# Recorded from the first paint on; read back after scrolling through the page.
CLS_OBSERVER = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__cls += entry.value;
  }
}).observe({type: "layout-shift", buffered: true});
"""


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    require_chromium()
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    except Error as exc:
        playwright.stop()
        unavailable(f"Chromium did not start: {exc}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {SCREENSHOTS}")  # noqa: T201 - where a person finds them
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def site(live_server, transactional_db):
    """The sample articles ``make serve`` shows (load_samples), served by the live server."""
    call_command("load_samples", verbosity=0)
    return live_server.url


def open_page(browser, base_url, path, viewport, color_scheme="light"):
    # The live server speaks plain HTTP; production redirects that to HTTPS, so say we are
    # behind the TLS proxy (SECURE_PROXY_SSL_HEADER) rather than change the middleware.
    context = browser.new_context(
        viewport=viewport,
        color_scheme=color_scheme,
        extra_http_headers={"X-Forwarded-Proto": "https"},
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    def route(route):
        if route.request.url.startswith(base_url):
            route.continue_()
        elif route.request.resource_type == "image":
            route.fulfill(status=200, content_type="image/svg+xml", body=PLACEHOLDER)
        else:
            route.abort()

    page.route("**/*", route)
    page.add_init_script(CLS_OBSERVER)
    response = page.goto(base_url + path, wait_until="load")
    return context, page, response, problems


def scroll_through(page):
    height = page.evaluate("document.documentElement.scrollHeight")
    for y in range(0, height, 600):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(30)
    page.evaluate("window.scrollTo(0, 0)")


def layout_report(page) -> dict:
    return page.evaluate(
        """() => ({
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            imagesWithoutSize: [...document.images]
                .filter((img) => !img.getAttribute("width") || !img.getAttribute("height"))
                .map((img) => img.src),
            imagesWithoutAlt: [...document.images]
                .filter((img) => !img.hasAttribute("alt")).map((img) => img.src),
            hotlinkedWithReferrer: [...document.images]
                .filter((img) => !img.src.startsWith(location.origin))
                .filter((img) => img.getAttribute("referrerpolicy") !== "no-referrer")
                .map((img) => img.src),
            cls: window.__cls,
        })"""
    )


def shot(page, name: str) -> None:
    """Save the whole page and, for a quick look, the first screen."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SCREENSHOTS / f"{name}-top.png")
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    print(f"screenshot: {path}")  # noqa: T201


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_article_page_reads_well(browser, site, viewport, color_scheme):
    article = Article.objects.get(title=SHOWCASE)
    context, page, response, problems = open_page(
        browser, site, article.get_absolute_url(), viewport, color_scheme
    )
    try:
        assert response.status == 200
        scroll_through(page)
        report = layout_report(page)
        assert report["scrollWidth"] <= report["innerWidth"], report
        assert report["imagesWithoutSize"] == [], report
        assert report["imagesWithoutAlt"] == [], report
        assert report["hotlinkedWithReferrer"] == [], report
        assert page.locator("article img").count() >= 4  # the body's images are there
        assert report["cls"] < 0.05, report
        assert problems == []

        attribution = page.locator("aside.attribution")
        attribution.scroll_into_view_if_needed()
        assert attribution.is_visible()
        box = attribution.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        text = attribution.inner_text()
        assert "示例开发者" in text and "example_dev" in text and "经授权发布" in text
        assert "责任编辑" in text
        assert page.locator("aside.attribution a.attribution-original").get_attribute("href")

        shot(page, f"article-{viewport['width']}-{color_scheme}")
        # The skip link appears on the first Tab.
        page.keyboard.press("Tab")
        skip = page.locator(".skip-link")
        assert skip.evaluate("el => el === document.activeElement") and skip.is_visible()
    finally:
        context.close()


def test_reader_follows_links_from_home(browser, site):
    context, page, response, problems = open_page(browser, site, "/", PHONE)
    try:
        assert response.status == 200
        page.get_by_role("link", name=SHOWCASE).first.click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == SHOWCASE
        page.locator("aside.attribution a.attribution-more").click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == "示例开发者"
        assert "example_dev" in page.locator(".profile").inner_text()
        assert problems == []
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_list_and_error_pages_fit(browser, site, viewport):
    entity = Entity.objects.canonical().filter(mentions__verdict="linked").first()
    paths = {
        "home": "/",
        "category": Article.objects.published().first().category.get_absolute_url(),
        "source": Source.objects.get(name="示例开发者").get_absolute_url(),
        "entity": entity.get_absolute_url(),
        "archive": "/archive/",
        "search": "/search/?q=数据库",
        "404": "/no/such/page/",
    }
    for name, path in paths.items():
        context, page, response, problems = open_page(browser, site, path, viewport)
        try:
            assert response.status == (404 if name == "404" else 200), path
            report = layout_report(page)
            assert report["scrollWidth"] <= report["innerWidth"], (path, report)
            assert report["imagesWithoutSize"] == [], (path, report)
            assert report["hotlinkedWithReferrer"] == [], (path, report)
            if name == "404":  # the document itself is the expected 404
                problems = [p for p in problems if "status of 404" not in p]
            assert problems == [], (path, problems)
            shot(page, f"{name}-{viewport['width']}-light")
        finally:
            context.close()
