"""An article's mention rows from its anchors, keeping editors' verdicts."""

from articles.importer.lookups import Lookups
from articles.ingest import (
    MentionData,
)
from articles.ingest.body import parse_html
from articles.ingest.entities import find_mentions
from articles.mentions import EDITOR_VERDICTS, kept_verdict, link_url
from articles.models import (
    Article,
    Mention,
)


def mention_rows(article: Article, mentions: list[MentionData], lookups) -> list[Mention]:
    """Unsaved Mention rows for ``mentions``, keeping editors' verdicts on unchanged anchors."""
    decided = {}
    if article.pk:
        decided = {m.position: m for m in article.mentions.filter(verdict__in=EDITOR_VERDICTS)}
    lookups.prefetch_entities(mentions)
    rows = []
    for position, data in enumerate(mentions):
        entity = lookups.entity(data)
        text = data.text[:300]
        old = decided.get(position)
        verdict, reason = (
            (old.verdict, old.reason)
            if kept_verdict(old, entity, text)
            else (data.verdict, data.reason)
        )
        rows.append(
            Mention(
                entity=entity, position=position, text=text, verdict=verdict, reason=reason[:300]
            )
        )
    return rows


def links_of(rows: list[Mention]) -> list[str | None]:
    return [link_url(row.entity, row.verdict) for row in rows]


def save_mentions(article: Article, rows: list[Mention], *, replace: bool) -> None:
    if replace:
        article.mentions.all().delete()
    for row in rows:
        row.article = article
    Mention.objects.bulk_create(rows)


def sync_mentions(article: Article, mentions: list[MentionData], lookups=None) -> None:
    """Replace the article's mentions, keeping editors' verdicts for unchanged anchors."""
    rows = mention_rows(article, mentions, lookups or Lookups())
    save_mentions(article, rows, replace=True)


def mentions_from_body(body: str) -> list[MentionData]:
    return find_mentions(parse_html(body)) if body else []
