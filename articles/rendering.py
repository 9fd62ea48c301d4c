"""Derive an article's ``body_html`` from its editable body and its mentions' verdicts."""

from articles.ingest import render_body


def mention_links(article) -> list[str | None]:
    """The URL for each entity anchor of the body, in order; None where it must stay text."""
    mentions = article.mentions.select_related("entity__merged_into").order_by("position")
    links: list[str | None] = []
    for mention in mentions:
        entity = mention.entity.merged_into or mention.entity
        links.append(
            entity.get_absolute_url()
            if mention.verdict in ("linked", "confirmed") and not entity.is_never_link
            else None
        )
    return links


def render_article(article) -> str:
    """Return sanitized HTML for ``article.body`` (empty for an empty body)."""
    if not article.body:
        return ""
    return render_body(article.body, mention_links(article))
