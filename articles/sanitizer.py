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
        "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "small", "source",
        "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
        "u", "ul",
    }
)  # fmt: skip

# Classes the templates style; any other class value is dropped.
ALLOWED_CLASSES = frozenset({"entity-link", "img-desc", "editor-note-inline"})

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

# Browsers ignore these inside a URL ("jav&#x09;ascript:"), so they must not hide a scheme.
_URL_NOISE = re.compile("[\x00-\x20\x7f-\xa0\u200b-\u200f\u2028\u2029\u2060\ufeff]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)

_IMG_ATTRS = {"src", "alt", "width", "height", "loading", "decoding", "referrerpolicy", "title"}
# Responsive images are ours only: a srcset may name nothing but files under MEDIA_URL (the
# renditions articles/images makes), with a width or density descriptor.
_MEDIA_PATH = re.compile(r"[A-Za-z0-9_\-]+(?:[./][A-Za-z0-9_\-]+)*")
_DESCRIPTOR = re.compile(r"\d{1,5}w|\d{1,2}(?:\.\d{1,2})?x")
_LENGTH = r"\d{1,4}(?:\.\d{1,2})?(?:px|r?em|vw)"
_SIZE = rf"(?:\((?:max|min)-width: ?{_LENGTH}\) )?{_LENGTH}"
_SIZES = re.compile(rf"{_SIZE}(?:, ?{_SIZE}){{0,5}}")
_SOURCE_TYPES = frozenset({"image/webp", "image/jpeg", "image/png", "image/gif"})


def _media_url() -> str:
    try:
        from django.conf import settings

        return settings.MEDIA_URL or "/media/"
    except Exception:  # noqa: BLE001 - settings not configured: the default
        return "/media/"


def is_media_srcset(value: str) -> bool:
    """Whether every candidate of ``value`` is a file under MEDIA_URL with a descriptor."""
    prefix = _media_url()
    candidates = value.split(",")
    if not value.strip() or len(candidates) > 12:
        return False
    for candidate in candidates:
        parts = candidate.split()
        if len(parts) not in (1, 2) or not parts[0].startswith(prefix):
            return False
        if not _MEDIA_PATH.fullmatch(parts[0][len(prefix) :]):
            return False
        if len(parts) == 2 and not _DESCRIPTOR.fullmatch(parts[1]):
            return False
    return True


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
        if name == "srcset":
            return is_media_srcset(value)
        if name == "sizes":
            return _SIZES.fullmatch(value) is not None
        return name in _IMG_ATTRS
    if tag == "source":
        if name == "srcset":
            return is_media_srcset(value)
        if name == "sizes":
            return _SIZES.fullmatch(value) is not None
        if name == "type":
            return value in _SOURCE_TYPES
        if name in {"width", "height"}:
            return value.isdigit()
        return False
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
