"""parse_article on every shape of the corpus and on hostile files. Pure, no database.

The named files in tests/data are copies from the development corpus; the last tests sweep the
whole corpus when it sits beside the checkout.
"""

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from articles.ingest import parse_article, render_body
from articles.ingest.body import parse_html
from articles.ingest.tree import serialize
from articles.ingest.types import ImportRejected
from tests.test_sanitizer import assert_safe_html

FOUNDING = "重磅，淘宝将打通微信支付.md"
EMPTY = "00后_整顿_说唱圈.md"
NEWSFLASH = '"养老旅游"机构博康艾馨爆雷 涉及资金或超10亿.md'
FUCHSIA = "谷歌低调了 5 年的 Fuchsia OS，终于有望面世了.md"
MANGLED = "1 库克=05薇娅，苹果CEO打不过_带货女王_？.md"
TRANSLATED = "10个不常见的技巧，帮助你减轻财务压力.md"
BYLINE = "Alexa，黑掉你自己：亚马逊Echo可能在背着你搞事.md"
PATH = ["新媒体", "36kr", "资讯"]


def _parse(data_dir: Path, name: str, **options):
    return parse_article(name, (data_dir / name).read_bytes(), **options)


def _hexo(body: str = "<div><p>这是一段足够长的正文内容。</p></div>", **fields) -> bytes:
    fields = {"title": "'标题'", "date": "Mon, 28 Mar 2022 02:42:50 GMT", **fields}
    lines = [f"{key}: {value}" for key, value in fields.items() if value is not None]
    return ("\n---\n" + "\n".join(lines) + "\n---\n\n" + body).encode()


def test_parse_article_reads_the_founding_example(data_dir):
    parsed = _parse(data_dir, FOUNDING)
    assert parsed.title == "重磅，淘宝将打通微信支付"
    assert parsed.published_at == datetime(2022, 3, 28, 2, 42, 50, tzinfo=UTC)
    assert parsed.published_at.tzinfo is not None
    assert parsed.categories == PATH
    assert parsed.author == "36kr"
    assert parsed.comments is False
    header = "https://img.36krcdn.com/20220328/v2_a3a93e16d4744c2e9cbd6634841c7b6d_img_000"
    assert parsed.header_image == header and parsed.thumbnail == header
    assert parsed.header_image_size == (820, 1640)
    assert parsed.images == 4
    assert [m.text for m in parsed.mentions] == [
        "互联互通", "微信", "支付宝", "友帮", "宝商", "淘宝网", "腾讯"
    ]  # fmt: skip
    source = parsed.attribution
    assert (source.outlet, source.channel, source.account_id) == ("IT之家", "wechat", "ithomenews")
    assert source.original_url == "https://mp.weixin.qq.com/s/pJu0IogDJMcnCf7sPnB29Q"
    assert source.roles == {"作者": ["IT之家"]} and source.authorized is True
    assert source.raw_text.startswith("本文来自微信公众号“IT之家”")


def test_parse_article_lifts_the_editor_note_out_of_the_body_but_keeps_raw(data_dir):
    parsed = _parse(data_dir, FOUNDING)
    body = BeautifulSoup(parsed.body, "html.parser")
    assert body.find(class_="editor-note") is None
    assert "本文来自" not in body.get_text() and "36氪经授权发布" not in parsed.body
    assert "36氪经授权发布" in parsed.raw
    assert parsed.raw == (data_dir / FOUNDING).read_text(encoding="utf-8")


def test_parse_article_keeps_entity_anchors_in_the_editable_body(data_dir):
    parsed = _parse(data_dir, FOUNDING)
    anchors = BeautifulSoup(parsed.body, "html.parser").find_all("a", class_="project-link")
    assert [a.get_text() for a in anchors] == [m.text for m in parsed.mentions]
    assert not parsed.body.startswith("<div>")


def test_parse_article_summarises_from_the_first_paragraph(data_dir):
    parsed = _parse(data_dir, FOUNDING)
    assert parsed.summary == (
        "“互联互通”迎来新进展，IT之家 App 的小伙伴发现 淘宝 App 下单后已经可以选择 "
        "微信支付 的付款方式，不过有点麻烦。"
    )


def test_parse_article_imports_an_empty_body_with_a_warning(data_dir):
    parsed = _parse(data_dir, EMPTY)
    assert parsed.body == "" and parsed.summary == "" and parsed.images == 0
    assert any("正文为空" in w for w in parsed.warnings)
    assert parsed.title == "00后“整顿”说唱圈"  # the body quotes the real title


def test_parse_article_drops_a_picsum_header_with_a_warning(data_dir):
    parsed = _parse(data_dir, EMPTY)
    assert parsed.header_image == "" and parsed.thumbnail == ""
    assert parsed.header_image_size is None
    assert any("picsum" in w for w in parsed.warnings)


def test_parse_article_reads_a_newsflash_and_its_trailing_source(data_dir):
    parsed = _parse(data_dir, NEWSFLASH)
    assert parsed.categories == ["新媒体", "36kr", "快讯"]
    assert parsed.attribution.outlet == "华夏时报"
    assert parsed.attribution.channel == "media"
    assert "（华夏时报）" not in parsed.body and parsed.body.startswith("6月10日晚")
    assert parsed.summary.startswith("6月10日晚，北京市公安局大兴分局")


def test_parse_article_flattens_the_malformed_category_list(data_dir):
    parsed = _parse(data_dir, FUCHSIA)
    assert parsed.categories == PATH
    assert parsed.header_image_size == (962, 214)
    assert parsed.attribution.outlet == "CSDN"


@pytest.mark.parametrize(
    ("name", "title", "guessed"),
    [
        (EMPTY, "00后“整顿”说唱圈", False),
        (MANGLED, "1 库克=0.5薇娅，苹果CEO打不过“带货女王”？", True),
    ],
)
def test_parse_article_restores_titles_mangled_by_the_generator(data_dir, name, title, guessed):
    parsed = _parse(data_dir, name)
    assert parsed.title == title
    assert any("标题中的“_”" in w for w in parsed.warnings) is guessed


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("'谷歌 &#123;Fuchsia&#125; 系统'", "谷歌 {Fuchsia} 系统"),
        ("'snake_case_name 发布'", "snake_case_name 发布"),
        ("'最前线 _ 图数据库厂商'", "最前线 | 图数据库厂商"),
        ("'AT&amp;T 与 &lt;b&gt;'", "AT&T 与 <b>"),
        ("yes", "yes"),
        ("3.10", "3.10"),
        ("'  带空格  '", "带空格"),
    ],
)
def test_parse_article_cleans_titles(title, expected):
    assert parse_article("t.md", _hexo(title=title)).title == expected


def test_parse_article_reads_translation_and_byline_credits(data_dir):
    translated = _parse(data_dir, TRANSLATED).attribution
    assert (translated.outlet, translated.roles["译者"]) == ("Medium", ["TeresaChen"])
    byline = _parse(data_dir, BYLINE).attribution
    assert byline.roles["编辑"] == ["VickyXiao"] and byline.account_id == "guixingren123"


def test_parse_article_reads_a_markdown_file(data_dir):
    parsed = _parse(data_dir, "sample_markdown.md")
    assert parsed.title == "用 Markdown 写的文章 {草稿}"
    assert parsed.published_at == datetime(2022, 3, 28, 2, 42, 50, tzinfo=UTC)
    assert parsed.tags == ["开源", "Markdown"]
    assert parsed.categories == ["技术", "工具"]
    assert parsed.comments is True and parsed.author == "编辑部"
    assert parsed.images == 1
    assert '<div class="raw">' in parsed.body and "<strong>加粗</strong>" in parsed.body
    assert parsed.summary.startswith("这是第一段正文，包含加粗")
    html = render_body(parsed.body, [])
    assert "<h2>一级标题会变成二级</h2>" in html and "a &lt; b &amp;&amp; c &gt; d" in html
    assert_safe_html(html)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"title": None}, "缺少标题", id="missing"),
        pytest.param({"title": "''"}, "缺少标题", id="empty"),
        pytest.param({"title": "~"}, "缺少标题", id="null"),
        pytest.param({"title": "[a, b]"}, "title 应为文本，却是列表", id="list"),
        pytest.param({"title": "{a: b}"}, "title 应为文本，却是映射", id="dict"),
        pytest.param({"author": "[a]"}, "author", id="author-list"),
        pytest.param({"summary": "{a: b}"}, "summary", id="summary-dict"),
        pytest.param({"tags": "{a: b}"}, "tags", id="tags-dict"),
    ],
)
def test_parse_article_refuses_unusable_front_matter(fields, message):
    with pytest.raises(ImportRejected, match=message):
        parse_article("x.md", _hexo(**fields))


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ("科技", ["科技"]),
        ("[科技, 互联网]", ["科技", "互联网"]),
        ("\n  - 科技\n  - 互联网", ["科技", "互联网"]),
        ("[科技, 科技, '']", ["科技"]),
        ("[[嵌套], 列表]", ["嵌套", "列表"]),
        ("2022", ["2022"]),
        ("", []),
    ],
)
def test_parse_article_reads_tags_as_string_or_list(tags, expected):
    assert parse_article("x.md", _hexo(tags=tags)).tags == expected


def test_parse_article_caps_long_and_numerous_names():
    tags = "[" + ", ".join(f"t{n}" for n in range(60)) + ", " + "长" * 150 + "]"
    parsed = parse_article("x.md", _hexo(tags=tags, author="作" * 150))
    assert len(parsed.tags) == 50 and parsed.tags[0] == "t0"
    assert len(parsed.author) == 100
    assert sum("截断" in w or "只保留" in w for w in parsed.warnings) == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("false", False), (None, False), ("yes", False), ("'true'", True)],
)
def test_parse_article_reads_the_comments_flag(value, expected):
    assert parse_article("x.md", _hexo(comments=value)).comments is expected


@pytest.mark.parametrize(
    ("date", "warned"),
    [
        ("Mon, 28 Mar 2022 02:42:50 GMT", False),
        ("2022-03-28 10:42:50", False),
        ("Invalid Date", True),
        (None, True),
        ("[2022]", True),
    ],
)
def test_parse_article_warns_about_dates_it_cannot_read(date, warned):
    parsed = parse_article("x.md", _hexo(date=date))
    assert (parsed.published_at is None) is warned
    assert any("日期" in w for w in parsed.warnings) is warned


def test_parse_article_takes_the_summary_from_front_matter_when_given():
    parsed = parse_article("x.md", _hexo(summary="'前言 &amp; 摘要'"))
    assert parsed.summary == "前言 & 摘要"


def test_parse_article_refuses_a_file_over_max_bytes():
    data = _hexo()
    with pytest.raises(ImportRejected, match=f"上限 {len(data) - 1} 字节"):
        parse_article("x.md", data, max_bytes=len(data) - 1)
    assert parse_article("x.md", data, max_bytes=len(data)).title == "标题"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("headimg", "javascript:alert(1)"),
        ("headimg", "data:image/png;base64,AA"),
        ("thumbnail", "/x"),
    ],
)
def test_parse_article_ignores_header_images_that_are_not_http(field, value):
    parsed = parse_article("x.md", _hexo(**{field: f"'{value}'"}))
    assert value not in (parsed.header_image, parsed.thumbnail)
    assert any(field in w for w in parsed.warnings)


def test_parse_article_refuses_a_front_matter_alias_bomb_fast():
    # Only 27 aliases, but 3^10 values once expanded; read as tags and printed as a date.
    levels = "".join(f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}, *a{n - 1}]\n" for n in range(1, 10))
    front = f"title: 标题\na0: &a0 [lol, lol, lol]\n{levels}tags: *a9\ndate: *a9\n"
    started = time.perf_counter()
    with pytest.raises(ImportRejected, match="值过多"):
        parse_article("bomb.md", f"\n---\n{front}---\n<div><p>正文</p></div>".encode())
    assert time.perf_counter() - started < 1


def test_parse_article_hashes_the_bytes(data_dir):
    data = (data_dir / FOUNDING).read_bytes()
    assert parse_article("a.md", data).content_hash == parse_article("b.md", data).content_hash
    assert (
        parse_article("a.md", data + b"\n").content_hash != parse_article("a.md", data).content_hash
    )


def test_parse_article_accepts_crlf_and_bom_copies_of_a_file(data_dir):
    data = (data_dir / FOUNDING).read_bytes()
    variant = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    original, copy = parse_article("a.md", data), parse_article("a.md", variant)
    assert (copy.title, copy.body, copy.published_at) == (
        original.title,
        original.body,
        original.published_at,
    )


# --- the whole corpus -------------------------------------------------------------------


def _corpus(corpus_dir: Path) -> list[Path]:
    files = sorted(corpus_dir.glob("*.md"))
    assert len(files) >= 29
    return files


def test_parse_article_reads_every_corpus_file(corpus_dir):
    for path in _corpus(corpus_dir):
        parsed = parse_article(path.name, path.read_bytes())
        assert parsed.title and "&#123;" not in parsed.title, path.name
        assert parsed.categories[:2] == ["新媒体", "36kr"], path.name
        assert parsed.author == "36kr", path.name
        assert parsed.body or any("正文为空" in w for w in parsed.warnings), path.name
        assert not parsed.header_image.startswith("https://picsum"), path.name


def test_render_body_of_every_corpus_file_is_safe_and_tidy(corpus_dir):
    for path in _corpus(corpus_dir):
        parsed = parse_article(path.name, path.read_bytes())
        sized = [
            img.get("src")
            for img in parse_html(parsed.body).iter("img")
            if (img.get("data-img-size-val") or "").strip()
        ]
        links = [f"/entities/{m.data_id}/" for m in parsed.mentions]
        html = render_body(parsed.body, links)
        assert_safe_html(html)
        images = BeautifulSoup(html, "html.parser").find_all("img")
        assert len(images) == parsed.images, path.name
        for img in images:
            assert img["loading"] == "lazy" and img["referrerpolicy"] == "no-referrer", path.name
            if img["src"] in sized:
                assert img["width"].isdigit() and img["height"].isdigit(), path.name
        assert "\u200b" not in html and "<h1" not in html, path.name


def test_parse_article_is_fast_on_the_corpus(corpus_dir):
    files = [(p.name, p.read_bytes()) for p in _corpus(corpus_dir)]
    for name, data in files:  # warm up: jieba loads its dictionary once
        parse_article(name, data)
    started = time.perf_counter()
    for name, data in files:
        parse_article(name, data)
    per_file = (time.perf_counter() - started) / len(files)
    # About 4 ms here; the bound leaves room for a busy CI machine.
    assert per_file < 0.05, f"{per_file * 1000:.1f} ms per file"


def _every_link(mentions):
    return [f"/entities/{m.data_id}/" if i % 2 == 0 else None for i, m in enumerate(mentions)]


def _corpus_and_hostile_files(corpus_dir: Path):
    from tests.xss_vectors import VECTORS, hostile_date_file, hostile_file

    files = [(p.name, p.read_bytes()) for p in _corpus(corpus_dir)]
    for i in range(len(VECTORS)):
        files += [hostile_file(i), hostile_date_file(i)]
    return files


def test_parse_article_renders_from_its_parse_what_the_stored_body_renders_to(corpus_dir):
    """One parse per article on import: what it renders must be what a re-render of the
    stored body gives (``rerender_articles``, an editor's save), for real and hostile files."""
    checked = 0
    for name, data in _corpus_and_hostile_files(corpus_dir):
        try:
            parsed = parse_article(name, data, links=_every_link)
        except ImportRejected:
            continue
        if not parsed.body:
            assert parsed.body_html is None
            continue
        assert parsed.rendered_links == _every_link(parsed.mentions)
        assert parsed.body_html == render_body(parsed.body, parsed.rendered_links), name
        # The stored body reads back as the same tree.
        assert serialize(parse_html(parsed.body), inner=True) == parsed.body, name
        checked += 1
    assert checked >= 150
