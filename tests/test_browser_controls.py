"""Positive controls for the hostile-content browser tests: their detectors do report.

``tests/test_browser_hostile.py`` passes when
nothing is reported; these tests show that something would be:

1. Every vector of ``tests/xss_vectors.py``, unsanitized (Markdown ones through the Markdown
   renderer), in a page of its own: it runs (its marker or a wrapped dialog is reported) or the
   DOM scan flags it, in plain HTML or, for a vector written for another context, inside an
   attribute value or a script string (``CONTEXTS``). Only the vectors of ``DEAD`` may do
   neither, each for the reason given.
2. A real article page whose stored ``body_html``/``feed_html`` skip the sanitizer: without
   the CSP its script, handlers, dialog and ``srcdoc`` frame are reported and the DOM scan
   flags them; with the CSP nothing runs and the violations are reported; its feed item,
   rendered as a feed reader would, runs too.
3. Without the init script, an ``alert`` opens a real dialog and the dialog handler records it.
"""

import asyncio
import os
import re

import pytest
from django.test import Client

from articles.feeds import feed_url
from articles.ingest.body import to_html
from articles.models import Article
from tests.browser_harness import (  # noqa: F401 - the fixtures are used by name
    Session,
    base_url_fixture,
    launch,
    playwright_api_fixture,
    reader_document,
)
from tests.factories import make_article
from tests.feed_support import html_items
from tests.xss_vectors import VECTORS, render

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = 900_000  # marker of vector i: BASE + i
CONTEXTS = {
    "attribute": lambda v: f'<input value="{v}">',
    "attribute-single": lambda v: f"<input value='{v}'>",
    "script-string": lambda v: f"<script>var s = '{v}';</script>",
    "script-dstring": lambda v: f'<script>var s = "{v}";</script>',
    "script-template": lambda v: f"<script>var s = `{v}`;</script>",
    # An escaper that backslashes quotes but not backslashes.
    "script-naive-escape": lambda v: '<script>var s = "' + v.replace('"', '\\"') + '";</script>',
}
# Vectors that run nowhere in today's Chromium without help, and why they are kept.
_TEXT = "escaped markup: must stay text"
_ENCODED_QUOTE = "an encoded quote stays inside its attribute; for serializers that drop it"
_OLD_BROWSERS = "worked in old browsers only"
DEAD = {
    "script-entity-text": _TEXT,
    "script-numeric-text": _TEXT,
    "entity-link-text": _TEXT,
    "script-split": "for filters that remove an inner <script> once",
    "img-slashes": "the slash joins the src; no onerror attribute in HTML5",
    "frameset-onload": "a frameset is ignored once the body has content",
    "a-javascript-leading-nul-entity": "&#0; reads as U+FFFD, which a URL keeps",
    "a-javascript-backtick": _OLD_BROWSERS,
    "a-javascript-fullwidth": _OLD_BROWSERS,
    "comment-conditional": _OLD_BROWSERS,
    "img-srcset-breakout": "for srcset parsers that split on commas inside a URL",
    "img-srcset-quote-breakout": _ENCODED_QUOTE,
    "img-sizes-breakout": _ENCODED_QUOTE,
    "source-srcset-breakout": _ENCODED_QUOTE,
    "code-class-breakout": _ENCODED_QUOTE,
    "attr-title-markup": "for sanitizers that read markup inside attribute values",
    "attr-encoded-markup": _ENCODED_QUOTE,
    "plaintext": "<plaintext> makes the payload text; for sanitizers that keep what follows",
    "breakout-jsonld-comment": "for <script> blocks whose end it swallows",
    "template-angular": "needs AngularJS on the page",
    "template-vue": "needs Vue on the page",
    "template-erb-jinja": "needs a server-side template engine to evaluate it",
    "entity-link-data-id": "for templates that copy data-id into markup",
    "md-image-attr-break": "Python-Markdown escapes the quote",
    "md-link-title-break": "Python-Markdown escapes the quote",
    "md-autolink": "Python-Markdown makes no javascript: autolink",
}
# What a reader might do: fire every handler, click every link, button and form control that
# is not an ordinary web link, move focus, open popovers; then SVG animations get a moment.
PROVOKE = """
async () => {
  const web = /^(https?:|mailto:|#|$)/i;
  for (const el of [...document.querySelectorAll("*")]) {
    for (const attr of [...el.attributes]) {
      if (attr.name.toLowerCase().startsWith("on")) {
        try { el.dispatchEvent(new Event(attr.name.slice(2).toLowerCase())); } catch (e) {}
      }
    }
    const href = el.getAttribute("href") || el.getAttribute("xlink:href") || "";
    const clickable = (["a", "area"].includes(el.localName) && !web.test(href.trim()))
      || ["button", "input", "summary"].includes(el.localName);
    if (clickable) {
      try {
        el.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, view: window}));
      } catch (e) {}
    }
    if (typeof el.focus === "function") { try { el.focus(); } catch (e) {} }
  }
  await new Promise((resolve) => setTimeout(resolve, 150));
}
"""
CONTROL_HTML = (
    "<p>对照：未经清理的正文。</p><script>__xss(1)</script>"
    "<img src=x onerror=__xss(2)><img src=x onerror=alert(3)>"
    '<iframe srcdoc="&lt;script&gt;parent.__xss(4)&lt;/script&gt;"></iframe>'
    '<a href="javascript:__xss(5)">x</a><p onclick="__xss(6)">y</p>'
)


def _unsanitized(i: int) -> str:
    name, template = VECTORS[i]
    text = render(template, BASE + i)
    return to_html(text) if name.startswith("md-") else text


def _numbers(hits) -> set[int]:
    return {int(n) for _, marker in hits for n in re.findall(r"\d+", marker)}


async def _detect(api, base: str, pages: dict) -> tuple[set[int], dict]:
    """Render ``pages`` ({key: html}); return the marker numbers that ran and, by key, what
    the DOM scan flagged. A first pass only looks (what the hostile suites do); a second one
    provokes the pages where nothing ran, in a context of its own, since a click may
    navigate."""
    async with api() as playwright:
        browser = await launch(playwright)
        try:
            async with Session(browser, "bypass-csp", base) as session:
                paths = {key: session.add_document(html) for key, html in pages.items()}
                await session.visit_all([(p, "control", False) for p in paths.values()])
            looked = session.run
            ran = _numbers(looked.hits)
            async with Session(browser, "bypass-csp", base) as session:
                session.provoke = PROVOKE
                again = [
                    (session.add_document(pages[key]), "provoked", False)
                    for key in pages
                    if not ran & _numbers([(None, m) for m in re.findall(r"\d{6}", pages[key])])
                ]
                await session.visit_all(again)
        finally:
            await browser.close()
    flagged = {key: looked.dom.get(path, []) for key, path in paths.items()}
    return ran | _numbers(session.run.hits), flagged


def test_every_live_vector_is_detected_unsanitized(playwright_api, base_url):
    document = reader_document
    pages = {(i, "html"): document([_unsanitized(i)]) for i in range(len(VECTORS))}
    ran, flagged = asyncio.run(_detect(playwright_api, base_url, pages))
    missed = [i for i in range(len(VECTORS)) if BASE + i not in ran and not flagged[(i, "html")]]
    # A vector written for an attribute or a script string, in such a context. A context
    # that flags by itself (a <script>) counts only for markers that really ran.
    pages = {
        (i, context): document([wrap(render(VECTORS[i][1], BASE + i))])
        for i in missed
        for context, wrap in CONTEXTS.items()
    }
    ran_elsewhere, flagged = asyncio.run(_detect(playwright_api, base_url, pages))
    attribute_flags = {k for k, found in flagged.items() if k[1].startswith("attribute") and found}
    detected = {
        i for i in missed if BASE + i in ran_elsewhere or any(k[0] == i for k in attribute_flags)
    }
    silent = {VECTORS[i][0] for i in missed if i not in detected}
    ran |= ran_elsewhere
    print(  # noqa: T201 - the numbers the report asks for
        f"\n{len(VECTORS)} vectors: {len(ran)} ran (unprovoked or provoked), "
        f"{len(VECTORS) - len(missed)} ran or were flagged in plain HTML, {len(detected)} "
        f"more in another context, {len(silent)} silent: {sorted(silent)}"
    )
    assert silent - set(DEAD) == set(), "vectors no detector reports (dead, or a blind spot)"
    assert len(ran) >= 150, "most vectors must really run when left unsanitized"
    assert set(DEAD) <= {name for name, _ in VECTORS}


def _control_article() -> Article:
    article = make_article("对照文章：未经清理的正文")
    # Straight to the stored rendering, past the sanitizer: what a broken one would store.
    Article.objects.filter(pk=article.pk).update(body_html=CONTROL_HTML, feed_html=CONTROL_HTML)
    return article


async def _visit_control(api, base: str, url: str, reader: str) -> dict:
    runs = {}
    async with api() as playwright:
        browser = await launch(playwright)
        try:
            for mode in ("csp", "bypass-csp"):
                async with Session(browser, mode, base) as session:
                    await session.visit_all([(url, "article", False)])
                    reader_path = session.add_document(reader)
                    await session.visit_all([(reader_path, "feed reader", False)])
                runs[mode] = (session.run, reader_path)
            async with Session(browser, "bypass-csp", base, hook=False) as session:
                alert = reader_document(["<img src=x onerror=alert(7)>"])
                await session.render_all([alert], kind="dialog")
                await session.pages[0].wait_for_timeout(200)
            runs["no-hook"] = (session.run, None)
        finally:
            await browser.close()
    return runs


def test_detectors_report_an_unsanitized_article(playwright_api, base_url):
    url = _control_article().get_absolute_url()
    response = Client().get(feed_url(None, "rss"), secure=True)
    _, items = html_items(response.content)
    reader = reader_document(["".join(parts) for parts in items.values()])
    runs = asyncio.run(_visit_control(playwright_api, base_url, url, reader))

    bypass, reader_path = runs["bypass-csp"]
    on_page = {marker for where, marker in bypass.hits if where == url}
    assert {"1", "2", "alert:3", "4"} <= on_page
    in_reader = {marker for where, marker in bypass.hits if where == reader_path}
    assert {"1", "2", "alert:3", "4"} <= in_reader
    found = " ".join(bypass.dom[url])
    for what in ("script <script", "attribute onerror", "srcdoc", "href URL", "attribute onclick"):
        assert what in found, what

    csp, _ = runs["csp"]
    assert [h for h in csp.hits if h[0] == url] == [], "the CSP let an inline script run"
    directives = " ".join(csp.csp)
    assert "script-src-elem" in directives and "script-src-attr" in directives
    assert csp.problems(), "a run that saw an injection must fail"

    no_hook, _ = runs["no-hook"]
    assert [message for _, message in no_hook.dialogs] == ["7"]
