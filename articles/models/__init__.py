"""The content model (``content``), rights and withdrawal (``rights``) and the editorial log
and shared content version (``editorial``). The one rule for what readers may see is
``articles.models.public`` (``Article.objects.published()``)."""

from articles.models.content import (
    CREDIT_ORDER,
    Article,
    Attribution,
    Author,
    Category,
    Entity,
    IndexingPolicy,
    LocalImage,
    Mention,
    Source,
)
from articles.models.editorial import ContentVersion, EditorialLog, EditorProfile
from articles.models.rights import Licence, Takedown, WithdrawnMedia

__all__ = [
    "CREDIT_ORDER",
    "Article",
    "Attribution",
    "Author",
    "Category",
    "ContentVersion",
    "EditorProfile",
    "EditorialLog",
    "Entity",
    "IndexingPolicy",
    "Licence",
    "LocalImage",
    "Mention",
    "Source",
    "Takedown",
    "WithdrawnMedia",
]
