"""Decoding import files and reading their YAML front matter: pure, no database."""

import time
from datetime import date, datetime, timedelta, timezone

import pytest

from articles.ingest.document import MAX_FRONT_MATTER_CHARS, decode, split_front_matter
from articles.ingest.types import ImportRejected

TEXT = "---\ntitle: 重磅，淘宝将打通微信支付\n---\n<p>正文</p>\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(TEXT.encode(), TEXT, id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + TEXT.encode(), TEXT, id="utf-8-bom"),
        pytest.param(TEXT.replace("\n", "\r\n").encode(), TEXT, id="crlf"),
        pytest.param(TEXT.replace("\n", "\r").encode(), TEXT, id="cr"),
        pytest.param(b"a\r\n\r\nb\rc\n", "a\n\nb\nc\n", id="mixed-line-ends"),
        pytest.param(b"", "", id="empty"),
    ],
)
def test_decode_accepts_utf8_and_normalises_line_ends(data, expected):
    assert decode(data) == expected


@pytest.mark.parametrize(
    ("data", "words"),
    [
        pytest.param(TEXT.encode("gbk"), ["UTF-8", "GBK"], id="gbk"),
        pytest.param(TEXT.encode("gb18030"), ["UTF-8"], id="gb18030"),
        pytest.param("標題".encode("big5"), ["UTF-8"], id="big5"),
        pytest.param(TEXT.encode("utf-16"), ["UTF-16", "UTF-8"], id="utf-16-bom"),
        pytest.param(TEXT.encode("utf-32"), ["UTF-32", "UTF-8"], id="utf-32-bom"),
        pytest.param(TEXT.encode("utf-16-le"), ["二进制", "UTF-8"], id="utf-16-without-bom"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["二进制"], id="png"),
        pytest.param(b"---\ntitle: a\x00b\n---\n", ["NUL"], id="nul-byte"),
    ],
)
def test_decode_refuses_other_encodings_with_a_clear_message(data, words):
    with pytest.raises(ImportRejected) as error:
        decode(data)
    for word in words:
        assert word in str(error.value)


def test_decode_reports_the_offset_of_the_first_bad_byte():
    good = "---\ntitle: 标题\n".encode()
    with pytest.raises(ImportRejected, match=rf"第 {len(good)} 字节"):
        decode(good + "乱码".encode("gbk"))


@pytest.mark.parametrize(
    ("text", "meta", "body"),
    [
        pytest.param(TEXT, {"title": "重磅，淘宝将打通微信支付"}, "<p>正文</p>\n", id="plain"),
        pytest.param(
            "\n" + TEXT, {"title": "重磅，淘宝将打通微信支付"}, "<p>正文</p>\n", id="blank-line"
        ),
        pytest.param("  \n\n---\ntitle: t\n---\nbody", {"title": "t"}, "body", id="blank-lines"),
        pytest.param("---  \ntitle: t\n---\t\nbody", {"title": "t"}, "body", id="trailing-space"),
        pytest.param("---\ntitle: t\n---", {"title": "t"}, "", id="no-body"),
        pytest.param("---\n---\nbody", {}, "body", id="empty-front-matter"),
        pytest.param("---\n# only a comment\n---\nbody", {}, "body", id="comment-only"),
        pytest.param(
            "---\ntitle: t\n---\na\n---\nb\n", {"title": "t"}, "a\n---\nb\n", id="rule-in-body"
        ),
        pytest.param(
            "---\ntitle: t\ncategories: \n - 新媒体\n -  - 资讯\n---\n",
            {"title": "t", "categories": ["新媒体", ["资讯"]]},
            "",
            id="corpus-malformed-categories",
        ),
    ],
)
def test_split_front_matter_returns_mapping_and_body(text, meta, body):
    assert split_front_matter(text) == (meta, body)


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        # Hexo reads YAML 1.2: these are text, not True/False/90/3.1/8.
        ("yes", "yes"),
        ("No", "No"),
        ("on", "on"),
        ("1:30", "1:30"),
        ("3.10", "3.10"),
        ("010", "010"),
        ("2022", "2022"),
        ("1e3", "1e3"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("", None),
        ("'quoted'", "quoted"),
        ("2022-03-28", date(2022, 3, 28)),
        ("2022-03-28 10:42:50", datetime(2022, 3, 28, 10, 42, 50)),
        (
            "2022-03-28T10:42:50+08:00",
            datetime(2022, 3, 28, 10, 42, 50, tzinfo=timezone(timedelta(hours=8))),
        ),
    ],
)
def test_split_front_matter_resolves_scalars_like_hexo(yaml, expected):
    meta, _ = split_front_matter(f"---\nvalue: {yaml}\n---\n")
    assert meta["value"] == expected
    assert type(meta["value"]) is type(expected)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<p>没有头信息</p>", id="html-only"),
        pytest.param("title: t\n---\nbody", id="no-opening-rule"),
        pytest.param("---\ntitle: t\nbody without closing rule", id="unclosed"),
        pytest.param("", id="empty-file"),
        pytest.param("text\n---\ntitle: t\n---\n", id="rule-not-first"),
    ],
)
def test_split_front_matter_refuses_files_without_front_matter(text):
    with pytest.raises(ImportRejected, match="缺少 YAML 头信息"):
        split_front_matter(text)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param("---\ntitle: [unclosed\nauthor: x\n---\n", 3, id="flow-sequence"),
        pytest.param("---\ntitle: a\n  bad: : x\n---\n", 3, id="mapping-value"),
        pytest.param("---\ntitle: a\n\tauthor: b\n---\n", 3, id="tab"),
        # The corpus's files start with a blank line: it counts.
        pytest.param("\n---\ntitle: a\nfoo: [x\nbar: b\n---\n", 5, id="after-blank-line"),
        pytest.param("---\ntitle: 'unterminated\n---\n", 3, id="quote"),
    ],
)
def test_split_front_matter_names_the_line_of_a_yaml_error(text, line):
    with pytest.raises(ImportRejected, match=rf"无法解析（第 {line} 行）"):
        split_front_matter(text)


@pytest.mark.parametrize(
    "yaml",
    [
        pytest.param("- a\n- b", id="list"),
        pytest.param("just a sentence", id="scalar"),
        pytest.param("42", id="number"),
    ],
)
def test_split_front_matter_refuses_non_mapping_yaml(yaml):
    with pytest.raises(ImportRejected, match="键值映射"):
        split_front_matter(f"---\n{yaml}\n---\nbody")


@pytest.mark.parametrize(
    "yaml",
    [
        pytest.param("title: !!python/object/apply:os.system ['touch /tmp/pwned']", id="apply"),
        pytest.param("title: !!python/name:os.system", id="name"),
        pytest.param("title: !!python/object/new:subprocess.Popen [['id']]", id="new"),
        pytest.param("title: !!python/tuple [a, b]", id="tuple"),
        pytest.param("title: !custom x", id="unknown-local-tag"),
    ],
)
def test_split_front_matter_refuses_python_and_unknown_tags(yaml, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ImportRejected, match="无法解析"):
        split_front_matter(f"---\n{yaml}\n---\n")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("yaml", "key", "line"),
    [
        ("title: a\ntitle: b", "title", 3),
        ("title: a\ndate: 2022-01-01\ndate: 2022-01-02", "date", 4),
        ("tags:\n  x: 1\n  x: 2\ntitle: t", "x", 4),
    ],
)
def test_split_front_matter_refuses_duplicate_keys(yaml, key, line):
    with pytest.raises(ImportRejected, match=rf"键“{key}”重复出现（第 {line} 行）"):
        split_front_matter(f"---\n{yaml}\n---\n")


def test_split_front_matter_refuses_unhashable_keys():
    with pytest.raises(ImportRejected, match="键必须是文本"):
        split_front_matter("---\n? [a, b]\n: value\n---\n")


def _laughs(levels: int, width: int) -> str:
    lines = ["title: lol", "a0: &a0 [lol" + ", lol" * (width - 1) + "]"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append(f"tags: *a{levels}")
    return "---\n" + "\n".join(lines) + "\n---\n"


@pytest.mark.parametrize(
    ("levels", "width"),
    [
        pytest.param(9, 9, id="billion-laughs"),  # 81 aliases
        pytest.param(16, 3, id="few-aliases-43-million-nodes"),  # 48 aliases only
        pytest.param(4, 10, id="ten-thousand"),
    ],
)
def test_split_front_matter_refuses_alias_bombs_fast(levels, width):
    started = time.perf_counter()
    with pytest.raises(ImportRejected, match="别名|值过多"):
        split_front_matter(_laughs(levels, width))
    assert time.perf_counter() - started < 1


def test_split_front_matter_allows_a_few_harmless_aliases():
    meta, _ = split_front_matter("---\ntitle: &t 标题\nog_title: *t\n---\n")
    assert meta == {"title": "标题", "og_title": "标题"}


@pytest.mark.parametrize(
    "yaml",
    [
        pytest.param("tags: &a [*a]", id="list"),
        pytest.param("meta: &m {self: *m}", id="mapping"),
    ],
)
def test_split_front_matter_refuses_self_referencing_aliases(yaml):
    with pytest.raises(ImportRejected, match="循环引用"):
        split_front_matter(f"---\ntitle: t\n{yaml}\n---\n")


def test_split_front_matter_refuses_huge_front_matter_fast():
    text = "---\ntitle: t\nsummary: " + "长" * (MAX_FRONT_MATTER_CHARS + 1) + "\n---\nbody"
    started = time.perf_counter()
    with pytest.raises(ImportRejected, match="过大"):
        split_front_matter(text)
    assert time.perf_counter() - started < 1


def test_split_front_matter_refuses_deep_nesting():
    with pytest.raises(ImportRejected):
        split_front_matter("---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n")


def test_split_front_matter_accepts_front_matter_just_under_the_limit():
    summary = "x" * (MAX_FRONT_MATTER_CHARS - 100)
    meta, _ = split_front_matter(f"---\ntitle: t\nsummary: {summary}\n---\n")
    assert meta["summary"] == summary


def test_front_matter_read_in_c_is_what_the_python_loader_reads(corpus_dir, data_dir):
    from articles.ingest.document import _FRONT_MATTER, _load_fast, _StrictLoader

    checked = 0
    for path in [*sorted(corpus_dir.glob("*.md")), *sorted(data_dir.glob("*.md"))]:
        source = _FRONT_MATTER.match(decode(path.read_bytes())).group(1)
        fast = _load_fast(source, 0)
        if "&" in source or "*" in source:  # could be an anchor or alias: read in Python
            assert fast is None, path.name
            continue
        assert fast is not None, path.name
        assert fast[0] == _StrictLoader(source).get_single_data(), path.name
        checked += 1
    assert checked >= 29
    assert _load_fast("a: &x 1\nb: *x\n", 0) is None  # aliases: the Python loader counts them
