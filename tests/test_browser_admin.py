"""A publisher imports a zip in the admin, publishes it, and reads the credit on the site.

Drives Debian's Chromium (``/usr/bin/chromium``) through Playwright against a live server.
Skipped when either is missing, except in CI (``CI=true``), where that is a failure.
"""

import os
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from articles.models import Article
from tests.admin_support import PUBLISHER, admin_settings, make_staff  # noqa: F401
from tests.browser_support import CHROMIUM, LAUNCH_ARGS, require_chromium, unavailable

FILES = (
    "重磅，淘宝将打通微信支付.md",
    "Alexa，黑掉你自己：亚马逊Echo可能在背着你搞事.md",
    "谷歌低调了 5 年的 Fuchsia OS，终于有望面世了.md",
)
SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"
PASSWORD = "pw-Newsroom-2024"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed")
    require_chromium()
    # Playwright runs an event loop in this thread; the ORM calls of the test are still safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def base_url(live_server, settings) -> str:
    base = live_server.url.replace("//localhost:", "//127.0.0.1:")
    # The live server speaks plain HTTP and its middleware was built with the production
    # settings (HTTPS redirect): requests say they came through the TLS proxy
    # (SECURE_PROXY_SSL_HEADER), and the browser's plain-HTTP origin is trusted for CSRF.
    settings.CSRF_TRUSTED_ORIGINS = [base]
    return base


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 1400, "height": 900},
        extra_http_headers={"X-Forwarded-Proto": "https"},
    )

    def local_only(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()  # remote article images and logos: never leave the machine

    context.route("**/*", local_only)
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    yield opened
    context.close()


def test_publisher_imports_a_zip_publishes_and_sees_the_credit(page, base_url, data_dir, tmp_path):
    base = base_url
    make_staff("publisher", PUBLISHER, password=PASSWORD)
    archive = tmp_path / "three.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in FILES:
            bundle.write(data_dir / name, name)

    page.goto(f"{base}/admin/")
    page.fill("#id_username", "publisher")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.get_by_role("link", name="导入文章").first.click()

    page.set_input_files("input[type=file]", str(archive))
    page.get_by_role("button", name="上传并预览").click()

    page.wait_for_selector("table.nr-preview")
    assert page.locator("table.nr-preview tbody tr").count() == 3
    assert page.locator("tbody .nr-badge.nr-status-created").count() == 3
    assert page.get_by_text("还没有写入任何内容").is_visible()
    assert page.get_by_text("ithomenews").is_visible()
    assert Article.objects.count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-import-preview.png"), full_page=True)

    page.get_by_label("立即发布").check()
    page.get_by_role("button", name="确认导入 3 篇").click()

    page.wait_for_selector("table.nr-result")
    assert page.locator("tbody .nr-badge.nr-status-created").count() == 3
    assert Article.objects.filter(status="published").count() == 3
    row = page.locator("tr", has_text="重磅，淘宝将打通微信支付")
    href = row.get_by_role("link", name="在网站上查看").get_attribute("href")

    page.goto(f"{base}{href}")
    assert page.locator("h1").inner_text() == "重磅，淘宝将打通微信支付"
    credit = page.locator(".attribution")
    assert credit.is_visible()
    assert "IT之家" in credit.inner_text()
    assert "经授权发布" in credit.inner_text()
