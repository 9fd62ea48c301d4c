"""The only writer of ``body_html`` and of everything derived from it.

An article's rendering is derived from its editable body, its mentions' verdicts and the local
copies of its images, and is stored with what pages and feeds would otherwise work out on every
request (``RENDERED_FIELDS``): the opening text (does the summary repeat it?) and the feed
variant, whose every URL is absolute (feed readers resolve nothing).
"""

import re
from collections.abc import Mapping, Sequence
from urllib.parse import urljoin

from django.utils.html import strip_tags

from articles.ingest import render_body
from articles.ingest.body import image_sources
from articles.mentions import link_url
from articles.models import Article
from articles.pictures import pictures_for
from articles.seo import HAS_SCHEME, absolute

RENDERED_FIELDS = ("body_html", "body_opening", "feed_html")
OPENING_HTML = 3000  # how much of the body the summary is compared with (as text)

_URL_ATTR = re.compile(r'(?P<attr>\s(?:href|src|cite)=")(?P<url>[^"]*)"')
_SRCSET_ATTR = re.compile(r'(?P<attr>\ssrcset=")(?P<value>[^"]*)"')


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


def derived(body_html: str) -> dict[str, str]:
    """``RENDERED_FIELDS`` for a rendering: pure, so a migration can fill them too."""
    return {
        "body_html": body_html,
        "body_opening": "".join(strip_tags(body_html[:OPENING_HTML]).split()),
        "feed_html": absolutize_links(body_html, absolute("/")),
    }


def set_rendering(
    article, body_html: str | None = None, *, fields: Mapping[str, str] | None = None, **options
) -> bool:
    """Render ``article`` (or take ``body_html``, already rendered, and ``fields``, its
    ``derived(body_html)`` if already computed: the importer's workers do) into its
    ``RENDERED_FIELDS``; return whether they changed. ``options`` go to ``render_article``."""
    if body_html is None:
        body_html = render_article(article, **options)
    fields = fields if fields is not None else derived(body_html)
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
