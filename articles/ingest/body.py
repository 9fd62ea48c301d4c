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
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from articles.ingest.pictures import picture_attrs
from articles.ingest.types import ImportRejected
from articles.sanitizer import is_safe_url, sanitize

# Elements whose content is never text a reader should see.
_DROP_WITH_CONTENT = (
    "script", "style", "iframe", "object", "embed", "template", "noscript", "form", "input",
    "button", "select", "textarea", "svg", "math", "frame", "frameset", "applet", "audio",
    "video", "link", "meta", "base", "head", "title", "xmp", "noembed", "noframes",
    "plaintext",
)  # fmt: skip
# Start tags that close an open <p> in a browser (HTML's "close a p element").
_CLOSES_P = frozenset(
    "address article aside blockquote center details dialog dir div dl dd dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li listing main menu "
    "nav ol p plaintext pre section summary table ul xmp".split()
)
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
_BLOCK_CONTAINERS = frozenset({"[document]", "div", "section", "article", "blockquote", "li"})
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


class _QuickIndex:
    """Find a child's position by looking first where the last one was found.

    bs4 locates a node among its siblings by scanning from the first one whenever a node is
    moved or replaced, so a body of thousands of images or links took minutes to render.
    Passes here go in document order: the next node sits right after the last one.
    """

    _last_index = 0

    def index(self, element) -> int:
        contents = self.contents
        start = max(self._last_index - 2, 0)
        for i in range(start, min(start + 8, len(contents))):
            if contents[i] is element:
                self._last_index = i
                return i
        self._last_index = super().index(element)
        return self._last_index


class _Tag(_QuickIndex, Tag):
    pass


class _Soup(_QuickIndex, BeautifulSoup):
    """html.parser tree that, like a browser, closes an open ``<p>`` at the next block.

    html.parser nests unclosed paragraphs, so ``<p>a<p>b…`` repeated gave a tree thousands
    deep, and every per-paragraph pass over it (attribution, empty blocks) took quadratic
    time: minutes for a 100 kB file. Browsers, and bleach's parser, close the paragraph.
    """

    def handle_starttag(self, name, *args, **kwargs):
        if name in _CLOSES_P and self.open_tag_counter.get("p"):
            self.endData()
            self._popToTag("p")
        return super().handle_starttag(name, *args, **kwargs)


def parse_html(html: str) -> BeautifulSoup:
    return _Soup(html, "html.parser", element_classes={Tag: _Tag})


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


def unwrap_container(root: BeautifulSoup) -> None:
    """Drop the single ``<div>`` 36kr wraps every body in, keeping its content."""
    elements = [c for c in root.contents if isinstance(c, Tag)]
    texts = [c for c in root.contents if isinstance(c, NavigableString) and c.strip()]
    if len(elements) != 1 or elements[0].name != "div" or texts:
        return
    wrapper = elements[0]
    # Tag.unwrap() moves children from the back, looking each one up by a linear scan:
    # quadratic for the thousands of paragraphs a hostile body can hold. From the front,
    # each lookup is immediate.
    at = root.index(wrapper)
    for child in list(wrapper.contents):
        root.insert(at, child.extract())
        at += 1
    wrapper.extract()


def image_size(img: Tag) -> tuple[int, int] | None:
    match = _SIZE.match(img.get("data-img-size-val") or "")
    if match is None:
        return None
    width, height = int(match.group(1)), int(match.group(2))
    return (width, height) if width > 0 and height > 0 else None


def _is_blank(text: str) -> bool:
    return not _ZERO_WIDTH.sub("", text).replace("\xa0", " ").strip()


def plain_text(node: Tag | BeautifulSoup) -> str:
    """The text a reader sees, whitespace collapsed.

    Inline tags add no space (get_text(" ") made “ 互联互通 ”迎来 of “<a>互联互通</a>”迎来);
    block boundaries and line breaks do.
    """
    parts: list[str] = []
    for item in node.descendants:
        if isinstance(item, Tag):
            if item.name in _BREAKS:
                parts.append(" ")
        elif not isinstance(item, PreformattedString):
            parts.append(item)
    text = _ZERO_WIDTH.sub("", "".join(parts).replace("\xa0", " "))
    return _SPACES.sub(" ", text).strip()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def first_paragraph(root: BeautifulSoup, *, limit: int = 200) -> str:
    """The first paragraph with real text, cut to ``limit`` characters; used as a summary."""
    # Only the first blocks: each look is as long as the block, and a body of thousands of
    # empty nested items would otherwise make this quadratic.
    for block in root.find_all(["p", "li", "blockquote"], limit=50):
        if "img-desc" in (block.get("class") or []):
            continue
        text = plain_text(block)
        if len(text) >= 8:
            return _shorten(text, limit)
    return _shorten(plain_text(root), limit)


def _alone_in(holder: Tag, img: Tag) -> bool:
    """Whether ``img`` is all ``holder`` shows (36kr's ``<p class="image-wrapper">``)."""
    for child in holder.children:
        if child is img:
            continue
        if isinstance(child, NavigableString):
            if not isinstance(child, PreformattedString) and not _is_blank(child):
                return False
        elif child.name != "br":
            return False
    return True


def _caption_after(node: Tag) -> Tag | None:
    """The ``p.img-desc`` right after ``node`` (blank text between them allowed)."""
    for sibling in node.next_siblings:
        if isinstance(sibling, Tag):
            is_caption = sibling.name == "p" and "img-desc" in (sibling.get("class") or [])
            return sibling if is_caption else None
        if not _is_blank(sibling):
            return None
    return None


def _figure(root: BeautifulSoup, img: Tag) -> None:
    """Wrap a block image and the caption 36kr puts in the next ``p.img-desc`` in a figure.

    An image inside running text stays inline: a figure there would split the paragraph.
    """
    holder = img.parent
    if holder is not None and holder.name == "p" and _alone_in(holder, img):
        anchor = holder
    elif holder is not None and holder.name in _BLOCK_CONTAINERS:
        anchor = img
    else:
        return
    caption = _caption_after(anchor)
    figure = root.new_tag("figure")
    anchor.replace_with(figure)
    figure.append(img.extract() if anchor is not img else img)
    if caption is not None:
        text = plain_text(caption)
        caption.decompose()
        if text:
            figcaption = root.new_tag("figcaption")
            figcaption.string = text
            figure.append(figcaption)
            if not img.get("alt"):
                img["alt"] = text


def _image_source(img: Tag) -> str:
    """The URL an image shows, or "" when it has none that is safe."""
    src = (img.get("src") or img.get("data-src") or "").strip()
    return src if src and is_safe_url(src) else ""


def _use_local(root: BeautifulSoup, img: Tag, picture: Mapping) -> None:
    """Point ``img`` at its local renditions: WebP in a ``<source>``, the fallback in the img."""
    source, img.attrs = picture_attrs(
        picture, alt=img.get("alt", ""), default_sizes=BODY_IMAGE_SIZES, lazy=True
    )
    if source is not None:
        element = root.new_tag("picture")
        img.replace_with(element)
        element.append(root.new_tag("source", attrs=source))
        element.append(img)


def _tidy_images(root: BeautifulSoup, images: Mapping[str, Mapping] | None = None) -> None:
    # Responsive markup is ours alone: whatever the body brought is unwrapped or dropped.
    for source in root.find_all("source"):
        source.decompose()
    for picture in root.find_all("picture"):
        picture.unwrap()
    for img in root.find_all("img"):
        src = _image_source(img)
        if not src:
            img.decompose()
            continue
        size = image_size(img)
        if (
            not size
            and str(img.get("width", "")).isdigit()
            and str(img.get("height", "")).isdigit()
        ):
            size = (img["width"], img["height"])
        width, height = size or (None, None)
        _, img.attrs = picture_attrs(
            None, src, alt=img.get("alt", ""), width=width, height=height, lazy=True
        )
        if img.find_parent("figure") is None:
            _figure(root, img)
        picture = images.get(src) if images else None
        if picture and picture.get("src"):
            _use_local(root, img, picture)


def _tidy_links(root: BeautifulSoup) -> None:
    for a in root.find_all("a"):
        if "entity-link" in (a.get("class") or []):
            continue
        href = (a.get("href") or "").strip()
        if href and is_safe_url(href):
            a.attrs = {"href": href, "rel": "nofollow noopener noreferrer"}
        else:
            a.unwrap()  # a link to nowhere (or to a script) is just its text


def _drop_empty_blocks(root: BeautifulSoup) -> None:
    """Drop paragraphs, headings and spans with nothing to show (36kr's ``<h2>&nbsp;</h2>``).

    One pass marks every element above visible content, so deep trees stay linear.
    """
    filled: set[int] = set()
    for node in root.descendants:
        if isinstance(node, Tag):
            visible = node.name in _CONTENT_TAGS
        else:
            visible = not isinstance(node, PreformattedString) and not _is_blank(node)
        if visible:
            parent = node.parent
            while parent is not None and id(parent) not in filled:
                filled.add(id(parent))
                parent = parent.parent
    for block in root.find_all(_EMPTYABLE):
        if id(block) not in filled and not block.decomposed:
            block.decompose()


def image_sources(body: str) -> list[str]:
    """The source URL of every image ``render_body`` keeps, in order, without repeats."""
    root = parse_html(body)
    for tag in root.find_all(_DROP_WITH_CONTENT):
        if not tag.decomposed:
            tag.decompose()
    found = (_image_source(img) for img in root.find_all("img"))
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
    root = parse_html(body)
    # Counted before anything is dropped, exactly as find_mentions counted them.
    for i, anchor in enumerate(root.find_all("a", class_="project-link")):
        url = links[i] if i < len(links) else None
        text = anchor.get_text()
        if url:
            new = root.new_tag("a", href=url, attrs={"class": "entity-link"})
            new.string = text
            anchor.replace_with(new)
        else:
            anchor.replace_with(NavigableString(text))
    # Comments, CDATA, doctypes and processing instructions.
    for node in root.find_all(string=lambda s: isinstance(s, PreformattedString)):
        node.extract()
    for tag in root.find_all(_DROP_WITH_CONTENT):
        if not tag.decomposed:
            tag.decompose()
    for heading in root.find_all("h1"):
        heading.name = "h2"
    _tidy_images(root, images)
    _tidy_links(root)
    _drop_empty_blocks(root)
    # bleach's tree walker looks each element up among its grandparent's children, which is
    # quadratic in a wide body (10,000 figures: seconds); top-level chunks keep it small.
    # Each chunk is whole serialized elements, so it parses alone exactly as in place.
    parts = [_ZERO_WIDTH.sub("", str(node)) for node in root.contents]
    step = _SANITIZE_CHUNK
    chunks = ("".join(parts[i : i + step]) for i in range(0, len(parts), step))
    return "".join(sanitize(chunk) for chunk in chunks).strip()
