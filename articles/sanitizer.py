"""The one place untrusted HTML is cleaned: every body passes through ``sanitize`` before it
can reach a page or a feed.

An explicit allowlist: tags, attributes per tag, URL schemes. Anything else is stripped.
"""

import bleach

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl",
        "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
        "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong",
        "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip

# Classes the templates style; any other class value is dropped.
ALLOWED_CLASSES = frozenset({"entity-link", "img-desc", "editor-note-inline"})

_IMG_ATTRS = {"src", "alt", "width", "height", "loading", "decoding", "referrerpolicy", "title"}
_CELL_ATTRS = {"colspan", "rowspan", "scope"}


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if name == "class":
        return all(c in ALLOWED_CLASSES for c in value.split())
    if tag == "a":
        return name in {"href", "title", "rel"}
    if tag == "img":
        if name == "referrerpolicy":
            return value == "no-referrer"
        if name == "loading":
            return value in {"lazy", "eager"}
        if name in {"width", "height"}:
            return value.isdigit()
        return name in _IMG_ATTRS
    if tag in {"td", "th"}:
        return name in _CELL_ATTRS and (name == "scope" or value.isdigit())
    if tag == "ol":
        return name == "start" and value.isdigit()
    if tag in {"abbr", "q", "blockquote"}:
        return name in {"title", "cite"}
    return False


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allow_attribute,
    protocols=frozenset({"http", "https", "mailto"}),
    strip=True,
    strip_comments=True,
)


def sanitize(html: str) -> str:
    """Return ``html`` reduced to the allowlist; safe to mark as safe in a template."""
    return _cleaner.clean(html)
