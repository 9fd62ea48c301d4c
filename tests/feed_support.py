"""What of a served feed a reader shows as HTML, for the hostile-content tests."""

import json
import xml.etree.ElementTree as ET

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ATOM = "{http://www.w3.org/2005/Atom}"


def _atom_html(element) -> list[str]:
    parts = []
    for name in ("content", "summary", "subtitle", "title"):
        found = element.find(ATOM + name)
        if found is not None and found.get("type") == "html" and found.text:
            parts.append(found.text)
    return parts


def html_items(body: bytes) -> tuple[list[str], dict[str, list[str]]]:
    """The parts of a feed (``body``) that readers render as HTML: the feed's own (RSS channel
    ``description``, Atom ``subtitle`` of type html) and each item's by its id (RSS
    ``content:encoded`` and ``description``, Atom ``content``/``summary`` of type html, JSON
    Feed ``content_html``). XML must be well-formed: this raises otherwise."""
    if body.lstrip().startswith(b"{"):
        data = json.loads(body)
        items = {item["id"]: [item.get("content_html") or ""] for item in data["items"]}
        return [], items
    root = ET.fromstring(body)
    if root.tag == ATOM + "feed":
        own = _atom_html(root)
        items = {e.findtext(ATOM + "id"): _atom_html(e) for e in root.iter(ATOM + "entry")}
        return own, items
    channel = root.find("channel")
    own = [channel.findtext("description") or ""]
    items = {
        e.findtext("guid"): [e.findtext(CONTENT) or "", e.findtext("description") or ""]
        for e in channel.iter("item")
    }
    return own, items


def html_parts(body: bytes) -> list[str]:
    """Every part of a feed that readers render as HTML (``html_items``, flattened)."""
    own, items = html_items(body)
    return [p for p in own + [p for parts in items.values() for p in parts] if p]
