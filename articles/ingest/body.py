"""Article bodies: from the imported text to the editable source, and from there to HTML.

Two steps, both pure:
- ``prepare_body``: Markdown or HTML text → the editable ``body`` (HTML with the original
  entity anchors kept, so an editor sees what was imported);
- ``render_body``: ``body`` plus one link per entity anchor → sanitized ``body_html``.
"""

import re
from collections.abc import Sequence

import markdown
from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from articles.sanitizer import sanitize

# Elements whose content is never text a reader should see.
_DROP_WITH_CONTENT = (
    "script", "style", "iframe", "object", "embed", "template", "noscript", "form", "input",
    "button", "select", "textarea", "svg", "math", "frame", "frameset", "applet", "audio",
    "video", "link", "meta", "base", "head", "title",
)  # fmt: skip
_BLOCK_START = re.compile(
    r"^\s*<(?:div|p|section|article|h[1-6]|ul|ol|table|figure|blockquote|pre|img|hr|br)\b",
    re.IGNORECASE,
)
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SIZE = re.compile(r"^\s*(\d{1,5})\s*[,x×]\s*(\d{1,5})\s*$")
PROJECT_LINK = "a.project-link"


def parse_html(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def is_markdown(text: str) -> bool:
    """Bodies copied from 36kr are HTML; other Hexo sources write Markdown."""
    stripped = text.strip()
    return bool(stripped) and _BLOCK_START.match(stripped) is None


def to_html(text: str) -> str:
    """Render a Markdown body to HTML (raw HTML blocks pass through); HTML stays as it is."""
    if is_markdown(text):
        return markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return text


def unwrap_container(root: BeautifulSoup) -> None:
    """Drop the single ``<div>`` 36kr wraps every body in, keeping its content."""
    elements = [c for c in root.contents if isinstance(c, Tag)]
    texts = [c for c in root.contents if isinstance(c, NavigableString) and c.strip()]
    if len(elements) == 1 and elements[0].name == "div" and not texts:
        elements[0].unwrap()


def image_size(img: Tag) -> tuple[int, int] | None:
    match = _SIZE.match(img.get("data-img-size-val") or "")
    if match is None:
        return None
    width, height = int(match.group(1)), int(match.group(2))
    return (width, height) if width > 0 and height > 0 else None


def plain_text(node: Tag | BeautifulSoup) -> str:
    text = node.get_text(" ", strip=True)
    return re.sub(r"\s+", " ", _ZERO_WIDTH.sub("", text.replace("\xa0", " "))).strip()


def first_paragraph(root: BeautifulSoup, *, limit: int = 200) -> str:
    """The first paragraph with real text, cut to ``limit`` characters; used as a summary."""
    for block in root.find_all(["p", "li", "blockquote"]):
        if "img-desc" in (block.get("class") or []):
            continue
        text = plain_text(block)
        if len(text) >= 8:
            return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    text = plain_text(root)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _figure(root: BeautifulSoup, img: Tag) -> None:
    """Wrap an image (and the caption 36kr puts in the next ``p.img-desc``) in a figure."""
    holder = img.parent
    if holder is not None and holder.name == "p" and len(holder.find_all(True)) == 1:
        anchor = holder
    else:
        anchor = img
    caption = None
    sibling = anchor.find_next_sibling() if anchor is holder else None
    if sibling is not None and sibling.name == "p" and "img-desc" in (sibling.get("class") or []):
        caption = plain_text(sibling)
        sibling.decompose()
    figure = root.new_tag("figure")
    anchor.replace_with(figure)
    figure.append(img.extract() if anchor is not img else img)
    if caption:
        figcaption = root.new_tag("figcaption")
        figcaption.string = caption
        figure.append(figcaption)
        if not img.get("alt"):
            img["alt"] = caption


def _tidy_images(root: BeautifulSoup) -> None:
    for img in root.find_all("img"):
        src = (img.get("src") or img.get("data-src") or "").strip()
        if not src:
            img.decompose()
            continue
        size = image_size(img)
        attrs = {"src": src, "alt": img.get("alt", "")}
        if size:
            attrs["width"], attrs["height"] = str(size[0]), str(size[1])
        elif str(img.get("width", "")).isdigit() and str(img.get("height", "")).isdigit():
            attrs["width"], attrs["height"] = img["width"], img["height"]
        attrs.update(loading="lazy", decoding="async", referrerpolicy="no-referrer")
        img.attrs = attrs
        if img.find_parent("figure") is None:
            _figure(root, img)


def _tidy_links(root: BeautifulSoup) -> None:
    for a in root.find_all("a"):
        if "entity-link" in (a.get("class") or []):
            continue
        href = (a.get("href") or "").strip()
        a.attrs = {"href": href, "rel": "nofollow noopener noreferrer"} if href else {}


def _drop_empty_blocks(root: BeautifulSoup) -> None:
    # 36kr leaves headings of a lone &nbsp; and empty paragraphs as spacing.
    for block in root.find_all(["p", "h1", "h2", "h3", "h4", "h5", "h6", "span"]):
        if not block.find(["img", "br", "figure"]) and not plain_text(block):
            block.decompose()


def render_body(body: str, links: Sequence[str | None]) -> str:
    """Turn an editable body into sanitized HTML.

    ``links[i]`` is the URL for the i-th entity anchor (``a.project-link``) in document order,
    or None to render its text plain (flagged or never-link mentions, or fewer links given
    than anchors). Headings shift down one level: the page title is the only ``h1``.
    """
    root = parse_html(body)
    for node in root.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in root.find_all(_DROP_WITH_CONTENT):
        tag.decompose()
    for i, anchor in enumerate(root.select(PROJECT_LINK)):
        url = links[i] if i < len(links) else None
        text = anchor.get_text()
        if url:
            new = root.new_tag("a", href=url, attrs={"class": "entity-link"})
            new.string = text
            anchor.replace_with(new)
        else:
            anchor.replace_with(NavigableString(text))
    for heading in root.find_all("h1"):
        heading.name = "h2"
    _tidy_images(root)
    _tidy_links(root)
    _drop_empty_blocks(root)
    html = _ZERO_WIDTH.sub("", str(root))
    return sanitize(html).strip()
