"""The one place untrusted HTML is cleaned: every body passes through ``sanitize`` before it
can reach a page or a feed.

An explicit allowlist: tags, attributes per tag, URL schemes. Anything else is stripped.
"""

import re
from html import unescape

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

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

# Browsers ignore these inside a URL ("jav&#x09;ascript:"), so they must not hide a scheme.
_URL_NOISE = re.compile("[\x00-\x20\x7f-\xa0\u200b-\u200f\u2028\u2029\u2060\ufeff]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)

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
    protocols=SAFE_SCHEMES,
    strip=True,
    strip_comments=True,
)


def is_safe_url(url: str) -> bool:
    """Whether ``url`` is relative or uses a SAFE_SCHEMES scheme, read the way a browser would.

    ``url`` may still contain character references (``&#x09;``); they are decoded first.
    """
    match = _SCHEME.match(_URL_NOISE.sub("", unescape(url)))
    return match is None or match.group(1).lower() in SAFE_SCHEMES


def sanitize(html: str) -> str:
    """Return ``html`` reduced to the allowlist; safe to mark as safe in a template.

    Disallowed tags are stripped but their text is kept (escaped); callers that must not show
    the text of scripts or styles drop those elements first (see ``render_body``).
    """
    return _cleaner.clean(html)
