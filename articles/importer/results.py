"""What importing one file gave (``ImportResult``, the report line) and the fingerprint that
tells an editor's change from a re-import."""

import hashlib
import json
from dataclasses import dataclass, field

from articles.ingest import (
    ParsedArticle,
)
from articles.models import (
    Article,
    Attribution,
)

CREATED, UPDATED, UNCHANGED, CONFLICT, FAILED = (
    "created",
    "updated",
    "unchanged",
    "conflict",
    "failed",
)
STATUSES = (CREATED, UPDATED, UNCHANGED, CONFLICT, FAILED)
MAX_KEY = 255  # Article.import_key


@dataclass
class ImportResult:
    file: str
    status: str
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    parsed: ParsedArticle | None = None
    article_id: int | None = None
    responsible_editor: str | None = None  # set when this import published the article

    def report(self) -> dict:
        """One line of the JSON Lines report (keys documented in the README)."""
        data = {
            "file": self.file,
            "status": self.status,
            "error": self.error,
            "warnings": self.warnings,
            "article_id": self.article_id,
            "responsible_editor": self.responsible_editor,
        }
        if self.parsed is not None:
            data.update(self.parsed.report())
        else:
            data.update(
                title=None,
                published_at=None,
                embargo_until=None,
                categories=[],
                tags=[],
                author=None,
                header_image=None,
                source=None,
                entities=[],
                images=0,
            )
        return data


def fingerprint(article: Article, attribution=None, tags: list[str] | None = None) -> str:
    """Hash of what an editor can change; a difference from the stored one means "edited".

    ``attribution`` and ``tags`` default to what the database holds for a saved article.
    """
    if attribution is None and article.pk:
        attribution = Attribution.objects.filter(article=article).first()
    if tags is None:
        tags = sorted(article.tags.names()) if article.pk else []
    fields = [
        article.title,
        article.slug,
        article.summary,
        article.body,
        article.header_image,
        article.thumbnail,
        article.category_id,
        article.author_id,
        sorted(tags),
    ]
    if attribution is not None:
        fields += [
            attribution.source_id,
            attribution.original_url,
            attribution.roles,
            attribution.is_authorized,
            attribution.indexing_policy,
        ]
    payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()
