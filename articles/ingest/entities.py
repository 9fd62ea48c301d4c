"""Entity links (``a.project-link``) that 36kr inserts by machine, and whether to trust them.

The linker matches project names as raw substrings, so about half of its links are ordinary
words (得到, 一起) or spans that cut through a word (找朋[友帮]你, Surf[ace]).  ``judge_mention``
re-reads a few characters around each anchor with jieba and flags what a reader would not take
for a company name; editors then confirm or drop the flagged links.
"""

from __future__ import annotations

import logging
import re
from collections import ChainMap
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from articles.ingest.tree import ROOT, Element, get_text, is_element
from articles.ingest.types import MentionData

CONTEXT_CHARS = 8

# Elements that end a run of text: context never crosses them.
_BLOCKS = frozenset(
    "p li h1 h2 h3 h4 h5 h6 div blockquote td th dd dt pre section article figure figcaption "
    "ul ol table tr br hr img".split()
)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
_SPACES = re.compile(r"\s+")
_LATIN = re.compile(r"[A-Za-z0-9]")
_CJK = re.compile(r"[\u3400-\u9fff]")

_BRANDS_FILE = Path(__file__).parent / "data" / "brands.txt"

# jieba tags of words that are not names: verbs, adverbs, numerals, measure words, pronouns,
# adjectives, idioms, time/place words, function words.  Plain nouns (n) are left out: too many
# brands are ordinary nouns in jieba's dictionary (小米, 苹果, 百度).
_COMMON_TAGS = frozenset(
    "a ad ag an b c d df dg e f i l m mg mq ng o p q r rg rr rz s t "
    "u ud ug uj ul uv uz v vd vg vi vn vq y z zg".split()
)
# A multi-word anchor that starts or ends with one of these is a phrase, not a name (上线[了]).
_FUNCTION_TAGS = frozenset("c p u ud ug uj ul uv uz y e o f".split())
_EDGE_CHARS = frozenset("的了着过时们吗呢吧啊")
# Jieba may glue these onto a brand (淘宝网, 腾讯们, 宝洁公司); the anchor still names the brand.
_ATTACHED_SUFFIXES = frozenset(["网", "们", "的", "版", "系"])
_COMPANY_SUFFIXES = ("公司", "集团", "控股", "股份", "银行", "汽车", "科技")
# A site name is often brand + 网, and jieba may pull that 网 into the next word (淘宝[网]页版).
_SITE_SUFFIX = "网"
# What follows a brand but hardly an ordinary word: [得到]App, [浪潮]集团, [一起]创始人.
_BRAND_CUES = frozenset("App APP app 公司 集团 旗下 创始人 联合创始人 CEO 董事长 股价 市值".split())
# Words before a person's name (特斯拉创始人[马斯克]) and after one (张三[表示]).
_TITLES = frozenset(
    "创始人 联合创始人 CEO 首席执行官 董事长 总裁 副总裁 总经理 合伙人 负责人 主席 "
    "院长 教授 博士 作者 记者 编辑 主编 创办人 掌门人 老板".split()
)
_SPEECH = frozenset("表示 说 称 认为 指出 透露 坦言 介绍 强调 回应".split())
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤"
)


@dataclass(frozen=True)
class _Token:
    word: str
    flag: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _tokenizer():
    """A private jieba tokenizer with the brand list, so other users of jieba are unaffected."""
    import jieba
    import jieba.posseg

    class SharedTags(jieba.posseg.POSTokenizer):
        def load_word_tag(self, f) -> None:
            # Reuse the ~40 MB tag table jieba.posseg built on import; our tags go in front.
            f.close()
            self.word_tag_tab = ChainMap({}, jieba.posseg.dt.word_tag_tab)

    jieba.setLogLevel(logging.WARNING)
    words = jieba.Tokenizer()
    words.initialize()
    for line in _BRANDS_FILE.read_text(encoding="utf-8").splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            # Frequent enough to win against a split like 快/手上 in context.
            words.add_word(name, freq=2000, tag="nz")
    return SharedTags(words)


def _tokens(sentence: str) -> list[_Token]:
    out, pos = [], 0
    for pair in _tokenizer().lcut(sentence, HMM=False):
        out.append(_Token(pair.word, pair.flag, pos, pos + len(pair.word)))
        pos += len(pair.word)
    return out


def _in_dictionary(word: str) -> bool:
    # FREQ also holds every prefix of a dictionary word with frequency 0.
    return _tokenizer().tokenizer.FREQ.get(word, 0) > 0


def _is_common(token: _Token) -> bool:
    # Tags jieba's HMM guesses for unknown words (喜茶/v, 特步/d) say nothing; only trust the
    # dictionary's own tags.
    return token.flag in _COMMON_TAGS and _in_dictionary(token.word)


def _latin_cut(left: str, text: str, right: str) -> str:
    """The English word the anchor cuts through, or ""."""
    cut_before = _LATIN.match(text[0]) and left and _LATIN.match(left[-1])
    cut_after = _LATIN.match(text[-1]) and right and _LATIN.match(right[0])
    if not (cut_before or cut_after):
        return ""
    head = re.search(r"[A-Za-z0-9]*$", left).group() if cut_before else ""
    tail = re.match(r"[A-Za-z0-9]*", right).group() if cut_after else ""
    return head + text + tail


def _cut_words(tokens: list[_Token], start: int, end: int, text: str) -> list[str]:
    """Words of the sentence that the anchor ``text`` at [start, end) cuts through."""
    cut = []
    for t in tokens:
        if not (t.start < start < t.end or t.start < end < t.end):
            continue
        rest = t.word[end - start :]
        if t.start == start and (rest in _ATTACHED_SUFFIXES or rest.endswith(_COMPANY_SUFFIXES)):
            continue
        if t.start == end - 1 and text.endswith(_SITE_SUFFIX) and len(text) > 2:
            continue
        cut.append(t.word)
    return cut


def _person(before: _Token | None, token: _Token, after: _Token | None) -> bool:
    if not token.flag.startswith("nr"):
        return False
    if before is not None and before.word in _TITLES:
        return True
    # 华为/比亚迪 are also nr in jieba, so "表示" alone is not enough: ask for a surname too.
    return (
        token.flag == "nr"
        and 2 <= len(token.word) <= 3
        and token.word[0] in _SURNAMES
        and after is not None
        and after.word in _SPEECH
    )


def judge_mention(left: str, text: str, right: str, name: str = "") -> tuple[str, str]:
    """Return ("linked", "") or ("flagged", reason) for anchor ``text`` between its contexts.

    ``reason`` is a short Chinese sentence for editors.  ``name`` (data-name) is accepted for
    callers' convenience but not used: the linker's names are as wrong as its spans (友帮).
    """
    core = text.strip()
    if not core:
        return "flagged", "链接文字为空"
    left = left + text[: len(text) - len(text.lstrip())]
    right = text[len(text.rstrip()) :] + right

    english = _latin_cut(left, core, right)
    if english:
        return "flagged", f"链接切断了英文单词“{english}”"

    start, end = len(left), len(left) + len(core)
    tokens = _tokens(left + core + right)
    cut = _cut_words(tokens, start, end, core)
    if cut:
        return "flagged", "链接切断了词语" + "和".join(f"“{w}”" for w in cut)

    inside = [t for t in tokens if start <= t.start and t.end <= end and t.word.strip()]
    if not inside:
        return "linked", ""
    if len(core) == 1 and _CJK.match(core):
        return "flagged", f"单字“{core}”，不是公司名"

    if len(inside) == 1:
        token = inside[0]
        before = next((t for t in reversed(tokens) if t.end <= start and t.word.strip()), None)
        after = next((t for t in tokens if t.start >= end and t.word.strip()), None)
        if _person(before, token, after):
            return "flagged", f"人名“{core}”，不是公司名"
        if _is_common(token) and (after is None or after.word not in _BRAND_CUES):
            return "flagged", f"常用词“{core}”，不是公司名"
        return "linked", ""

    for edge in (inside[0], inside[-1]):
        if edge.flag in _FUNCTION_TAGS or edge.word in _EDGE_CHARS:
            return "flagged", f"“{core}”是带“{edge.word}”的词组，不是公司名"
    if all(_is_common(t) for t in inside):
        return "flagged", f"“{core}”是普通词组，不是公司名"
    return "linked", ""


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _INVISIBLE.sub("", text))


def _siblings(node: Element, forward: bool) -> Iterator[Element | str]:
    """What stands beside ``node`` in its parent, nearest first: texts and elements."""
    if forward:
        if node.tail:
            yield node.tail
        sibling = node.getnext()
        while sibling is not None:
            yield sibling
            if sibling.tail:
                yield sibling.tail
            sibling = sibling.getnext()
        return
    sibling = node.getprevious()
    while sibling is not None:
        if sibling.tail:
            yield sibling.tail
        yield sibling
        sibling = sibling.getprevious()
    parent = node.getparent()
    if parent is not None and parent.text:
        yield parent.text


def _strings(node: Element | str) -> list[str]:
    if isinstance(node, str):
        return [node]
    if not is_element(node):  # a comment: html.parser's tree held it as a string
        return [node.text or ""]
    return list(node.itertext())


def _side(anchor: Element, forward: bool) -> str:
    """Plain text on one side of ``anchor``, up to the edge of its block, CONTEXT_CHARS long."""
    parts: list[str] = []
    size, enough = 0, CONTEXT_CHARS * 2  # leave room for spaces that cleaning collapses
    node: Element | None = anchor
    while node is not None and node.tag != ROOT and node.tag not in _BLOCKS and size < enough:
        for sib in _siblings(node, forward):
            if not isinstance(sib, str) and is_element(sib) and sib.tag in _BLOCKS:
                size = enough
                break
            texts = _strings(sib)
            for text in texts if forward else reversed(texts):
                parts.append(text)
                size += len(text.strip())
            if size >= enough:
                break
        node = node.getparent()
    joined = _clean("".join(parts if forward else reversed(parts)))
    return joined[:CONTEXT_CHARS] if forward else joined[-CONTEXT_CHARS:]


def mention_context(anchor: Element) -> tuple[str, str]:
    """The plain text just before and just after ``anchor``, within its block."""
    return _side(anchor, forward=False), _side(anchor, forward=True)


def project_links(root: Element) -> list[Element]:
    """Every ``a.project-link`` under ``root`` in document order."""
    return [a for a in root.iter("a") if "project-link" in (a.get("class") or "").split()]


def find_mentions(root) -> list[MentionData]:
    """Every ``a.project-link`` in document order with its verdict; the tree is left unchanged."""
    mentions = []
    for anchor in project_links(root):
        text = _clean(get_text(anchor)).strip()
        left, right = mention_context(anchor)
        data_id = (anchor.get("data-id") or "").strip()
        name = (anchor.get("data-name") or "").strip()
        verdict, reason = judge_mention(left, text, right, name)
        if not data_id:
            # Without the provider's id there is nothing to link to, whatever the text says.
            missing = "链接没有 data-id，无法对应到公司"
            verdict, reason = "flagged", f"{reason}；{missing}" if reason else missing
        mentions.append(
            MentionData(
                data_id=data_id,
                name=name,
                text=text,
                logo=anchor.get("data-logo") or "",
                kind=anchor.get("data-refer-type") or "",
                href=anchor.get("href") or "",
                verdict=verdict,
                reason=reason,
            )
        )
    return mentions
