"""The models, one module per concern: ``content`` (articles and their credit), ``taxonomy``
(categories, authors, outlets), ``entities`` (entities and mentions), ``images`` (local image
copies), ``rights`` (licences and withdrawal), ``editorial`` (the editorial log and the
shared content version) and ``security`` (failed logins). The one rule for what readers may
see is ``articles.models.public`` (``Article.objects.published()``)."""

from articles.models.content import CREDIT_ORDER, Article, Attribution
from articles.models.editorial import ContentVersion, EditorialLog, EditorProfile
from articles.models.entities import Entity, Mention
from articles.models.images import LocalImage
from articles.models.rights import Licence, Takedown, WithdrawnMedia
from articles.models.security import LoginFailure
from articles.models.taxonomy import Author, Category, IndexingPolicy, Source

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
    "LoginFailure",
    "Mention",
    "Source",
    "Takedown",
    "WithdrawnMedia",
]
