"""Which entity mention becomes a link, in one place.

- ``LINKED``: the verdicts that link (the importer's "linked", an editor's "confirmed").
- ``is_link(entity, verdict)``: whether a mention renders as a link (never-link entities don't).
- ``entity_key(anchor)``: the key an anchor's entity is found by (``Entity.provider_id``): its
  ``data-id``, else its name.
- ``kept_verdict(old, entity, text)``: whether an editor's verdict on a mention survives a
  re-import or a body edit (same position, same entity, same text).
"""

from articles.models import Entity, Mention

LINKED = (Mention.Verdict.LINKED, Mention.Verdict.CONFIRMED)
EDITOR_VERDICTS = (Mention.Verdict.CONFIRMED, Mention.Verdict.REJECTED)
TEXT_LENGTH = 300  # Mention.text
KEY_LENGTH = 64  # Entity.provider_id


def is_link(entity: Entity | None, verdict: str) -> bool:
    return entity is not None and verdict in LINKED and not entity.is_never_link


def link_url(entity: Entity | None, verdict: str) -> str | None:
    """The URL the mention links to, or None (it renders as text)."""
    return entity.get_absolute_url() if is_link(entity, verdict) else None


def entity_key(anchor) -> str:
    """``anchor``: parsed mention data (``data_id``, ``name``, ``text``)."""
    return anchor.data_id or f"name:{anchor.name or anchor.text}"[:KEY_LENGTH]


def kept_verdict(old: Mention | None, entity: Entity | None, text: str) -> bool:
    """Whether ``old`` (the mention at the same position before) keeps its editor's verdict."""
    return (
        old is not None
        and entity is not None
        and old.verdict in EDITOR_VERDICTS
        and old.entity_id == entity.pk
        and old.text == text[:TEXT_LENGTH]
    )
