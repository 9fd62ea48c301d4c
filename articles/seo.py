"""What search engines and link previews read: canonical, robots, Open Graph, JSON-LD.

Pure functions over already-loaded objects: nothing here queries the database. Absolute URLs
are built on ``NEWSROOM_SITE_URL`` (never the request's Host header), so a cached page is the
same whoever asked for it first.
"""

import json
import re
from urllib.parse import urljoin

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from articles.models import IndexingPolicy

DEFAULT_ROBOTS = "index, follow, max-image-preview:large"


HAS_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*:")


def absolute(url: str) -> str:
    """``url`` as an absolute URL on this site (the one helper for it: pages, feeds, sitemaps,
    JSON-LD, media); absolute URLs are returned unchanged, ``//host/…`` gets https."""
    if not url or HAS_SCHEME.match(url):
        return url
    if url.startswith("//"):
        return "https:" + url
    if url.startswith("/"):
        return settings.NEWSROOM_SITE_URL + iri_to_uri(url)
    return urljoin(settings.NEWSROOM_SITE_URL + "/", iri_to_uri(url))


class JSONText(str):
    """JSON already serialized (``json_text``), printed as it is by the ``ld_json`` filter."""


# The escapes of django.utils.html.json_script: inside <script> no "<", ">" or "&" survives, so
# a title containing "</script>" or "<!--" cannot end the element early. The JSON stays valid.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_text(value) -> JSONText:
    """``value`` as JSON safe inside a ``<script>`` element; a page's context keeps it so, as
    it is kept per content version (``articles.versioned``) and not serialized per request."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return JSONText(text.translate(_SCRIPT_ESCAPES))


def iso(dt) -> str | None:
    return timezone.localtime(dt).isoformat() if dt else None


def indexing(article) -> dict:
    """Canonical URL and robots directives for an article, from its indexing policy.

    news-noindex: self canonical, indexed, but ``Googlebot-News: noindex``.
    noindex: self canonical, ``noindex, follow``.
    canonical-to-original: canonical is the original article (self when it is unknown).
    self: self canonical, indexed.
    The deprecated ``syndication-source`` / ``original-source`` tags are never emitted.
    """
    attribution = getattr(article, "attribution", None)
    policy = attribution.effective_policy if attribution else IndexingPolicy.NEWS_NOINDEX
    own = absolute(article.get_absolute_url())
    meta = {"policy": policy, "canonical": own, "robots": DEFAULT_ROBOTS, "googlebot_news": ""}
    if policy == IndexingPolicy.NEWS_NOINDEX:
        meta["googlebot_news"] = "noindex"
    elif policy == IndexingPolicy.NOINDEX:
        meta["robots"] = "noindex, follow"
    elif policy == IndexingPolicy.CANONICAL_TO_ORIGINAL and attribution.original_url:
        meta["canonical"] = attribution.original_url
    return meta


def share_image(article) -> dict:
    """The header image for previews and JSON-LD (``image``, ``image_width``,
    ``image_height``): the largest local rendition when there is one, else the remote URL."""
    picture = getattr(article, "header_picture", None)
    if picture:
        return {
            "image": absolute(picture["large"]),
            "image_width": picture.get("large_width"),
            "image_height": picture.get("large_height"),
        }
    return {
        "image": article.header_image,
        "image_width": article.header_image_width,
        "image_height": article.header_image_height,
    }


def _organization(source) -> dict:
    org = {"@type": "Organization", "name": source.name}
    if source.homepage:
        org["url"] = source.homepage
    if source.account_id:
        org["identifier"] = source.account_id
        org["alternateName"] = f"{source.get_channel_display()} {source.account_id}"
    return org


def _people(names) -> list[dict]:
    return [{"@type": "Person", "name": name} for name in names]


def _thing(entity) -> dict:
    thing = {"@type": "Thing", "name": entity.name, "url": absolute(entity.get_absolute_url())}
    if entity.external_url:
        thing["sameAs"] = entity.external_url
    return thing


def publisher() -> dict:
    return {
        "@type": "Organization",
        "name": settings.NEWSROOM_SITE_NAME,
        "url": settings.NEWSROOM_SITE_URL + "/",
        "logo": {
            "@type": "ImageObject",
            "url": absolute(static("img/logo-512.png")),
            "width": 512,
            "height": 512,
        },
    }


def original_title(article, attribution=None) -> str:
    """The original's title when ours differs from it (reprint rules ask for 原标题), else ''."""
    attribution = attribution or getattr(article, "attribution", None)
    title = (attribution.original_title or "").strip() if attribution else ""
    return title if title and title != article.title.strip() else ""


def credit_line(article) -> str:
    """One sentence naming the outlet and the people, e.g. for ``creditText``."""
    attribution = getattr(article, "attribution", None)
    if attribution is None:
        return ""
    parts = []
    if attribution.source_id:
        source = attribution.source
        where = f"{source.get_channel_display()}“{source.name}”"
        if source.account_id:
            where += f"（ID：{source.account_id}）"
        parts.append(f"本文来自{where}")
    parts += [f"{role}：{'、'.join(names)}" for role, names in attribution.credits]
    if attribution.is_authorized:
        parts.append(f"{attribution.republisher or settings.NEWSROOM_SITE_NAME}经授权发布")
    if title := original_title(article, attribution):
        parts.append(f"原标题：{title}")
    return "，".join(parts) + ("。" if parts else "")


def article_jsonld(article, *, entities=(), tags=(), about=()) -> dict:
    """A schema.org ``NewsArticle`` for ``article``; render it with the ``ld_json`` filter."""
    data = {"@context": "https://schema.org", "@type": "NewsArticle"}
    if article.pk:  # an unsaved article (the admin's preview) has no URL yet
        url = absolute(article.get_absolute_url())
        data.update({"@id": url + "#article", "mainEntityOfPage": {"@type": "WebPage", "@id": url}})
        data["url"] = url
    data |= {
        "headline": article.title,
        "inLanguage": "zh-CN",
        "datePublished": iso(article.published_at),
        "dateModified": iso(article.updated_at or article.published_at),
        "publisher": publisher(),
        "isAccessibleForFree": True,
    }
    if article.summary:
        data["description"] = article.summary
    shared = share_image(article)
    if shared["image"]:
        image = {"@type": "ImageObject", "url": shared["image"]}
        if shared["image_width"] and shared["image_height"]:
            image.update(width=shared["image_width"], height=shared["image_height"])
        data["image"] = [image]
    if article.category_id:
        data["articleSection"] = article.category.name

    attribution = getattr(article, "attribution", None)
    source = attribution.source if attribution and attribution.source_id else None
    roles = dict(attribution.credits) if attribution else {}
    if roles.get("作者"):
        data["author"] = _people(roles["作者"])
    elif source is not None:
        data["author"] = [_organization(source)]
    elif article.author_id:
        data["author"] = [{"@type": "Organization", "name": article.author.name}]
    else:
        data["author"] = [{"@type": "Organization", "name": settings.NEWSROOM_SITE_NAME}]
    if roles.get("编辑"):
        data["editor"] = _people(roles["编辑"])
    translators = roles.get("译者", []) + roles.get("翻译", []) + roles.get("编译", [])
    if translators:
        data["translator"] = _people(translators)
    if source is not None:
        data["sourceOrganization"] = _organization(source)
        data["copyrightHolder"] = _organization(source)
    elif roles.get("作者"):
        data["copyrightHolder"] = _people(roles["作者"])
    if attribution and (attribution.original_url or original_title(article, attribution)):
        original = {"@type": "NewsArticle"}
        if attribution.original_url:
            original["url"] = attribution.original_url
        original["headline"] = attribution.original_title or article.title
        if article.original_published_at:
            original["datePublished"] = iso(article.original_published_at)
        if source is not None:
            original["publisher"] = _organization(source)
        data["isBasedOn"] = original
    if article.responsible_editor:
        data.setdefault("editor", [])
        data["editor"] = [*data["editor"], {"@type": "Person", "name": article.responsible_editor}]
    credit = credit_line(article)
    if credit:
        data["creditText"] = credit
    if about:
        data["about"] = [_thing(e) for e in about]
    if entities:
        data["mentions"] = [_thing(e) for e in entities]
    keywords = [tag.name for tag in tags] + [e.name for e in entities]
    if article.category_id:
        keywords = [*article.category.name_path, *keywords]
    if keywords:
        data["keywords"] = list(dict.fromkeys(keywords))
    return data


def breadcrumbs_jsonld(crumbs: list[tuple[str, str]]) -> dict:
    """A ``BreadcrumbList`` from (name, url) pairs, home first."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": absolute(url)}
            for i, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def website_jsonld() -> dict:
    from django.urls import reverse

    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.NEWSROOM_SITE_NAME,
        "url": settings.NEWSROOM_SITE_URL + "/",
        "inLanguage": "zh-CN",
        "potentialAction": {
            "@type": "SearchAction",
            "target": absolute(reverse("articles:search")) + "?q={search_term_string}",
            "query-input": "required name=search_term_string",
        },
    }
