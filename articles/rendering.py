"""The only writer of ``body_html`` and of everything derived from it.

An article's rendering is derived from its editable body, its mentions' verdicts and the local
copies of its images, and is stored with what pages and feeds would otherwise work out on every
request (``RENDERED_FIELDS``): the opening text and whether the summary merely repeats it (the
article page then shows no dek), the feed variant, whose every URL is absolute (feed readers
resolve nothing), the reading time and the table of the body's images (the page shows no hero
image that the body shows already). Pages read these; no request parses or searches a body.
"""

import math
import re
from collections.abc import Mapping, Sequence
from html import unescape
from urllib.parse import urljoin

from django.utils.html import strip_tags

from articles.ingest import render_body
from articles.ingest.body import image_sources
from articles.mentions import link_url
from articles.models import Article
from articles.pictures import pictures_for
from articles.seo import HAS_SCHEME, absolute

RENDERED_FIELDS = (
    "body_html",
    "body_opening",
    "feed_html",
    "is_dek_shown",
    "reading_minutes",
    "body_images",
)
OPENING_HTML = 3000  # how much of the body the summary is compared with (as text)
DEK_COMPARED = 30  # characters of the summary (without whitespace) looked for in the opening
# Reading speed: about 400 Chinese characters, or 200 words of other scripts, a minute.
HAN_PER_MINUTE = 400
WORDS_PER_MINUTE = 200

_URL_ATTR = re.compile(r'(?P<attr>\s(?:href|src|cite)=")(?P<url>[^"]*)"')
_SRCSET_ATTR = re.compile(r'(?P<attr>\ssrcset=")(?P<value>[^"]*)"')
_TAG = re.compile(r"<[^>]*>")
_IMAGE_TAG = re.compile(r"<(?:img|source)\s[^>]*>", re.IGNORECASE)
_IMAGE_URL_ATTR = re.compile(r'\s(src|srcset)="([^"]*)"')
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def mention_links(article) -> list[str | None]:
    """The URL for each entity anchor of the body, in order; None where it must stay text."""
    mentions = article.mentions.select_related("entity__merged_into").order_by("position")
    return [link_url(m.entity.merged_into or m.entity, m.verdict) for m in mentions]


def body_pictures(body: str) -> dict[str, dict]:
    """The local copies of the body's images, by the URL the body gives (one query)."""
    if "<img" not in body.lower():
        return {}
    return pictures_for(image_sources(body))


def render_article(
    article,
    images: Mapping[str, Mapping] | None = None,
    links: Sequence[str | None] | None = None,
) -> str:
    """Return sanitized HTML for ``article.body`` (empty for an empty body).

    Entity anchors link as ``links`` says (else as the stored mentions say); images with a
    local copy (``images``, else looked up) point at their renditions.
    """
    if not article.body:
        return ""
    if images is None:
        images = body_pictures(article.body)
    if links is None:
        links = mention_links(article)
    return render_body(article.body, links, images)


def derived(body_html: str, summary: str = "") -> dict:
    """``RENDERED_FIELDS`` for a rendering of an article with ``summary``: pure, so a migration
    can fill them too."""
    opening = "".join(strip_tags(body_html[:OPENING_HTML]).split())
    return {
        "body_html": body_html,
        "body_opening": opening,
        "feed_html": absolutize_links(body_html, absolute("/")),
        "is_dek_shown": bool(summary) and not repeats_body(summary, opening),
        "reading_minutes": reading_minutes(body_html),
        "body_images": image_urls(body_html),
    }


def repeats_body(summary: str, body_opening: str) -> bool:
    """Whether the summary is just the body's opening (the importer's default summary);
    ``body_opening`` is the rendering's opening text, without whitespace."""
    return "".join(summary.split())[:DEK_COMPARED] in body_opening


def reading_minutes(body_html: str) -> int:
    """Minutes a reader needs for the body's text (0 for an empty body, else at least 1).
    An estimate, so tags are cut out by a regular expression rather than parsed."""
    text = _TAG.sub(" ", body_html)
    han = len(_HAN.findall(text))
    words = len(_WORD.findall(text))
    if not han and not words:
        return 0
    return max(1, math.ceil(han / HAN_PER_MINUTE + words / WORDS_PER_MINUTE))


def image_urls(body_html: str) -> list[str]:
    """Every image URL the rendered body shows (``src`` and ``srcset`` of its ``<img>`` and
    ``<source>`` elements), in order, no repeats. Sanitized HTML always double-quotes."""
    urls: dict[str, None] = {}
    for tag in _IMAGE_TAG.findall(body_html):
        for name, value in _IMAGE_URL_ATTR.findall(tag):
            value = unescape(value)
            candidates = value.split(",") if name == "srcset" else [value]
            for candidate in candidates:
                url = candidate.strip().partition(" ")[0]
                if url:
                    urls.setdefault(url, None)
    return list(urls)


def set_rendering(
    article, body_html: str | None = None, *, fields: Mapping[str, object] | None = None, **options
) -> bool:
    """Render ``article`` (or take ``body_html``, already rendered, and ``fields``, its
    ``derived(body_html, summary)`` if already computed: the importer's workers do) into its
    ``RENDERED_FIELDS``; return whether they changed. ``options`` go to ``render_article``."""
    if body_html is None:
        body_html = render_article(article, **options)
    fields = fields if fields is not None else derived(body_html, article.summary or "")
    changed = any(getattr(article, name) != value for name, value in fields.items())
    for name, value in fields.items():
        setattr(article, name, value)
    return changed


def rerender(article, **options) -> bool:
    """Render a saved article and store its rendering if it changed (one UPDATE at most)."""
    changed = set_rendering(article, **options)
    if changed:
        Article.objects.filter(pk=article.pk).update(
            **{name: getattr(article, name) for name in RENDERED_FIELDS}
        )
    return changed


def absolutize_links(html: str, base: str) -> str:
    """Resolve every relative ``href``/``src``/``cite``/``srcset`` URL in sanitized ``html``
    against ``base``. ``html`` comes from the sanitizer, which always double-quotes attribute
    values, so a regular expression is enough; it runs once per rendering, not per request."""

    def resolve(match):
        url = match["url"]
        if HAS_SCHEME.match(url):
            return match[0]
        if url.startswith("//"):
            return f'{match["attr"]}https:{url}"'
        return f'{match["attr"]}{urljoin(base, url)}"'

    def resolve_srcset(match):
        candidates = []
        for candidate in match["value"].split(","):
            url, _, descriptor = candidate.strip().partition(" ")
            url = url if HAS_SCHEME.match(url) else urljoin(base, url)
            candidates.append(f"{url} {descriptor}".strip())
        return f'{match["attr"]}{", ".join(candidates)}"'

    return _SRCSET_ATTR.sub(resolve_srcset, _URL_ATTR.sub(resolve, html))
