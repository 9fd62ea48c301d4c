"""The values parsing produces: plain data, no ORM."""

from dataclasses import asdict, dataclass, field
from datetime import datetime


class ImportRejected(Exception):
    """A file that cannot be imported at all; the message is a sentence for the editor."""


@dataclass
class AttributionData:
    """Credit for a republished article, as found in its attribution lines."""

    outlet: str = ""
    channel: str = ""  # "wechat", "website", "media" or "" when unknown (Source.Channel values)
    account_id: str = ""
    original_url: str = ""
    original_title: str = ""
    roles: dict[str, list[str]] = field(default_factory=dict)
    republisher: str = ""
    authorized: bool = False
    raw_text: str = ""

    @property
    def authors(self) -> list[str]:
        return self.roles.get("作者", [])

    @property
    def editors(self) -> list[str]:
        return self.roles.get("编辑", [])


@dataclass
class MentionData:
    """One ``a.project-link`` of a body, in document order, with its verdict."""

    data_id: str
    name: str
    text: str
    logo: str = ""
    kind: str = ""
    href: str = ""
    verdict: str = "linked"  # "linked" or "flagged"
    reason: str = ""


@dataclass
class ParsedArticle:
    """Everything an import file says, ready to be stored."""

    file: str
    raw: str
    content_hash: str
    title: str
    slug: str = ""  # of the title (``articles.slugs.make_slug``)
    published_at: datetime | None = None
    embargo_until: datetime | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    author: str = ""
    header_image: str = ""
    header_image_size: tuple[int, int] | None = None
    thumbnail: str = ""
    comments: bool = False
    summary: str = ""
    body: str = ""
    attribution: AttributionData | None = None
    mentions: list[MentionData] = field(default_factory=list)
    images: int = 0
    warnings: list[str] = field(default_factory=list)
    # The body rendered with these links from the same parse (``parse_article(links=...)``);
    # the importer stores it when the entities' real links are the same.
    rendered_links: list[str | None] | None = None
    body_html: str | None = None
    rendered_fields: dict[str, str] | None = None  # what rendering derives from body_html

    def report(self) -> dict:
        """The JSON-serialisable part of the import report that parsing alone determines."""
        source = None
        if self.attribution is not None:
            a = self.attribution
            source = {
                "outlet": a.outlet or None,
                "channel": a.channel or None,
                "account_id": a.account_id or None,
                "original_url": a.original_url or None,
                "authors": a.authors,
                "editors": a.editors,
                "roles": a.roles,
                "authorized": a.authorized,
            }
        return {
            "title": self.title,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "embargo_until": self.embargo_until.isoformat() if self.embargo_until else None,
            "categories": self.categories,
            "tags": self.tags,
            "author": self.author or None,
            "header_image": self.header_image or None,
            "source": source,
            "entities": [
                {
                    "data_id": m.data_id,
                    "name": m.name,
                    "text": m.text,
                    "verdict": m.verdict,
                    "reason": m.reason or None,
                }
                for m in self.mentions
            ],
            "images": self.images,
        }


__all__ = ["AttributionData", "ImportRejected", "MentionData", "ParsedArticle", "asdict"]
