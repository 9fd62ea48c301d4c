"""Collecting import files from paths, directories and zip archives. No database."""

import io
import stat
import zipfile

import pytest

from articles.ingest.inputs import InputFile, collect, read_zip

MB = 1024 * 1024
DOC = "---\ntitle: 标题\n---\n<p>正文</p>\n".encode()


def _zip(entries: dict[str, bytes], **options) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data, **options)
    return buffer.getvalue()


def _read(data: bytes, **limits) -> list[InputFile]:
    options = {"max_bytes": 2 * MB, "max_entries": 100, **limits}
    return list(read_zip(io.BytesIO(data), "upload.zip", **options))


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("重磅，淘宝将打通微信支付.md", "重磅，淘宝将打通微信支付.md"),
        ("/srv/import/2022/a.md", "a.md"),
        ("C:\\Users\\me\\a.md", "a.md"),
        ("upload.zip:a.md", "a.md"),
        ("/tmp/x/Batch.ZIP:dir/sub/b.md", "b.md"),
        ("upload.zip:dir\\c.md", "c.md"),
        ("/data/Re: 标题.md", "Re: 标题.md"),
        ("upload.zip:时间 10:30.md", "时间 10:30.md"),
    ],
)
def test_input_file_key_is_the_files_own_name(name, key):
    assert InputFile(name, data=b"").key == key


def test_read_zip_yields_markdown_entries_in_order():
    data = _zip({"a.md": DOC, "dir/b.markdown": DOC, "c.txt": b"x", "img.png": b"\x89PNG"})
    items = _read(data)
    assert [(i.name, i.data, i.error) for i in items] == [
        ("upload.zip:a.md", DOC, None),
        ("upload.zip:dir/b.markdown", DOC, None),
    ]


def test_read_zip_skips_directories_and_macos_metadata():
    data = _zip({"dir/": b"", "__MACOSX/._a.md": b"\x00\x05", "a.md": DOC})
    assert [i.name for i in _read(data)] == ["upload.zip:a.md"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("../evil.md", ".."),
        ("dir/../../evil.md", ".."),
        ("/etc/evil.md", "绝对路径"),
        ("\\windows\\evil.md", "绝对路径"),
        ("C:/evil.md", "绝对路径"),
    ],
)
def test_read_zip_refuses_entries_that_escape_and_goes_on(entry, message):
    items = _read(_zip({"good.md": DOC, entry: DOC, "later.md": DOC}))
    assert [(i.name, i.error is None) for i in items] == [
        ("upload.zip:good.md", True),
        (f"upload.zip:{entry}", False),
        ("upload.zip:later.md", True),
    ]
    assert message in items[1].error and items[1].data is None


def test_read_zip_refuses_symlink_entries():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("link.md")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr("a.md", DOC)
    items = _read(buffer.getvalue())
    assert "符号链接" in items[0].error and items[0].data is None
    assert items[1].data == DOC


def repetitive_markdown(size: int) -> bytes:
    """A real, very compressible article: the same table row over and over."""
    head = "---\ntitle: 一张很长的表格\n---\n| 日期 | 公司 | 金额 |\n| --- | --- | --- |\n".encode()
    row = "| 2022-03-28 | 某某科技有限公司 | 1000 万元 |\n".encode()
    return (head + row * (size // len(row)))[:size]


def garbled(data: bytes) -> bytes:
    """``data`` with every entry's compressed bytes garbled: inflating any of them fails, so
    a refusal that names a limit instead proves nothing was inflated."""
    data = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        infos = archive.infolist()
    for info in infos:
        name_length = int.from_bytes(
            data[info.header_offset + 26 : info.header_offset + 28], "little"
        )
        extra_length = int.from_bytes(
            data[info.header_offset + 28 : info.header_offset + 30], "little"
        )
        start = info.header_offset + 30 + name_length + extra_length
        data[start : start + 16] = b"\xff" * 16
    return bytes(data)


def test_read_zip_accepts_a_large_very_compressible_markdown():
    # Refused before as a bomb (ratio over 100:1); a 2 MB table compresses several hundred times.
    article = repetitive_markdown(2_000_000)
    data = _zip({"table.md": article, "a.md": DOC})
    assert len(article) / len(data) > 300
    items = _read(data, max_bytes=2 * MB)
    assert [(i.name, i.error) for i in items] == [
        ("upload.zip:table.md", None),
        ("upload.zip:a.md", None),
    ]
    assert items[0].data == article


def test_read_zip_refuses_an_entry_declared_over_the_size_limit_without_inflating_it():
    data = garbled(_zip({"bomb.md": b"\0" * (8 * MB)}))
    items = _read(data, max_bytes=2 * MB)
    assert items[0].data is None
    assert "文件过大" in items[0].error and str(8 * MB) in items[0].error
    assert str(2 * MB) in items[0].error


def test_read_zip_refuses_an_archive_expanding_past_the_total_without_inflating_it():
    members = {f"part-{n:02}.md": b"\0" * MB for n in range(20)}  # 20 MB from about 20 KB
    data = garbled(_zip(members))
    assert len(data) < 100_000
    items = _read(data, max_bytes=2 * MB, max_total=10 * MB)
    assert [i.name for i in items] == ["upload.zip"]
    assert items[0].data is None
    assert "总大小" in items[0].error and str(20 * MB) in items[0].error
    assert str(10 * MB) in items[0].error
    inflated = _read(data, max_bytes=2 * MB, max_total=20 * MB)  # the garbling does bite
    assert len(inflated) == 20 and all("无法解压" in i.error for i in inflated)


def test_read_zip_total_counts_only_the_markdown_it_would_read():
    data = _zip({"a.md": DOC, "cover.png": b"\0" * (4 * MB)})
    assert [i.data for i in _read(data, max_total=MB)] == [DOC]


def test_read_zip_catches_members_that_understate_their_size_while_reading():
    # Each member claims 10 bytes in the central directory, so the declared total passes;
    # reading stops at what was declared and the CRC check refuses what came out.
    members = {f"part-{n}.md": DOC * 20_000 for n in range(3)}
    data = bytearray(_zip({**members, "ok.md": DOC}))
    offset = 0
    for _ in members:
        offset = data.index(b"PK\x01\x02", offset) + 4
        data[offset + 20 : offset + 24] = (10).to_bytes(4, "little")
    items = _read(bytes(data), max_bytes=2 * MB, max_total=MB)
    assert [i.name for i in items] == [*(f"upload.zip:{n}" for n in members), "upload.zip:ok.md"]
    for item in items[:3]:
        assert item.data is None and "无法解压" in item.error
    assert items[3].data == DOC


def test_read_zip_refuses_an_entry_over_the_size_limit():
    items = _read(_zip({"big.md": DOC * 10}), max_bytes=len(DOC) * 5)
    assert "文件过大" in items[0].error


def test_read_zip_does_not_trust_the_size_in_the_header():
    data = bytearray(_zip({"a.md": DOC * 1000}, compress_type=zipfile.ZIP_STORED))
    # Shrink the declared size in the central directory: reading must still stop at the limit.
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    items = _read(bytes(data), max_bytes=len(DOC) * 10)
    assert items[0].data is None and items[0].error


def test_read_zip_refuses_too_many_entries():
    items = _read(_zip({f"{n}.md": DOC for n in range(11)}), max_entries=10)
    assert len(items) == 1 and "条目过多" in items[0].error


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"not a zip at all", id="garbage"),
        pytest.param(b"", id="empty"),
        pytest.param(b"PK\x03\x04" + b"\0" * 100, id="truncated"),
    ],
)
def test_read_zip_reports_a_corrupt_archive(data):
    items = _read(data)
    assert [(i.name, i.data) for i in items] == [("upload.zip", None)]
    assert "zip" in items[0].error


def test_read_zip_reports_a_corrupt_entry_and_goes_on():
    data = bytearray(_zip({"a.md": DOC * 50, "b.md": DOC}))
    start = data.index(b"a.md") + 4  # the first entry's compressed bytes
    data[start : start + 20] = b"\xff" * 20
    items = _read(bytes(data))
    assert items[0].data is None and "无法解压" in items[0].error
    assert items[1].data == DOC


@pytest.mark.parametrize(
    ("raw_name", "expected"),
    [
        pytest.param("新闻.md".encode("gbk"), "新闻.md", id="gbk"),
        pytest.param("新闻.md".encode(), "新闻.md", id="utf-8-without-flag"),
    ],
)
def test_read_zip_decodes_entry_names_written_without_the_utf8_flag(raw_name, expected):
    # zipfile sets the UTF-8 flag for any non-ASCII name: write an ASCII one, swap the bytes.
    placeholder = ("n" * (len(raw_name) - 3) + ".md").encode()
    data = _zip({placeholder.decode(): DOC}, compress_type=zipfile.ZIP_STORED)
    data = data.replace(placeholder, raw_name)
    assert [i.name for i in _read(data)] == [f"upload.zip:{expected}"]


def test_collect_recurses_into_directories_for_markdown_only(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.md").write_bytes(DOC)
    (tmp_path / "sub" / "b.MD").write_bytes(DOC)
    (tmp_path / "sub" / "deeper" / "c.markdown").write_bytes(DOC)
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "archive.zip").write_bytes(_zip({"z.md": DOC}))
    (tmp_path / "dir.md").mkdir()
    items = list(collect([tmp_path], max_bytes=MB))
    assert [i.key for i in items] == ["a.md", "b.MD", "c.markdown"]
    assert all(i.data == DOC and i.error is None for i in items)


def test_collect_reads_a_zip_given_directly(tmp_path):
    archive = tmp_path / "batch.zip"
    archive.write_bytes(_zip({"a.md": DOC, "../b.md": DOC}))
    items = list(collect([archive], max_bytes=MB))
    assert [(i.key, i.error is None) for i in items] == [("a.md", True), ("b.md", False)]


def test_collect_reports_missing_and_unsupported_paths_and_goes_on(tmp_path):
    (tmp_path / "a.md").write_bytes(DOC)
    (tmp_path / "doc.txt").write_text("x")
    paths = [tmp_path / "missing.md", tmp_path / "doc.txt", tmp_path / "a.md"]
    items = list(collect(paths, max_bytes=MB))
    assert "不存在" in items[0].error
    assert "不支持" in items[1].error
    assert items[2].data == DOC


def test_collect_refuses_an_oversized_file(tmp_path):
    (tmp_path / "big.md").write_bytes(DOC * 100)
    (item,) = collect([tmp_path / "big.md"], max_bytes=len(DOC))
    assert item.data is None and "文件过大" in item.error


def test_collect_reads_lazily(tmp_path):
    for n in range(3):
        (tmp_path / f"{n}.md").write_bytes(DOC)
    items = collect([tmp_path], max_bytes=MB)
    first = next(items)
    (tmp_path / "2.md").unlink()
    assert first.key == "0.md"
    assert [i.key for i in items] == ["1.md"]
