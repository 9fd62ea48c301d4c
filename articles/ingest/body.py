"""Article bodies: from the imported text to the editable source, and from there to HTML.

Two steps, both pure:
- ``to_html`` and ``parse_html`` (used by ``parse_article``): Markdown or HTML text → the
  editable ``body``, HTML with the original entity anchors kept so an editor sees what was
  imported;
- ``render_body``: ``body`` plus one link per entity anchor (and, optionally, the local
  copies of its images) → sanitized ``body_html``.
"""

import re
from collections.abc import Mapping, Sequence

import markdown
from lxml import etree

from articles.ingest.entities import project_links
from articles.ingest.pictures import picture_attrs
from articles.ingest.tree import (
    ROOT,
    Element,
    classes,
    drop,
    extract,
    get_text,
    is_element,
    parse,
    replace,
    replace_with_text,
    top_level,
    unwrap,
)
from articles.ingest.types import ImportRejected
from articles.sanitizer import is_safe_url, sanitize

# Elements whose content is never text a reader should see.
_DROP_WITH_CONTENT = (
    "script", "style", "iframe", "object", "embed", "template", "noscript", "form", "input",
    "button", "select", "textarea", "svg", "math", "frame", "frameset", "applet", "audio",
    "video", "link", "meta", "base", "head", "title", "xmp", "noembed", "noframes",
    "plaintext",
)  # fmt: skip
_BLOCK_START = re.compile(
    r"^\s*<(?:div|p|section|article|h[1-6]|ul|ol|table|figure|blockquote|pre|img|hr|br)\b",
    re.IGNORECASE,
)
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SIZE = re.compile(r"^\s*(\d{1,5})\s*[,x×]\s*(\d{1,5})\s*$")
_EMPTYABLE = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "span", "blockquote", "div", "section")
_BREAKS = frozenset(
    "br p div li h1 h2 h3 h4 h5 h6 blockquote td th tr figure figcaption section article "
    "ul ol dl dt dd pre table hr".split()
)
_SPACES = re.compile(r"\s+")
_CONTENT_TAGS = frozenset({"img", "br", "figure", "hr", "table"})
_BLOCK_CONTAINERS = frozenset({ROOT, "div", "section", "article", "blockquote", "li"})
_SANITIZE_CHUNK = 200  # top-level nodes per bleach call
# How wide a body image is drawn: the text column (--measure in static/css/site.css), or the
# whole viewport on narrower screens. Lets the browser pick the right rendition.
BODY_IMAGE_SIZES = "(max-width: 42rem) 100vw, 42rem"

# Python-Markdown's inline patterns scan from every "[", "(" or "<" to its partner, or to the
# end of the paragraph when there is none: 4,000 unclosed "![" took 5 s, a 100 kB file hours.
# Budget for the characters those scans read (a real article needs a few thousand).
MAX_MARKDOWN_SCAN = 2_000_000
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")
_SCAN_CHARS = re.compile(r"[\[\]()<>]")
_PARTNERS = {"]": "[", ")": "(", ">": "<"}


def parse_html(html: str) -> Element:
    """The body's tree (``articles.ingest.tree``): parsed once per article on import."""
    return parse(html)


def is_markdown(text: str) -> bool:
    """Bodies copied from 36kr are HTML; other Hexo sources write Markdown."""
    stripped = text.strip()
    return bool(stripped) and _BLOCK_START.match(stripped) is None


def markdown_scan_cost(text: str) -> int:
    """Characters Python-Markdown's bracket scans would read in ``text`` (see MAX_MARKDOWN_SCAN)."""
    cost = 0
    for paragraph in _PARAGRAPHS.split(text):
        open_at: dict[str, list[int]] = {"[": [], "(": [], "<": []}
        for match in _SCAN_CHARS.finditer(paragraph):
            char, at = match.group(), match.start()
            if char in open_at:
                open_at[char].append(at)
            elif char == ">":  # the first ">" ends every pending "<"
                cost += sum(at - start for start in open_at["<"])
                open_at["<"].clear()
            elif open_at[_PARTNERS[char]]:
                cost += at - open_at[_PARTNERS[char]].pop()
        cost += sum(len(paragraph) - start for starts in open_at.values() for start in starts)
    return cost


def to_html(text: str) -> str:
    """Render a Markdown body to HTML (raw HTML blocks pass through); HTML stays as it is.

    Raise ImportRejected for Markdown that would take Python-Markdown minutes to render.
    """
    if not is_markdown(text):
        return text
    if markdown_scan_cost(text) > MAX_MARKDOWN_SCAN:
        raise ImportRejected(
            "Markdown 正文含大量未配对的 [、( 或 <，渲染代价过高，拒绝导入；请检查文件。"
        )
    return markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")


def unwrap_container(root: Element) -> None:
    """Drop the single ``<div>`` 36kr wraps every body in, keeping its content."""
    elements = [c for c in root if is_element(c)]
    # A comment with text counted as text, as in the html.parser tree this replaced.
    comments = [c.text for c in root if not is_element(c)]
    texts = [t for t in [root.text, *comments, *(c.tail for c in root)] if t and t.strip()]
    if len(elements) != 1 or elements[0].tag != "div" or texts:
        return
    unwrap(elements[0])


def image_size(img: Element) -> tuple[int, int] | None:
    match = _SIZE.match(img.get("data-img-size-val") or "")
    if match is None:
        return None
    width, height = int(match.group(1)), int(match.group(2))
    return (width, height) if width > 0 and height > 0 else None


def _is_blank(text: str) -> bool:
    return not _ZERO_WIDTH.sub("", text).replace("\xa0", " ").strip()


def plain_text(node: Element) -> str:
    """The text a reader sees, whitespace collapsed.

    Inline tags add no space (get_text(" ") made “ 互联互通 ”迎来 of “<a>互联互通</a>”迎来);
    block boundaries and line breaks do.
    """
    parts: list[str] = []
    stack: list[tuple[Element, bool]] = [(node, False)]
    while stack:
        item, done = stack.pop()
        if done:
            if item is not node and item.tail:
                parts.append(item.tail)
            continue
        if is_element(item):
            if item.tag in _BREAKS:
                parts.append(" ")
            if item.text:
                parts.append(item.text)
        stack.append((item, True))
        stack.extend((child, False) for child in reversed(item))
    text = _ZERO_WIDTH.sub("", "".join(parts).replace("\xa0", " "))
    return _SPACES.sub(" ", text).strip()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def first_paragraph(root: Element, *, limit: int = 200) -> str:
    """The first paragraph with real text, cut to ``limit`` characters; used as a summary."""
    # Only the first blocks: each look is as long as the block, and a body of thousands of
    # empty nested items would otherwise make this quadratic.
    for n, block in enumerate(root.iter("p", "li", "blockquote")):
        if n == 50:
            break
        if "img-desc" in classes(block):
            continue
        text = plain_text(block)
        if len(text) >= 8:
            return _shorten(text, limit)
    return _shorten(plain_text(root), limit)


def _alone_in(holder: Element, img: Element) -> bool:
    """Whether ``img`` is all ``holder`` shows (36kr's ``<p class="image-wrapper">``)."""
    if holder.text and not _is_blank(holder.text):
        return False
    for child in holder:
        if child is not img and is_element(child) and child.tag != "br":
            return False
        if child.tail and not _is_blank(child.tail):
            return False
    return True


def _caption_after(node: Element) -> Element | None:
    """The ``p.img-desc`` right after ``node`` (blank text between them allowed)."""
    if node.tail and not _is_blank(node.tail):
        return None
    sibling = node.getnext()
    while sibling is not None and not is_element(sibling):
        if not _is_blank(sibling.text or "") or (sibling.tail and not _is_blank(sibling.tail)):
            return None
        sibling = sibling.getnext()
    if sibling is not None and sibling.tag == "p" and "img-desc" in classes(sibling):
        return sibling
    return None


def _figure(img: Element) -> None:
    """Wrap a block image and the caption 36kr puts in the next ``p.img-desc`` in a figure.

    An image inside running text stays inline: a figure there would split the paragraph.
    """
    holder = img.getparent()
    if holder is not None and holder.tag == "p" and _alone_in(holder, img):
        anchor = holder
    elif holder is not None and holder.tag in _BLOCK_CONTAINERS:
        anchor = img
    else:
        return
    caption = _caption_after(anchor)
    figure = etree.Element("figure")
    if anchor is img:
        replace(img, figure)
    else:
        replace(anchor, figure)
        extract(img)
    figure.append(img)
    if caption is not None:
        text = plain_text(caption)
        drop(caption)
        if text:
            figcaption = etree.SubElement(figure, "figcaption")
            figcaption.text = text
            if not img.get("alt"):
                img.set("alt", text)


def _image_source(img: Element) -> str:
    """The URL an image shows, or "" when it has none that is safe."""
    src = (img.get("src") or img.get("data-src") or "").strip()
    return src if src and is_safe_url(src) else ""


def _set_attrs(element: Element, attrs: Mapping[str, str]) -> None:
    element.attrib.clear()
    for name, value in attrs.items():
        element.set(name, value)


def _use_local(img: Element, picture: Mapping) -> None:
    """Point ``img`` at its local renditions: WebP in a ``<source>``, the fallback in the img."""
    source, attrs = picture_attrs(
        picture, alt=img.get("alt", ""), default_sizes=BODY_IMAGE_SIZES, lazy=True
    )
    _set_attrs(img, attrs)
    if source is not None:
        element = etree.Element("picture")
        replace(img, element)
        etree.SubElement(element, "source", attrib=source)
        element.append(img)


def _tidy_images(root: Element, images: Mapping[str, Mapping] | None = None) -> None:
    # Responsive markup is ours alone: whatever the body brought is unwrapped or dropped.
    for source in list(root.iter("source")):
        drop(source)
    for picture in list(root.iter("picture")):
        unwrap(picture)
    for img in list(root.iter("img")):
        src = _image_source(img)
        if not src:
            drop(img)
            continue
        size = image_size(img)
        if not size and (img.get("width") or "").isdigit() and (img.get("height") or "").isdigit():
            size = (img.get("width"), img.get("height"))
        width, height = size or (None, None)
        _, attrs = picture_attrs(
            None, src, alt=img.get("alt", ""), width=width, height=height, lazy=True
        )
        _set_attrs(img, attrs)
        if not any(True for _ in img.iterancestors("figure")):
            _figure(img)
        picture = images.get(src) if images else None
        if picture and picture.get("src"):
            _use_local(img, picture)


def _tidy_links(root: Element) -> None:
    for a in list(root.iter("a")):
        if "entity-link" in classes(a):
            continue
        href = (a.get("href") or "").strip()
        if href and is_safe_url(href):
            _set_attrs(a, {"href": href, "rel": "nofollow noopener noreferrer"})
        else:
            unwrap(a)  # a link to nowhere (or to a script) is just its text


def _drop_empty_blocks(root: Element) -> None:
    """Drop paragraphs, headings and spans with nothing to show (36kr's ``<h2>&nbsp;</h2>``).

    One pass marks every element above visible content, so deep trees stay linear.
    """
    filled: set[Element] = set()

    def fill(element: Element | None) -> None:  # ``element`` and everything above it
        while element is not None and element not in filled:
            filled.add(element)
            element = element.getparent()

    for node in root.iter():
        if is_element(node):
            if node.tag in _CONTENT_TAGS:
                fill(node.getparent())
            if node.text and not _is_blank(node.text):
                fill(node)
        if node is not root and node.tail and not _is_blank(node.tail):
            fill(node.getparent())
    for block in list(root.iter(_EMPTYABLE)):
        if block not in filled and block.getparent() is not None:
            drop(block)


def _drop_invisible(root: Element) -> None:
    """Drop comments and the elements whose content no reader should see."""
    for node in list(root.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity)):
        drop(node)
    for element in list(root.iter(_DROP_WITH_CONTENT)):
        if element.getparent() is not None and _attached(element, root):
            drop(element)


def _attached(element: Element, root: Element) -> bool:
    # An element inside one dropped before is gone with it.
    return any(ancestor is root for ancestor in element.iterancestors())


def image_sources(body: str) -> list[str]:
    """The source URL of every image ``render_body`` keeps, in order, without repeats."""
    root = parse_html(body)
    for element in list(root.iter(_DROP_WITH_CONTENT)):
        if _attached(element, root):
            drop(element)
    found = (_image_source(img) for img in root.iter("img"))
    return list(dict.fromkeys(src for src in found if src))


def render_body(
    body: str, links: Sequence[str | None], images: Mapping[str, Mapping] | None = None
) -> str:
    """Turn an editable body into sanitized HTML.

    ``links[i]`` is the URL for the i-th entity anchor (``a.project-link``) in document order,
    or None to render its text plain (flagged or never-link mentions, or fewer links given
    than anchors). Headings shift down one level: the page title is the only ``h1``.

    ``images`` maps an image's source URL, as the body has it, to its local copy: a dict with
    ``src`` and optionally ``srcset``, ``webp_srcset``, ``sizes``, ``width`` and ``height``
    (see ``articles.pictures``). Images not in it keep their remote URL.
    """
    return render_tree(parse_html(body), links, images)


def render_tree(
    root: Element, links: Sequence[str | None], images: Mapping[str, Mapping] | None = None
) -> str:
    """``render_body`` of a parsed body (``parse_html``); the tree is used up."""
    # Counted before anything is dropped, exactly as find_mentions counted them.
    for i, anchor in enumerate(project_links(root)):
        url = links[i] if i < len(links) else None
        text = get_text(anchor)
        if url:
            new = etree.Element("a", attrib={"class": "entity-link", "href": url})
            new.text = text
            replace(anchor, new)
        else:
            replace_with_text(anchor, text)
    _drop_invisible(root)
    for heading in root.iter("h1"):
        heading.tag = "h2"
    _tidy_images(root, images)
    _tidy_links(root)
    _drop_empty_blocks(root)
    # bleach's tree walker looks each element up among its grandparent's children, which is
    # quadratic in a wide body (10,000 figures: seconds); top-level chunks keep it small.
    # Each chunk is whole serialized elements, so it parses alone exactly as in place.
    parts = [_ZERO_WIDTH.sub("", part) for part in top_level(root)]
    step = _SANITIZE_CHUNK
    chunks = ("".join(parts[i : i + step]) for i in range(0, len(parts), step))
    return "".join(sanitize(chunk) for chunk in chunks).strip()
