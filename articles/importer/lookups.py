"""Find or create the authors, categories, outlets and entities a batch refers to, cached for
the batch."""

import re

from articles.ingest import (
    MentionData,
)
from articles.mentions import entity_key
from articles.models import (
    Author,
    Category,
    Entity,
    LocalImage,
    Source,
)
from articles.slugs import make_slug


class Lookups:
    """Per-batch caches of the small tables every file touches."""

    def __init__(self):
        self.authors: dict[str, Author] = {}
        self.categories: dict[tuple[str, ...], Category] = {}
        self.sources: dict[tuple[str, str], Source] = {}
        self.entities: dict[str, Entity] = {}
        self.local_images: bool | None = None

    def has_local_images(self) -> bool:
        # Finding a body's images means parsing it again: skip that while nothing is local.
        if self.local_images is None:
            self.local_images = LocalImage.objects.exists()
        return self.local_images

    def clear(self):
        # After a rolled-back transaction cached rows may not exist.
        self.__init__()

    def author(self, name: str) -> Author | None:
        if not name:
            return None
        if name not in self.authors:
            author = Author.objects.filter(name=name).first()
            if author is None:
                author = Author.objects.create(name=name, slug=unique_slug(Author, name))
            self.authors[name] = author
        return self.authors[name]

    def category(self, names: list[str]) -> Category | None:
        parent = None
        for depth in range(1, len(names) + 1):
            key = tuple(names[:depth])
            if key not in self.categories:
                category = Category.objects.filter(parent=parent, name=key[-1]).first()
                if category is None:
                    category = Category.objects.create(
                        parent=parent, name=key[-1], slug=_category_slug(parent, key[-1])
                    )
                self.categories[key] = category
            parent = self.categories[key]
        return parent

    @staticmethod
    def _source_key(outlet: str, channel: str) -> tuple[str, str]:
        channel = channel if channel in Source.Channel.values else Source.Channel.OTHER
        # The columns' limits: SQLite would keep longer text, PostgreSQL refuses it.
        return channel, outlet[: Source._meta.get_field("name").max_length].strip()

    def find_source(self, outlet: str, channel: str) -> Source | None:
        """The outlet ``source`` would credit, if it exists already (nothing is created)."""
        key = self._source_key(outlet, channel)
        if key in self.sources:
            return self.sources[key]
        return Source.objects.filter(channel=key[0], name=key[1]).first()

    def source(self, outlet: str, channel: str, account_id: str) -> Source | None:
        if not outlet:
            return None
        channel, outlet = key = self._source_key(outlet, channel)
        account_id = account_id[: Source._meta.get_field("account_id").max_length]
        if key not in self.sources:
            source = Source.objects.filter(channel=channel, name=outlet).first()
            if source is None:
                source = Source.objects.create(
                    name=outlet,
                    channel=channel,
                    account_id=account_id,
                    slug=unique_slug(Source, outlet if channel != "other" else outlet),
                )
            elif account_id and not source.account_id:
                source.account_id = account_id
                source.save(update_fields=["account_id"])
            self.sources[key] = source
        return self.sources[key]

    def prefetch_entities(self, mentions: list[MentionData]) -> None:
        """Find the entities of ``mentions`` not cached yet in one query."""
        missing = sorted({entity_key(m) for m in mentions} - self.entities.keys())
        for start in range(0, len(missing), 500):  # within every database's parameter limit
            keys = missing[start : start + 500]
            found = Entity.objects.select_related("merged_into").filter(provider_id__in=keys)
            self.entities.update((entity.provider_id, entity) for entity in found)

    def entity(self, mention: MentionData) -> Entity:
        """The canonical entity for a mention, creating it (or an alias of it) when new."""
        provider_id = entity_key(mention)
        entity = self.entities.get(provider_id)
        if entity is None:
            entity = (
                Entity.objects.select_related("merged_into").filter(provider_id=provider_id).first()
            )
            name = (mention.name or mention.text).strip()[:200] or provider_id
            if entity is None:
                same_name = Entity.objects.canonical().filter(name=name).first()
                entity = Entity.objects.create(
                    provider_id=provider_id,
                    name=name,
                    kind=mention.kind[:20],
                    logo_url=_web_url(mention.logo),
                    external_url=_web_url(mention.href),
                    merged_into=same_name,
                )
                if same_name is not None:
                    _add_alias(same_name, provider_id)
            self.entities[provider_id] = entity
        target = entity.merged_into or entity
        name = (mention.name or "").strip()
        if name and name != target.name and name not in target.aliases:
            _add_alias(target, name)
        return target


def _web_url(url: str) -> str:
    """``url`` if it is an http(s) URL that fits the field, else "": an entity's logo and link
    come from a file's ``data-logo`` and ``href`` and are shown as an image and a link."""
    url = url.strip()
    return url if len(url) <= 1000 and re.match(r"https?://", url, re.IGNORECASE) else ""


def _add_alias(entity: Entity, alias: str) -> None:
    if alias not in entity.aliases:
        entity.aliases = [*entity.aliases, alias]
        entity.save(update_fields=["aliases"])


def _category_slug(parent: Category | None, name: str) -> str:
    """A slug whose path no sibling has: different names can spell the same slug (a long
    name cut at 60 characters, "AI" and "ai"), and the path must be unique."""
    base = make_slug(name, fallback="category")
    prefix = f"{parent.path}/" if parent is not None else ""
    slug, n = base, 2
    while Category.objects.filter(path=prefix + slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def unique_slug(model, text: str) -> str:
    base = make_slug(text, fallback=model._meta.model_name)
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
