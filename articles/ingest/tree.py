"""The tree a body is parsed into, once per article: lxml (libxml2, in C), read as a browser
and bleach read HTML, and written back the way the stored bodies have always been written.

lxml keeps text in ``element.text`` (before the first child) and ``element.tail`` (after the
element, inside its parent); the helpers here move text along when an element is replaced,
unwrapped or dropped, so callers think in nodes as before. Every walk is iterative: with
``huge_tree`` a hostile body may be thousands of levels deep.
"""

import re
from collections.abc import Iterator

from lxml import etree

Element = etree._Element

ROOT = "body"  # the tag of the element parse() returns: the body's container
# Void elements as html.parser's tree builder (bs4) knew them: written as ``<br/>``. libxml2
# parses HTML 4, where some (source, track, wbr, image...) would swallow what follows them.
VOID = frozenset(
    "area base br col embed hr img input keygen link menuitem meta param source track wbr "
    "basefont bgsound command frame image isindex nextid spacer".split()
)
_RAW_TEXT = frozenset({"script", "style"})  # text bs4's get_text() left out
# Elements libxml2 reads as raw text (no markup, no character references): written as read.
_UNESCAPED = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "plaintext"})
# libxml2 stops reading at a stray </body> or </html> (browsers and bleach read on), and
# would move the content of <html>, <head> and <body> tags elsewhere: they go first.
_DOCUMENT_TAGS = re.compile(r"</?(?:html|head|body)(?=[\s/>])[^>]*>", re.IGNORECASE)
_PARSER = etree.HTMLParser(
    no_network=True, huge_tree=True, remove_comments=False, remove_pis=False, recover=True
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ASCII_SPACES = dict.fromkeys(map(ord, " \n\t\x0c\r"))
_PRESERVE_WHITESPACE = ("pre", "textarea")
# A raw carriage return would read back as a newline.
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def parse(html: str) -> Element:
    """The body's container (tag ``ROOT``) holding the parsed ``html``."""
    doc = etree.fromstring(f"<html><body>{_DOCUMENT_TAGS.sub('', html)}", _PARSER)
    root = doc.find(ROOT) if doc is not None else None
    if root is None:
        return etree.Element(ROOT)
    if _CONTROL.search(html) or "&#" in html:
        _drop_control_characters(root)
    for element in list(root.iter(*VOID)):
        if len(element) or element.text:
            _hoist_content(element)
    collapse_blank_text(root)
    return root


def _drop_control_characters(root: Element) -> None:
    """Drop the control characters a body may hold, raw or as references (``&#1;``): no
    reader needs them, feeds (XML) refuse them, and lxml cannot hold text with them."""
    for node in root.iter():
        if node.text and is_element(node) and _CONTROL.search(node.text):
            node.text = _CONTROL.sub("", node.text)
        if node.tail and _CONTROL.search(node.tail):
            node.tail = _CONTROL.sub("", node.tail)
        if is_element(node):
            for name, value in node.items():
                if _CONTROL.search(value):
                    node.set(name, _CONTROL.sub("", value))


def collapse_blank_text(root: Element) -> None:
    """Write whitespace-only text as one newline (when it has one) or one space, outside
    ``<pre>`` and ``<textarea>``: what html.parser's tree builder did, so stored bodies and
    what they render to stay as they were. Again after dropping elements: texts that met
    are then one, as when the stored body is read back."""
    for node in root.iter():
        if node.tail and _is_ascii_blank(node.tail) and node is not root:
            parent = node.getparent()
            if parent is None or not _preserves(parent):
                node.tail = "\n" if "\n" in node.tail else " "
        if is_element(node) and node.text and _is_ascii_blank(node.text) and not _preserves(node):
            node.text = "\n" if "\n" in node.text else " "


def _is_ascii_blank(text: str) -> bool:
    return not text.translate(_ASCII_SPACES)


def _preserves(element: Element) -> bool:
    if element.tag in _PRESERVE_WHITESPACE:
        return True
    return any(True for _ in element.iterancestors(*_PRESERVE_WHITESPACE))


def is_element(node) -> bool:
    """An element, not a comment or processing instruction."""
    return isinstance(node.tag, str)


def classes(element: Element) -> list[str]:
    return (element.get("class") or "").split()


def get_text(element: Element) -> str:
    """The element's text as bs4's ``get_text()`` gave it: no comments, scripts or styles."""
    if not any(True for _ in element.iter(_RAW_TEXT)):
        return "".join(element.itertext())
    texts = []
    for owner, is_tail in text_slots(element):
        container = owner.getparent() if is_tail else owner
        if container.tag not in _RAW_TEXT:
            texts.append(owner.tail if is_tail else owner.text)
    return "".join(texts)


def text_slots(element: Element) -> Iterator[tuple[Element, bool]]:
    """Where each text of ``element``'s subtree is, in document order: ``(owner, is_tail)``,
    the text being ``owner.tail`` or ``owner.text``. Comments' own text is not text."""
    stack: list[tuple[Element, bool]] = [(element, False)]
    while stack:
        node, done = stack.pop()
        if done:
            if node is not element and node.tail:
                yield node, True
            continue
        if is_element(node) and node.text:
            yield node, False
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))


def _append_text(element: Element, text: str, *, after: Element | None) -> None:
    """Add ``text`` inside ``element`` right after its child ``after`` (None: at the start)."""
    if not text:
        return
    if after is None:
        element.text = (element.text or "") + text
    else:
        after.tail = (after.tail or "") + text


def replace_with_text(element: Element, text: str) -> None:
    """Put ``text`` where ``element`` was (its tail stays after it)."""
    parent = element.getparent()
    _append_text(parent, text + (element.tail or ""), after=element.getprevious())
    parent.remove(element)


def drop(element: Element) -> None:
    """Remove ``element`` and its content, keeping the text that follows it."""
    replace_with_text(element, "")


def unwrap(element: Element) -> None:
    """Replace ``element`` by its content."""
    parent = element.getparent()
    previous = element.getprevious()
    _append_text(parent, element.text or "", after=previous)
    children = list(element)
    tail = element.tail or ""
    element.tail = None
    # addnext, not insert(index): lxml finds an index by walking the siblings, so a body of
    # 20,000 paragraphs took seconds.
    anchor = element
    for child in children:
        anchor.addnext(child)
        anchor = child
    parent.remove(element)
    _append_text(parent, tail, after=children[-1] if children else previous)


def _hoist_content(element: Element) -> None:
    """Move what a void element holds to right after it."""
    parent = element.getparent()
    text, tail = element.text or "", element.tail or ""
    element.text, element.tail = None, text
    children = list(element)
    anchor = element  # addnext: see unwrap
    for child in children:
        anchor.addnext(child)
        anchor = child
    _append_text(parent, tail, after=children[-1] if children else element)


def replace(old: Element, new: Element) -> None:
    """Put ``new`` where ``old`` was; the text after ``old`` stays there."""
    new.tail, old.tail = old.tail, None
    old.getparent().replace(old, new)


def extract(element: Element) -> Element:
    """Take ``element`` out of the tree, leaving the text after it in place."""
    parent = element.getparent()
    if parent is not None:
        drop_tail = element.tail
        element.tail = None
        previous = element.getprevious()
        parent.remove(element)
        _append_text(parent, drop_tail or "", after=previous)
    return element


def _attribute(value: str) -> str:
    value = value.translate(_TEXT_ESCAPES)
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'


def _start_tag(element: Element) -> str:
    # Sorted, and class lists single-spaced, as bs4 wrote them: bleach keeps what it is given.
    attrs = "".join(
        f" {name}={_attribute(' '.join(value.split()) if name == 'class' else value)}"
        for name, value in sorted(element.items())
    )
    return f"<{element.tag}{attrs}{'/' if element.tag in VOID else ''}>"


def serialize(element: Element, *, inner: bool = False) -> str:
    """``element`` as HTML (without its tail), or only its content with ``inner``."""
    out: list[str] = []
    stack: list[tuple[Element, bool]] = [(element, False)]
    while stack:
        node, done = stack.pop()
        if done:
            if (node is not element or not inner) and node.tag != "plaintext":
                out.append(f"</{node.tag}>")  # (nothing ends a plaintext: it holds the rest)
            if node is not element and node.tail:
                out.append(node.tail.translate(_TEXT_ESCAPES))
            continue
        if not is_element(node):
            if node.tag is etree.Comment:
                out.append(f"<!--{node.text or ''}-->")
            if node.tail:
                out.append(node.tail.translate(_TEXT_ESCAPES))
            continue
        if node is not element or not inner:
            out.append(_start_tag(node))
            if node.tag in VOID and not len(node) and not node.text:
                if node is not element and node.tail:
                    out.append(node.tail.translate(_TEXT_ESCAPES))
                continue
        if node.text:
            raw = node.tag in _UNESCAPED
            out.append(node.text if raw else node.text.translate(_TEXT_ESCAPES))
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    return "".join(out)


def top_level(root: Element) -> list[str]:
    """The serialized top-level nodes of ``root``: its texts and its elements, in order."""
    parts = [root.text.translate(_TEXT_ESCAPES)] if root.text else []
    for child in root:
        if is_element(child) or child.tag is etree.Comment:
            parts.append(serialize(child))
        if child.tail:
            parts.append(child.tail.translate(_TEXT_ESCAPES))
    return parts
