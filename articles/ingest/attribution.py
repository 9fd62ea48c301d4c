"""Find and parse the credit lines of articles that 36氪 republished.

Pure: works on plain strings and the parsed body (``articles.ingest.tree``), needs neither
Django nor a database.
The shapes handled are the ones the development corpus shows (see its README): WeChat
"本文来自微信公众号…" lines at the top or bottom, 36氪 bylines ("文｜…"), 神译局 translation
headers and a newsflash's trailing "（outlet）".
"""

import re

from articles.ingest.tree import ROOT, classes, drop, get_text, text_slots
from articles.ingest.types import AttributionData

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_EDITOR_NOTE = re.compile(r"^编者按\s*[：:]\s*")

# A credit sentence runs from its opening phrase to the end of the sentence.
_CREDIT_SENTENCE = re.compile(r"本文(?:来自|译自|编译自|转载自|转自)[^。]*(?:。|$)")
_CREDIT_START = re.compile(r"^本文(?:来自|译自|编译自|转载自|转自)")
_WECHAT = re.compile(
    r"本文来自\s*(?:微信)?\s*公众号\s*[“\"「『]?\s*(?P<name>[^“”\"「」『』（(，,。]+?)\s*[”\"」』]?"
    r"\s*(?:[（(]\s*ID\s*[:：]\s*(?P<id>[^）)\s]+)\s*[）)])?(?=\s*(?:[，,。]|$))"
)
_SOURCE = re.compile(r"本文(?:来自|转载自|转自)\s*(?P<name>[^，,。（(]+)")
_TRANSLATED = re.compile(r"本文(?:译自|编译自)\s*(?P<name>[^，,。（(]+)")
_TRANSLATED_AUTHOR = re.compile(r"作者(?:是|为)\s*(?P<names>[^，,。]+)")
_ORIGINAL_TITLE = re.compile(
    r"原标题(?:为|是)?\s*[:：]?\s*[\"“「《『'](?P<title>[^\"”」》』]+)[\"”」》』']"
)
# Only after a clause boundary, so "ID:xxx" or a colon inside a name is not a role.
_ROLE_MARK = re.compile(r"(?<![^\s，,。；;])(?P<role>[\u4e00-\u9fff]{1,4})\s*[：:｜|]\s*")
_NOT_ROLES = {"编者按", "原标题", "原文", "来源", "原文链接", "链接"}
_ROLE_ALIASES = {"文": "作者", "撰文": "作者", "责编": "编辑", "责任编辑": "编辑"}
_AUTHORIZED = re.compile(r"(?<![^\s，,。；;])(?P<by>[^\s，,。；;]{1,12}?)经授权(?:发布|转载)")
_SUBSIDIARY = re.compile(r"(?P<by>36氪)旗下")
_NEWSFLASH_SOURCE = re.compile(r"^[（(]\s*(?P<name>[^（）()\s，,。]{2,20})\s*[）)]$")

# Which paragraphs may be lifted out of the body: deliberately narrow, since a body paragraph
# that merely mentions 作者 or 本文 must survive.
_BYLINE_ROLES = "文|作者|撰文|编辑|责编|责任编辑|译者|翻译|编译|整理|校对|审校|采访|记者|出品|策划"
_BYLINE = re.compile(rf"(?:(?:{_BYLINE_ROLES})\s*[｜|：:]\s*[^｜|：:。！？!?]{{1,30}}?\s*)+")
_MAX_BYLINE = 80
_TRANSLATION_TEAM = re.compile(r"^神译局是\s*36氪旗下")
_TRAILING_SOURCE = re.compile(
    r"(?<=[。！？!?])\s*(?P<source>[（(]\s*[^（）()\s，,。]{2,20}\s*[）)])(?P<tail>\s*)$"
)
# Left over once the credit sentence is gone, these do not make an editor's note worth keeping.
_LEFTOVER_NOISE = re.compile(r"[\s，,。；;：:！!？?、\"“”'‘’（）()\-—…]+")


def clean_text(text: str) -> str:
    """Collapse whitespace (including no-break and ideographic spaces) and drop zero-width marks."""
    return _SPACES.sub(" ", _ZERO_WIDTH.sub("", text)).strip()


def _split_names(names: str) -> list[str]:
    result: list[str] = []
    for part in re.split(r"[、/／]", names):
        part = part.strip(" \"“”「」『』'")
        # "Tim Denning" is one person, but "David 如願 好困" and "光谱 杜晨" list several.
        words = [part] if re.fullmatch(r"[A-Za-z][A-Za-z .'\-]*", part) else part.split()
        for word in words:
            if len(word) > 1 and word.endswith("等"):
                word = word[:-1]
            if word:
                result.append(word)
    return result


def _add_names(roles: dict[str, list[str]], role: str, names: list[str]) -> None:
    role = _ROLE_ALIASES.get(role, role)
    bucket = roles.setdefault(role, [])
    bucket.extend(name for name in names if name not in bucket)
    if not bucket:
        del roles[role]


def _parse_roles(text: str, roles: dict[str, list[str]]) -> None:
    marks = [m for m in _ROLE_MARK.finditer(text) if m["role"] not in _NOT_ROLES]
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        names = re.split(r"[，,。；;]", text[mark.end() : end])[0]
        _add_names(roles, mark["role"], _split_names(names))


def _credit_sentences(text: str) -> list[str]:
    return [m.group(0) for m in _CREDIT_SENTENCE.finditer(text)]


def parse_attribution_text(text: str, url: str = "") -> AttributionData:
    """Parse one attribution line's plain text (tags already stripped).

    url is the original link if known.
    """
    text = clean_text(text)
    data = AttributionData(raw_text=text, original_url=url.strip().replace("&amp;", "&"))
    body = _EDITOR_NOTE.sub("", text)

    if m := _NEWSFLASH_SOURCE.match(body):
        data.outlet, data.channel = m["name"], "media"
        return data

    # An editor's note may wrap the credit in commentary; only the credit sentence is parsed,
    # so that a colon in the commentary is not mistaken for a role.
    credits = _credit_sentences(body) or [body]
    for credit in credits:
        if m := _WECHAT.search(credit):
            data.outlet = data.outlet or m["name"].strip()
            data.channel = data.channel or "wechat"
            data.account_id = data.account_id or (m["id"] or "")
        elif m := _TRANSLATED.search(credit):
            data.outlet = data.outlet or m["name"].strip(' "“”')
            data.channel = data.channel or "website"
        elif m := _SOURCE.search(credit):
            data.outlet = data.outlet or m["name"].strip(' "“”')
        if m := _TRANSLATED_AUTHOR.search(credit):
            _add_names(data.roles, "作者", _split_names(m["names"]))
        if not data.original_title and (m := _ORIGINAL_TITLE.search(credit)):
            data.original_title = m["title"].strip()
        _parse_roles(credit, data.roles)
        if m := _AUTHORIZED.search(credit):
            data.authorized = True
            data.republisher = data.republisher or m["by"]
        if not data.republisher and (m := _SUBSIDIARY.search(credit)):
            data.republisher = m["by"]
    return data


def merge_attributions(parts: list[AttributionData]) -> AttributionData | None:
    """Combine the credit of several lines: first value wins, roles accumulate in order."""
    if not parts:
        return None
    merged = AttributionData()
    for part in parts:
        for name in ("outlet", "channel", "account_id", "original_url", "original_title"):
            if not getattr(merged, name):
                setattr(merged, name, getattr(part, name))
        merged.republisher = merged.republisher or part.republisher
        merged.authorized = merged.authorized or part.authorized
        for role, names in part.roles.items():
            _add_names(merged.roles, role, names)
    merged.raw_text = "\n".join(part.raw_text for part in parts if part.raw_text)
    return merged


def _original_link(paragraph) -> str:
    # Entity links (the 微信 in "本文来自微信公众号", an author's name) are not the original.
    for link in paragraph.iter("a"):
        href = link.get("href")
        if href is not None and "project-link" not in classes(link) and href.startswith("http"):
            return href
    return ""


def _is_credit_only(text: str) -> bool:
    rest = _EDITOR_NOTE.sub("", text)
    for credit in _credit_sentences(rest):
        rest = rest.replace(credit, "")
    return not _LEFTOVER_NOISE.sub("", rest)


def _classify(paragraph) -> str:
    """Return "lift" (pure credit), "keep" (editor's note that also credits) or "" (body)."""
    text = clean_text(get_text(paragraph))
    if "editor-note" in classes(paragraph):
        return "lift"
    body = _EDITOR_NOTE.sub("", text)
    if _TRANSLATION_TEAM.match(body):
        return "lift"
    if len(body) <= _MAX_BYLINE and _BYLINE.fullmatch(body):
        return "lift"
    if _CREDIT_START.match(body) or (body != text and _CREDIT_SENTENCE.search(body)):
        return "lift" if _is_credit_only(text) else "keep"
    return ""


def _extract_newsflash_source(root) -> AttributionData | None:
    last = None
    for owner, is_tail in text_slots(root):
        if (owner.tail if is_tail else owner.text).strip():
            last = owner, is_tail
    if last is None:
        return None
    owner, is_tail = last
    text = owner.tail if is_tail else owner.text
    # Only bare body text: a "（…）" closing a paragraph or a link is content, not a source.
    container = owner.getparent() if is_tail else owner
    if container.tag not in (ROOT, "div"):
        return None
    m = _TRAILING_SOURCE.search(text)
    if not m:
        return None
    if is_tail:
        owner.tail = text[: m.start()] + m["tail"]
    else:
        owner.text = text[: m.start()] + m["tail"]
    return parse_attribution_text(m["source"])


def extract_attribution(root) -> AttributionData | None:
    """Find attribution elements in the parsed body (``articles.ingest.tree``).

    REMOVE the ones that are pure credit from the tree, and return the merged credit
    (None when the body has none). An editor's note that also credits stays in the tree.
    """
    parts: list[AttributionData] = []
    for paragraph in list(root.iter("p")):
        verdict = _classify(paragraph)
        if not verdict:
            continue
        parts.append(parse_attribution_text(get_text(paragraph), _original_link(paragraph)))
        if verdict == "lift":
            drop(paragraph)
    if not parts and (newsflash := _extract_newsflash_source(root)) is not None:
        parts.append(newsflash)
    return merge_attributions(parts)
