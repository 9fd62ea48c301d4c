"""Zip limits in a real import batch: a large compressible article imports, an archive past
the total is refused by name and reason, and the rest of the batch is reported as usual."""

import io
import time
import zipfile

import pytest
from django.conf import settings

from articles.importer import import_files
from articles.ingest.inputs import collect
from articles.models import Article

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def markdown(title: str, body: str) -> bytes:
    return f"---\ntitle: {title}\ndate: 2022-03-28 10:00:00\n---\n{body}\n".encode()


def write_zip(path, entries: dict[str, bytes]):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_batch_with_a_compressible_article_and_an_oversized_archive(tmp_path):
    paragraph = "这是一段重复的正文内容，用来测试很长但很容易压缩的文章。" * 10 + "\n\n"
    body = paragraph * (1_900_000 // len(paragraph.encode()))
    table = markdown("很长的文章", body)
    assert 1.5 * MB < len(table) <= settings.NEWSROOM_MAX_FILE_BYTES
    first = tmp_path / "first.md"
    first.write_bytes(markdown("第一篇", "正文第一段。"))
    tables = write_zip(tmp_path / "tables.zip", {"table.md": table})
    assert len(table) / tables.stat().st_size > 200  # refused as a bomb before (over 100:1)
    members = {f"part-{n:02}.md": markdown(f"第{n}部分", "字" * 300_000) for n in range(12)}
    huge = write_zip(tmp_path / "huge.zip", members)  # 12 × 900 KB, past the 8 MB given
    last = tmp_path / "last.md"
    last.write_bytes(markdown("最后一篇", "正文最后一段。"))

    started = time.monotonic()
    items = collect(
        [first, tables, huge, last],
        max_bytes=settings.NEWSROOM_MAX_FILE_BYTES,
        max_entries=settings.NEWSROOM_MAX_ZIP_ENTRIES,
        max_total=8 * MB,
    )
    results = list(import_files(items))
    elapsed = time.monotonic() - started

    assert [(r.file, r.status) for r in results] == [
        (str(first), "created"),
        (f"{tables}:table.md", "created"),
        (str(huge), "failed"),
        (str(last), "created"),
    ], [r.error for r in results]
    assert "总大小" in results[2].error and str(8 * MB) in results[2].error
    assert Article.objects.count() == 3
    assert not Article.objects.filter(title__startswith="第0部分").exists()
    assert elapsed < 20
