"""ASCII slugs for Chinese titles.

Percent-encoded Chinese slugs are unreadable in links and logs, so Han characters are spelled
in pinyin; Latin words and digits stay as they are.
"""

import unicodedata

from django.utils.text import slugify
from pypinyin import Style, lazy_pinyin


def make_slug(text: str, *, fallback: str = "item", max_length: int = 60) -> str:
    """Return a lowercase ASCII slug for ``text``, never empty, at most ``max_length`` long.

    Han characters become pinyin syllables separated by hyphens; anything that cannot be
    spelled in ASCII is dropped. ``fallback`` is returned when nothing is left.
    """
    text = unicodedata.normalize("NFKC", text or "")
    spelled = " ".join(lazy_pinyin(text, style=Style.NORMAL))
    slug = slugify(spelled)
    if len(slug) > max_length:
        cut = slug[:max_length]
        # Cut at a hyphen so no syllable is left half-spelled, unless one word fills it all.
        if slug[max_length] != "-" and "-" in cut:
            cut = cut.rsplit("-", 1)[0]
        slug = cut
    return slug.strip("-") or fallback
