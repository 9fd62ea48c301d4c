"""Entity links (``a.project-link``) that 36kr inserts by machine, and whether to trust them."""

from __future__ import annotations

import re

from bs4 import NavigableString, Tag

from articles.ingest.types import MentionData

CONTEXT_CHARS = 8

# Elements that end a run of text: context never crosses them.
_BLOCKS = frozenset(
    "p li h1 h2 h3 h4 h5 h6 div blockquote td th dd dt pre section article figure figcaption "
    "ul ol table tr br hr img".split()
)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _INVISIBLE.sub("", text))


def _strings(node) -> list[str]:
    if isinstance(node, NavigableString):
        return [str(node)]
    return [str(s) for s in node.find_all(string=True)]


def _side(anchor: Tag, forward: bool) -> str:
    """Plain text on one side of ``anchor`` up to the edge of its block (or CONTEXT_CHARS)."""
    parts: list[str] = []
    size = 0
    node: Tag | None = anchor
    while node is not None and node.name not in _BLOCKS:
        for sib in node.next_siblings if forward else node.previous_siblings:
            if isinstance(sib, Tag) and sib.name in _BLOCKS:
                size = CONTEXT_CHARS * 4  # a block sibling ends the run
                break
            texts = _strings(sib)
            for text in texts if forward else reversed(texts):
                parts.append(text)
                size += len(text)
            if size >= CONTEXT_CHARS * 4:
                break
        if size >= CONTEXT_CHARS * 4:
            break
        node = node.parent
    joined = _clean("".join(parts if forward else reversed(parts)))
    return joined[:CONTEXT_CHARS] if forward else joined[-CONTEXT_CHARS:]


def mention_context(anchor: Tag) -> tuple[str, str]:
    """The ~8 characters of plain text before and after ``anchor`` within its block."""
    return _side(anchor, forward=False), _side(anchor, forward=True)


def project_links(root) -> list[Tag]:
    return root.find_all("a", class_="project-link")


def judge_mention(left: str, text: str, right: str, name: str = "") -> tuple[str, str]:
    return "linked", ""


def find_mentions(root) -> list[MentionData]:
    mentions = []
    for a in project_links(root):
        text = _clean(a.get_text())
        left, right = mention_context(a)
        verdict, reason = judge_mention(left, text, right, a.get("data-name", ""))
        mentions.append(
            MentionData(
                data_id=a.get("data-id", "").strip(),
                name=a.get("data-name", "").strip(),
                text=text,
                logo=a.get("data-logo", ""),
                kind=a.get("data-refer-type", ""),
                href=a.get("href", ""),
                verdict=verdict,
                reason=reason,
            )
        )
    return mentions
