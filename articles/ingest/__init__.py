"""Pure parsing of import files: no ORM, no settings, testable without a database."""

from articles.ingest.article import parse_article
from articles.ingest.body import render_body
from articles.ingest.inputs import InputFile, collect, read_zip
from articles.ingest.types import AttributionData, ImportRejected, MentionData, ParsedArticle

__all__ = [
    "AttributionData",
    "ImportRejected",
    "InputFile",
    "MentionData",
    "ParsedArticle",
    "collect",
    "parse_article",
    "read_zip",
    "render_body",
]
