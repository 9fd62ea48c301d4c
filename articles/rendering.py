"""Derive an article's ``body_html`` from its editable body, its mentions' verdicts and the
local copies of its images."""

from collections.abc import Mapping

from articles.ingest import render_body
from articles.ingest.body import image_sources
from articles.mentions import link_url
from articles.pictures import pictures_for


def mention_links(article) -> list[str | None]:
    """The URL for each entity anchor of the body, in order; None where it must stay text."""
    mentions = article.mentions.select_related("entity__merged_into").order_by("position")
    return [link_url(m.entity.merged_into or m.entity, m.verdict) for m in mentions]


def body_pictures(body: str) -> dict[str, dict]:
    """The local copies of the body's images, by the URL the body gives (one query)."""
    if "<img" not in body.lower():
        return {}
    return pictures_for(image_sources(body))


def render_article(article, images: Mapping[str, Mapping] | None = None) -> str:
    """Return sanitized HTML for ``article.body`` (empty for an empty body).

    Images with a local copy (``images``, else looked up) point at their renditions.
    """
    if not article.body:
        return ""
    if images is None:
        images = body_pictures(article.body)
    return render_body(article.body, mention_links(article), images)
