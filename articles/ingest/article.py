"""Parse one import file into a ParsedArticle: the whole pure half of the importer."""

import hashlib
import html
import re
from collections.abc import Callable, Sequence
from datetime import tzinfo
from zoneinfo import ZoneInfo

from articles.ingest.attribution import extract_attribution
from articles.ingest.body import (
    first_paragraph,
    image_size,
    parse_html,
    plain_text,
    render_tree,
    to_html,
    unwrap_container,
)
from articles.ingest.dates import parse_date
from articles.ingest.document import decode, split_front_matter
from articles.ingest.entities import find_mentions
from articles.ingest.tree import collapse_blank_text, serialize
from articles.ingest.types import ImportRejected, MentionData, ParsedArticle
from articles.slugs import make_slug

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
SHANGHAI = ZoneInfo("Asia/Shanghai")

# The generator replaced these in titles with "_" (see the corpus README).
_MANGLED = ':/\\?*“”<>|[]"：？'
_PLACEHOLDER_IMAGE = re.compile(r"^https?://(?:[a-z0-9-]+\.)*picsum\.photos/", re.IGNORECASE)
_MAX_TITLE = 300
_CJK = "\u3400-\u9fff"
_QUOTED = re.compile(rf"_([^_\s]*[{_CJK}][^_\s]*?)_")  # 打不过_带货女王_？
_OPEN_QUOTED = re.compile(rf'^"([^"_]*[{_CJK}][^"_]*)_$')  # "领导…压榨我？_
_BAR = re.compile(rf"\s*(?<=[\s？！。{_CJK}])_(?=\s)\s*")  # 最前线 _ 图数据库, 消失”？_ 楼市
MAX_NAME = 100  # the longest category, tag or author name the database stores
MAX_NAMES = 50


# Control characters a YAML escape ("\0", "\x1b") can put in a field: PostgreSQL refuses
# NUL in text, XML (the feeds) refuses them all, and no title or name needs them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: object, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str | int | float):
        return _CONTROL.sub("", html.unescape(str(value))).strip()
    kind = {list: "列表", dict: "映射"}.get(type(value), type(value).__name__)
    raise ImportRejected(f"头信息字段 {field} 应为文本，却是{kind}。")


def _names(value: object, field: str, warnings: list[str]) -> list[str]:
    """Distinct names from a YAML scalar or (possibly nested, see the corpus) list."""
    flat: list[object] = []
    pending = [value]
    while pending:  # nested lists: the corpus's " -  - 资讯"
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(reversed(item))
        elif item is not None:
            flat.append(item)
    names: list[str] = []
    for item in flat:
        name = _text(item, field)
        if len(name) > MAX_NAME:
            warnings.append(f"{field} 中的“{name[:20]}…”超过 {MAX_NAME} 字，已截断。")
            name = name[:MAX_NAME].strip()
        if name and name not in names:
            names.append(name)
    if len(names) > MAX_NAMES:
        warnings.append(f"{field} 有 {len(names)} 项，只保留前 {MAX_NAMES} 项。")
        del names[MAX_NAMES:]
    return names


def _restore_title(title: str, body_text: str) -> tuple[str, bool]:
    """Undo the generator's ``_`` for punctuation; return the title and whether it was a guess.

    When the body quotes the real title it is taken from there. Otherwise the usual shapes
    are put back: ``_整顿_`` around Chinese text was “整顿”, a spaced `` _ `` was ``|``.
    Underscores between Latin words (``snake_case``) are left alone.
    """
    if "_" not in title:
        return title, False
    if body_text:
        pattern = "".join(f"[{re.escape(_MANGLED)}]" if c == "_" else re.escape(c) for c in title)
        if match := re.search(pattern, body_text[:5000]):
            return match.group(0), False
    guess = _QUOTED.sub(r"“\1”", title)
    guess = _OPEN_QUOTED.sub(r"“\1”", guess)
    guess = _BAR.sub(" | ", guess)
    return guess, guess != title


def _url(value: object, field: str, warnings: list[str]) -> str:
    url = _text(value, field)
    if url and not re.match(r"^https?://", url, re.IGNORECASE):
        warnings.append(f"{field} 不是 http(s) 地址，已忽略：{url[:80]}")
        return ""
    return url[:1000]


def parse_article(
    name: str,
    data: bytes,
    *,
    tz: tzinfo = SHANGHAI,
    max_bytes: int = DEFAULT_MAX_BYTES,
    links: Callable[[list[MentionData]], Sequence[str | None]] | None = None,
) -> ParsedArticle:
    """Parse an import file's bytes; raise ImportRejected with a sentence when impossible.

    Everything that is odd but importable becomes a warning on the result instead. With
    ``links`` (the mentions → the URL of each, as ``render_body`` takes them), the body is
    also rendered from the same parse: ``body_html`` and ``rendered_links`` on the result.
    """
    if len(data) > max_bytes:
        raise ImportRejected(f"文件过大：{len(data)} 字节，上限 {max_bytes} 字节。")
    raw = decode(data)
    meta, body_text = split_front_matter(raw)
    warnings: list[str] = []

    title = _text(meta.get("title"), "title")
    if not title:
        raise ImportRejected("缺少标题（头信息中没有 title）。")

    root = parse_html(to_html(body_text))
    unwrap_container(root)
    attribution = extract_attribution(root)
    mentions = find_mentions(root)
    body_plain = plain_text(root)
    title, guessed = _restore_title(title, body_plain)
    if guessed:
        warnings.append("标题中的“_”是生成器替换掉的标点，已按常见写法恢复，请核对。")
    if len(title) > _MAX_TITLE:
        warnings.append(f"标题过长，已截断为 {_MAX_TITLE} 字。")
        title = title[:_MAX_TITLE]

    images = list(root.iter("img"))
    is_empty = not images and (not body_plain or body_plain == title)
    if is_empty:
        warnings.append("正文为空（只有标题），已作为草稿导入。")

    raw_date = meta.get("date")
    published_at = parse_date(raw_date, tz)
    if published_at is None:
        shown = "（空）" if raw_date in (None, "") else str(raw_date)[:60]
        warnings.append(f"无法识别的日期格式“{shown}”，文章保持草稿。")

    raw_embargo = meta.get("embargo")
    embargo_until = parse_date(raw_embargo, tz) if raw_embargo not in (None, "") else None
    if raw_embargo not in (None, "") and embargo_until is None:
        # Publishing too early is the one mistake an embargo exists to prevent: refuse.
        raise ImportRejected(f"无法识别的禁发时间（embargo）“{str(raw_embargo)[:60]}”。")

    header = _url(meta.get("headimg") or meta.get("cover"), "headimg", warnings)
    thumbnail = _url(meta.get("thumbnail"), "thumbnail", warnings)
    if header and _PLACEHOLDER_IMAGE.match(header):
        warnings.append("头图是 picsum.photos 占位图，已丢弃。")
        header = ""
    if thumbnail and _PLACEHOLDER_IMAGE.match(thumbnail):
        thumbnail = ""
    header_size = None
    for img in images:
        if header and img.get("src", "").strip() == header:
            header_size = image_size(img)
            break

    summary = _text(
        meta.get("summary") or meta.get("description") or meta.get("excerpt"), "summary"
    )
    if not summary and not is_empty:
        summary = first_paragraph(root)

    flagged = [m for m in mentions if m.verdict == "flagged"]
    if flagged:
        warnings.append(f"{len(flagged)} 个实体链接存疑，显示为普通文本，待编辑确认。")

    author = _text(meta.get("author"), "author")
    if len(author) > MAX_NAME:
        warnings.append(f"作者名超过 {MAX_NAME} 字，已截断。")
        author = author[:MAX_NAME].strip()
    comments = meta.get("comments", False)
    if attribution is not None:
        collapse_blank_text(root)  # texts that met where credit lines were lifted out
    body = "" if is_empty else serialize(root, inner=True).strip()
    rendered_links = body_html = None
    if links is not None and body:
        rendered_links = list(links(mentions))
        body_html = render_tree(root, rendered_links)
    return ParsedArticle(
        file=name,
        raw=raw,
        content_hash=hashlib.sha256(data).hexdigest(),
        title=title,
        slug=make_slug(title, fallback="article"),
        published_at=published_at,
        embargo_until=embargo_until,
        categories=_names(meta.get("categories"), "categories", warnings),
        tags=_names(meta.get("tags"), "tags", warnings),
        author=author,
        header_image=header,
        header_image_size=header_size,
        thumbnail=thumbnail or header,
        comments=comments is True or str(comments).lower() == "true",
        summary=summary,
        body=body,
        attribution=attribution,
        mentions=mentions,
        images=len(images),
        warnings=warnings,
        rendered_links=rendered_links,
        body_html=body_html,
    )
