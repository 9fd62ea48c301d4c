"""Abusive front matter and file names, through the importer and ``manage.py import_articles``.

Every case ends in one of two ways: a clear per-file error (a sentence naming the problem)
and no change at all in the database, or a safe import of odd content where the test says
exactly what was stored. The pure YAML loader has its own table in test_ingest_document.py;
here the whole path is exercised, down to the rows written.
"""

import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from taggit.models import Tag

from articles.importer import CREATED, FAILED, Importer
from articles.ingest import InputFile
from articles.ingest.document import MAX_FRONT_MATTER_CHARS
from articles.models import (
    Article,
    Attribution,
    Author,
    Category,
    Entity,
    Mention,
    Source,
)

pytestmark = pytest.mark.django_db

BODY = "<p>正文第一段，足够长的文字，用来检查导入结果。</p>\n"
MODELS = (Article, Attribution, Author, Category, Entity, Mention, Source, Tag)


def db_state() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def md(front_matter: str, body: str = BODY) -> bytes:
    return f"---\n{front_matter}\n---\n{body}".encode()


def import_one(name: str, data: bytes):
    return Importer(publish=True).import_file(InputFile(name, data=data))


def assert_refused(name: str, data: bytes, *message_parts: str) -> str:
    before = db_state()
    result = import_one(name, data)
    assert result.status == FAILED, (result.status, result.warnings)
    assert result.error and result.file == name
    for part in message_parts:
        assert part in result.error, result.error
    assert db_state() == before, "a refused file changed the database"
    return result.error


# YAML tags


@pytest.mark.parametrize(
    "template",
    [
        'title: !!python/object/apply:os.system ["touch {marker}"]',
        "title: !!python/object/apply:subprocess.check_output [[touch, {marker}]]",
        "title: !!python/object/new:subprocess.Popen [[touch, {marker}]]",
        'title: ok\ntags: [!!python/object/apply:os.system ["touch {marker}"]]',
        'title: ok\nsummary: !!python/object/apply:os.system ["touch {marker}"]',
        "title: !!python/name:os.system",
        "title: !!python/module:os",
        "title: !!python/tuple [a, b]",
        "title: !<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
        "title: !custom x",
    ],
    ids=[
        "apply-os-system",
        "apply-subprocess",
        "new-popen",
        "in-a-list",
        "in-summary",
        "name",
        "module",
        "tuple",
        "verbatim-tag",
        "unknown-tag",
    ],
)
def test_python_tags_are_refused_and_run_nothing(template, tmp_path):
    marker = tmp_path / "pwned"
    error = assert_refused("tag.md", md(template.format(marker=marker)), "YAML 头信息无法解析")
    assert "第" in error  # the line is named
    assert not marker.exists()
    assert not Path("/tmp/pwned").exists()


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        ("title: !!binary aGVsbG8=", "title 应为文本，却是bytes"),
        ("title: ok\ntags: [!!binary aGVsbG8=]", "tags 应为文本，却是bytes"),
        ("title: !!set {a, b}", "title 应为文本，却是set"),
        ("title: !!int x", "无法按其类型标签转换"),
        ("title: !!float x", "无法按其类型标签转换"),
        ("title: !!bool maybe", "无法按其类型标签转换"),
        ("title: !!timestamp x", "无法按其类型标签转换"),
        ("title: ok\ndate: !!timestamp soon", "无法按其类型标签转换"),
    ],
    ids=["binary", "binary-tag", "set", "int", "float", "bool", "timestamp", "date-timestamp"],
)
def test_other_explicit_tags_give_a_clear_error(front_matter, message):
    assert_refused("typed.md", md(front_matter), message)


# Anchors, aliases and size


def _laughs(levels: int, width: int) -> str:
    lines = ["title: lol", "a0: &a0 [lol" + ", lol" * (width - 1) + "]"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append(f"tags: *a{levels}")
    return "\n".join(lines)


@pytest.mark.parametrize(("levels", "width"), [(9, 9), (16, 3), (4, 10)])
def test_alias_bombs_are_refused(levels, width):
    assert_refused("lol.md", md(_laughs(levels, width)), "YAML 头信息")


def test_self_referencing_alias_is_refused():
    assert_refused("loop.md", md("title: t\ntags: &a [*a]"), "循环引用")


def test_a_harmless_alias_is_imported_as_plain_text():
    result = import_one("alias.md", md("title: &t 标题\nsummary: *t\ndate: 2024-01-02 03:04:05"))
    assert result.status == CREATED
    article = Article.objects.get(import_key="alias.md")
    assert (article.title, article.summary) == ("标题", "标题")


def test_huge_front_matter_is_refused():
    summary = "长" * (MAX_FRONT_MATTER_CHARS + 1)
    assert_refused("huge.md", md(f"title: t\nsummary: {summary}"), "YAML 头信息过大")


def test_a_file_over_the_size_limit_is_refused(settings):
    data = md("title: t", "<p>" + "字" * (settings.NEWSROOM_MAX_FILE_BYTES // 3 + 10) + "</p>")
    assert_refused("big.md", data, "文件过大")


def test_long_scalars_are_cut_with_warnings():
    front_matter = "\n".join(
        [
            f"title: {'题' * 5000}",
            f"author: {'作' * 500}",
            f"categories: [{'类' * 500}]",
            "tags: [" + ", ".join(f"标签{n}" for n in range(200)) + "]",
            "date: 2024-01-02 03:04:05",
        ]
    )
    result = import_one("long.md", md(front_matter))
    assert result.status == CREATED
    article = Article.objects.get(import_key="long.md")
    assert article.title == "题" * 300
    assert article.author.name == "作" * 100
    assert article.category.name == "类" * 100
    assert sorted(article.tags.names()) == sorted(f"标签{n}" for n in range(50))
    warnings = " ".join(result.warnings)
    for part in ("标题过长", "作者名超过", "categories 中的", "tags 有 200 项"):
        assert part in warnings


def test_duplicate_keys_are_refused_with_the_line():
    assert_refused(
        "dup.md", md("title: a\ndate: 2024-01-01\ntitle: b"), "键“title”重复出现（第 4 行）"
    )


# Types that are not text


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        ("title: [a, b]", "title 应为文本，却是列表"),
        ("title: {a: 1}", "title 应为文本，却是映射"),
        ("title: 2024-01-01", "title 应为文本，却是date"),
        ("title: ok\ncategories: {x: y}", "categories 应为文本，却是映射"),
        ("title: ok\ntags: [{x: y}]", "tags 应为文本，却是映射"),
        ("title: ok\nauthor: [a]", "author 应为文本，却是列表"),
        ("title: ok\nsummary: {a: 1}", "summary 应为文本，却是映射"),
        ("title: ok\nheadimg: [https://a.example/x.png]", "headimg 应为文本，却是列表"),
        ("title:", "缺少标题"),
        ("title: null", "缺少标题"),
        ("title: '   '", "缺少标题"),
        ("- a\n- b", "键值映射"),
        ("just text", "键值映射"),
        ("? [a, b]\n: value", "键必须是文本"),
    ],
)
def test_values_of_the_wrong_type_are_refused(front_matter, message):
    assert_refused("types.md", md(front_matter), message)


def test_odd_but_harmless_values_are_stored_as_text():
    front_matter = "\n".join(
        [
            "title: true",
            "date: [1]",
            "tags: 123",
            "author: null",
            "comments: {a: 1}",
            "summary: 12.50",
            'categories: [[新媒体, [36kr]], "  ", null]',
        ]
    )
    result = import_one("odd.md", md(front_matter))
    assert result.status == CREATED, result.error
    article = Article.objects.get(import_key="odd.md")
    assert article.title == "True"
    assert article.status == Article.Status.DRAFT and article.published_at is None
    assert any("无法识别的日期格式“['1']”" in w for w in result.warnings)
    assert list(article.tags.names()) == ["123"]
    assert article.author is None
    assert article.is_comments_enabled is False
    assert article.summary == "12.50"
    assert article.category.name_path == ["新媒体", "36kr"]


@pytest.mark.parametrize(
    "date", ["2022-02-30 10:00:00", "2022-13-45", "0000-01-01", "9999-12-31 23:59:59"]
)
def test_impossible_dates_leave_a_draft_with_a_warning(date):
    # YAML reads these as timestamps; one the calendar lacks used to escape as a ValueError
    # and stop the whole batch.
    result = import_one("date.md", md(f"title: 日期\ndate: {date}"))
    assert result.status == CREATED, result.error
    article = Article.objects.get(import_key="date.md")
    assert article.status == Article.Status.DRAFT and article.published_at is None
    assert any("无法识别的日期格式" in w for w in result.warnings)


def test_an_impossible_date_does_not_stop_the_batch(tmp_path):
    (tmp_path / "a.md").write_bytes(md("title: 坏日期\ndate: 2022-02-30 10:00:00"))
    (tmp_path / "b.md").write_bytes(md("title: 好文章\ndate: 2022-02-28 10:00:00"))
    call_command("import_articles", str(tmp_path), "--publish", verbosity=0)
    assert set(Article.objects.values_list("title", "status")) == {
        ("坏日期", "draft"),
        ("好文章", "published"),
    }


def test_control_characters_from_yaml_escapes_are_dropped():
    result = import_one(
        "ctl.md", md('title: "a\\0b\\x1bc\\u0007d"\nauthor: "x\\0y"\ntags: ["t\\x01"]')
    )
    assert result.status == CREATED, result.error
    article = Article.objects.get(import_key="ctl.md")
    assert (article.title, article.author.name, list(article.tags.names())) == (
        "abcd",
        "xy",
        ["t"],
    )


def test_a_nul_byte_in_the_file_is_refused():
    assert_refused("nul.md", md("title: a\x00b"), "NUL")


# File names (zip entries, the command)


def _zip(path: Path, entries: dict[str, bytes], *, symlinks: dict[str, str] | None = None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o120777 << 16  # a symbolic link, as Info-ZIP stores it
            archive.writestr(info, target)
    return path


def _with_nul(path: Path, placeholder: str, real: bytes) -> Path:
    """zipfile cannot write a NUL in a name: patch the bytes (same length) afterwards."""
    data = path.read_bytes()
    assert len(placeholder.encode()) == len(real)
    path.write_bytes(data.replace(placeholder.encode(), real))
    return path


def _run_command(tmp_path, *paths) -> dict[str, dict]:
    report = tmp_path / "report.jsonl"
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import_articles", *map(str, paths), "--publish", "--report", str(report), verbosity=0
        )
    assert exit_.value.code == 1  # some files failed
    lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    return {line["file"]: line for line in lines}


def test_a_zip_of_hostile_names_imports_only_the_good_entry(tmp_path):
    good = md("title: 好文章\ndate: 2024-01-02 03:04:05")
    archive = _zip(
        tmp_path / "names.zip",
        {
            "../evil.md": md("title: 上级目录"),
            "a/../../evil2.md": md("title: 上级目录 2"),
            "/etc/evil3.md": md("title: 绝对路径"),
            "C:/evil4.md": md("title: 盘符"),
            "..\\evil5.md": md("title: 反斜杠"),
            "evilAmd.txt.md": md("title: NUL 名称"),
            "长" * 300 + ".md": md("title: 长文件名"),
            "ok/好文章.md": good,
        },
        symlinks={"link.md": "/etc/passwd"},
    )
    _with_nul(archive, "evilAmd.txt.md", b"evil.md\x00txt.md")
    lines = _run_command(tmp_path, archive)

    label = str(archive)
    expected = {
        f"{label}:../evil.md": "..",
        f"{label}:a/../../evil2.md": "..",
        f"{label}:/etc/evil3.md": "绝对路径",
        f"{label}:C:/evil4.md": "绝对路径",
        f"{label}:..\\evil5.md": "..",
        f"{label}:evil.md\\0txt.md": "NUL",
        f"{label}:{'长' * 300}.md": "文件名过长（303 个字符，上限 255）",
        f"{label}:link.md": "符号链接",
    }
    for name, message in expected.items():
        assert lines[name]["status"] == FAILED, (name, lines.get(name))
        assert message in lines[name]["error"], lines[name]["error"]
    assert lines[f"{label}:ok/好文章.md"]["status"] == CREATED
    assert len(lines) == len(expected) + 1
    assert list(Article.objects.values_list("title", flat=True)) == ["好文章"]
    assert db_state()["Article"] == 1


def test_long_names_that_share_a_prefix_stay_two_articles_or_none(tmp_path):
    # Cut to the 255 characters the database keeps, they would be the same article, and the
    # second would overwrite the first: both are refused instead.
    stem = "名" * 260
    archive = _zip(
        tmp_path / "long.zip",
        {f"{stem}甲.md": md("title: 甲"), f"{stem}乙.md": md("title: 乙")},
    )
    lines = _run_command(tmp_path, archive)
    assert [line["status"] for line in lines.values()] == [FAILED, FAILED]
    assert Article.objects.count() == 0


def test_a_long_but_allowed_name_is_the_article_key(tmp_path):
    name = "名" * 255 + ".md"  # 258 characters: too long
    assert import_one(name, md("title: t")).status == FAILED
    name = "名" * 252 + ".md"  # exactly 255
    result = import_one(name, md("title: t\ndate: 2024-01-02 03:04:05"))
    assert result.status == CREATED
    assert Article.objects.get().import_key == name


def test_hostile_file_names_are_stored_as_text(tmp_path):
    name = '"><img src=x onerror=alert(1)>.md'
    archive = _zip(tmp_path / "x.zip", {name: md("title: 名字\ndate: 2024-01-02 03:04:05")})
    call_command("import_articles", str(archive), "--publish", verbosity=0)
    article = Article.objects.get()
    assert article.import_key == name
    assert article.source_file == f"{archive}:{name}"
