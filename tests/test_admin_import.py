"""The admin's import page: upload, a preview that writes nothing, confirm, result."""

import io
import json
import os
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles.admin import batches
from articles.importer import Importer
from articles.ingest import InputFile
from articles.models import Article, Attribution, Author, Category, Entity, Mention, Source
from tests.admin_support import (
    EDITOR,
    PUBLISHER,
    admin_settings,  # noqa: F401 (autouse fixture)
    make_staff,
)

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:articles_article_import")
FOUNDING = "重磅，淘宝将打通微信支付.md"
ALEXA = "Alexa，黑掉你自己：亚马逊Echo可能在背着你搞事.md"
EMPTY = "00后_整顿_说唱圈.md"
THREE = (FOUNDING, ALEXA, EMPTY)


@pytest.fixture
def editor(db):
    return make_staff("editor", EDITOR)


@pytest.fixture
def publisher(db):
    return make_staff("publisher", PUBLISHER)


def md(data_dir: Path, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (data_dir / name).read_bytes(), "text/markdown")


def zipped(data_dir: Path, names=THREE, label="batch.zip", extra=()) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(f"posts/{name}", (data_dir / name).read_bytes())
        for name, data in extra:
            archive.writestr(name, data)
    return SimpleUploadedFile(label, buffer.getvalue(), "application/zip")


def upload(client, *files):
    return client.post(IMPORT, {"files": list(files)})


def preview(client, *files):
    response = upload(client, *files)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page


def confirm(client, page, **data):
    return client.post(page.wsgi_request.path, {"_confirm": "1", **data})


def nothing_written():
    for model in (Article, Attribution, Author, Category, Entity, Mention, Source):
        assert not model.objects.exists(), model


def batch_dirs(settings) -> list[Path]:
    root = Path(settings.NEWSROOM_IMPORT_BATCH_DIR)
    return sorted(root.iterdir()) if root.exists() else []


# Access


def test_import_page_needs_add_and_change_permission(client, db):
    client.force_login(make_staff("viewer", None))
    assert client.get(IMPORT).status_code == 403


def test_import_page_is_linked_from_changelist_and_index(client, editor):
    client.force_login(editor)
    for url in (reverse("admin:index"), reverse("admin:articles_article_changelist")):
        assert IMPORT in client.get(url).content.decode()
    page = client.get(IMPORT)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="file"' in html and "multiple" in html and "上传并预览" in html


# Preview


def test_preview_writes_nothing_and_shows_every_detail(client, publisher, data_dir, settings):
    client.force_login(publisher)
    page = preview(client, md(data_dir, FOUNDING), md(data_dir, ALEXA), md(data_dir, EMPTY))

    nothing_written()
    html = page.content.decode()
    rows = page.context["rows"]
    assert [r["status"] for r in rows] == ["created", "created", "created"]
    assert html.count(">新建</span>") == 3
    founding = rows[0]
    assert founding["parsed"].title == "重磅，淘宝将打通微信支付" and founding["file"] == FOUNDING
    assert "2022-03-28 10:42" in html  # Beijing time
    assert "新媒体 › 36kr › 资讯" in html
    assert "IT之家" in html and "微信公众号" in html and "ithomenews" in html
    assert 'href="https://mp.weixin.qq.com/s/pJu0IogDJMcnCf7sPnB29Q"' in html
    assert "36氪经授权发布" in html
    assert "VickyXiao" in html and "杜晨、光谱" in html  # roles of the Alexa article
    verdicts = {(m["text"], m["verdict"]) for m in founding["mentions"]}
    assert ("腾讯", "linked") in verdicts and ("友帮", "flagged") in verdicts
    assert "链接切断了词语" in html  # a flagged mention's reason
    assert founding["parsed"].images == 4
    for warning in founding["warnings"] + rows[2]["warnings"]:
        assert warning in html
    assert "正文为空" in html
    assert page.context["importable"] == 3
    assert "立即发布" in html
    assert len(batch_dirs(settings)) == 1  # kept server-side for the confirmation


def test_preview_of_a_zip_lists_its_markdown_files_only(client, editor, data_dir):
    client.force_login(editor)
    archive = zipped(data_dir, extra=[("__MACOSX/._x.md", b"junk"), ("notes.txt", b"x")])
    page = preview(client, archive)
    assert [r["file"] for r in page.context["rows"]] == [f"batch.zip:posts/{n}" for n in THREE]
    nothing_written()


def test_preview_reports_update_unchanged_and_conflict(client, editor, data_dir):
    for name in THREE:
        Importer().import_file(InputFile(name, data=(data_dir / name).read_bytes()))
    edited = Article.objects.get(title__startswith="Alexa")
    edited.title = "编辑改过的标题"
    edited.save()
    changed = (data_dir / FOUNDING).read_bytes().replace("不过有点麻烦".encode(), "略麻烦".encode())
    changed_alexa = (data_dir / ALEXA).read_bytes() + "\n<p>补充一段。</p>\n".encode()
    client.force_login(editor)

    page = preview(
        client,
        SimpleUploadedFile(FOUNDING, changed),
        SimpleUploadedFile(ALEXA, changed_alexa),
        md(data_dir, EMPTY),
    )

    statuses = [r["status"] for r in page.context["rows"]]
    assert statuses == ["updated", "conflict", "unchanged"]
    html = page.content.decode()
    assert "被编辑过" in html and ">冲突</span>" in html
    assert reverse("admin:articles_article_change", args=[edited.pk]) in html
    assert page.context["importable"] == 1

    confirm(client, page)
    edited.refresh_from_db()
    assert edited.title == "编辑改过的标题"  # a conflict never overwrites
    assert "略麻烦" in Article.objects.get(title__startswith="重磅").body


def test_preview_shows_editor_verdicts_and_never_link_entities(client, editor, data_dir):
    result = Importer().import_file(InputFile(FOUNDING, data=(data_dir / FOUNDING).read_bytes()))
    article = Article.objects.get(pk=result.article_id)
    flagged = article.mentions.filter(verdict="flagged").first()
    flagged.verdict = "confirmed"
    flagged.save()
    Entity.objects.filter(provider_id="24961").update(is_never_link=True)  # 腾讯
    changed = (data_dir / FOUNDING).read_bytes() + "\n<p>补充。</p>\n".encode()
    client.force_login(editor)

    page = preview(client, SimpleUploadedFile(FOUNDING, changed))

    mentions = {m["text"]: m for m in page.context["rows"][0]["mentions"]}
    assert mentions[flagged.text]["verdict"] == "confirmed"
    assert mentions["腾讯"]["verdict"] == "never"


def test_preview_flags_duplicate_names_in_one_batch(client, editor, data_dir):
    client.force_login(editor)
    page = preview(client, zipped(data_dir, names=(FOUNDING,)), md(data_dir, FOUNDING))
    assert "同名文件" in " ".join(page.context["rows"][1]["warnings"])


# Confirm


def test_confirm_imports_drafts_and_links_every_article(client, editor, data_dir, settings):
    client.force_login(editor)
    page = preview(client, zipped(data_dir))
    assert "立即发布" not in page.content.decode()  # an editor cannot publish

    response = confirm(client, page)

    assert response.status_code == 302
    assert Article.objects.count() == 3
    assert set(Article.objects.values_list("status", flat=True)) == {"draft"}
    assert batch_dirs(settings) == []  # the uploaded bytes are gone
    result = client.get(response["Location"])
    html = result.content.decode()
    assert result.status_code == 200
    for article in Article.objects.all():
        assert reverse("admin:articles_article_change", args=[article.pk]) in html
        assert reverse("articles:preview", args=[article.pk]) in html
    assert html.count(">新建</span>") == 3


def test_confirm_with_publish_immediately(client, publisher, data_dir):
    client.force_login(publisher)
    page = preview(client, zipped(data_dir))
    response = confirm(client, page, publish="on")
    result = client.get(response["Location"])
    published = Article.objects.filter(status="published")
    assert published.count() == 2  # the empty article stays a draft
    assert Article.objects.get(title__contains="说唱圈").status == "draft"
    for article in published:
        assert article.get_absolute_url() in result.content.decode()
        assert client.get(article.get_absolute_url(), secure=True).status_code == 200


def test_editor_cannot_publish_from_the_import_page(client, editor, data_dir, settings):
    client.force_login(editor)
    page = preview(client, zipped(data_dir))
    response = confirm(client, page, publish="on")
    assert response.status_code == 403
    nothing_written()
    assert len(batch_dirs(settings)) == 1  # refused before anything was taken


def test_confirm_imports_exactly_the_previewed_bytes(client, editor, data_dir, settings):
    client.force_login(editor)
    page = preview(client, md(data_dir, FOUNDING))
    (stored,) = batch_dirs(settings)
    data_file = next(p for p in stored.iterdir() if p.suffix == ".bin")
    data_file.write_bytes(data_file.read_bytes() + b"tampered")

    response = confirm(client, page)

    assert response.status_code == 302 and response["Location"] == IMPORT
    nothing_written()


def test_confirm_twice_imports_once(client, editor, data_dir):
    client.force_login(editor)
    page = preview(client, md(data_dir, FOUNDING))
    confirm(client, page)
    again = confirm(client, page)
    assert again.status_code == 302 and again["Location"] == IMPORT
    assert Article.objects.count() == 1
    messages = [str(m) for m in client.get(IMPORT).context["messages"]]
    assert any("已经导入" in m for m in messages)


def test_another_user_cannot_use_my_batch(client, editor, data_dir):
    client.force_login(editor)
    page = preview(client, md(data_dir, FOUNDING))
    url = page.wsgi_request.path
    client.force_login(make_staff("other", EDITOR))
    assert client.get(url)["Location"] == IMPORT
    assert client.post(url, {"_confirm": "1"})["Location"] == IMPORT
    nothing_written()


def test_cancel_deletes_the_batch(client, editor, data_dir, settings):
    client.force_login(editor)
    page = preview(client, md(data_dir, FOUNDING))
    response = client.post(page.wsgi_request.path, {"_cancel": "1"})
    assert response["Location"] == IMPORT
    assert batch_dirs(settings) == []
    nothing_written()


def test_another_user_cannot_cancel_my_batch(client, editor, data_dir, settings):
    client.force_login(editor)
    page = preview(client, md(data_dir, FOUNDING))
    url = page.wsgi_request.path
    other = Client()
    other.force_login(make_staff("other", EDITOR))
    assert other.post(url, {"_cancel": "1"})["Location"] == IMPORT
    assert len(batch_dirs(settings)) == 1  # still there for its owner
    confirm(client, client.get(url))
    assert Article.objects.count() == 1


def test_a_batch_is_claimed_only_by_its_owner(editor, data_dir, settings):
    batch = batches.save_batch(
        [InputFile(FOUNDING, data=(data_dir / FOUNDING).read_bytes())], editor.pk
    )
    assert batches.claim_batch(batch.token, editor.pk + 1) is None
    assert batches.load_batch(batch.token, editor.pk) is not None  # not destroyed by the attempt
    batches.discard_batch(batch.token, editor.pk + 1)
    assert batches.load_batch(batch.token, editor.pk) is not None
    assert batches.claim_batch(batch.token, editor.pk) is not None


def test_expired_batches_are_refused_and_swept(client, editor, data_dir, settings):
    client.force_login(editor)
    page = preview(client, md(data_dir, FOUNDING))
    (stored,) = batch_dirs(settings)
    manifest = json.loads((stored / "manifest.json").read_text())
    manifest["created_at"] -= batches.BATCH_TTL + 1
    (stored / "manifest.json").write_text(json.dumps(manifest))
    assert client.get(page.wsgi_request.path)["Location"] == IMPORT

    old = time.time() - batches.BATCH_TTL - 10
    os.utime(stored, (old, old))
    client.get(IMPORT)  # visiting the page sweeps expired batches
    assert batch_dirs(settings) == []


def test_batches_are_never_kept_in_media(settings, tmp_path):
    settings.NEWSROOM_IMPORT_BATCH_DIR = None
    root = batches.batch_root().resolve()
    assert not root.is_relative_to(Path(settings.MEDIA_ROOT).resolve())


def test_errors_per_file_do_not_stop_the_batch(client, editor, data_dir):
    client.force_login(editor)
    gbk = SimpleUploadedFile("gbk.md", "---\ntitle: 坏文件\n---\n正文".encode("gbk"))
    no_front = SimpleUploadedFile("plain.md", "只是一段文字".encode())
    page = preview(client, gbk, md(data_dir, FOUNDING), no_front)

    rows = page.context["rows"]
    assert [r["status"] for r in rows] == ["failed", "created", "failed"]
    html = page.content.decode()
    assert "UTF-8" in rows[0]["error"] and rows[0]["error"] in html
    assert ">错误</span>" in html

    result = client.get(confirm(client, page)["Location"])
    assert Article.objects.count() == 1
    assert "UTF-8" in result.content.decode()


def test_bad_zip_entries_are_reported_per_file(client, editor, data_dir):
    client.force_login(editor)
    archive = zipped(data_dir, names=(FOUNDING,), extra=[("../escape.md", b"---\ntitle: x\n---\n")])
    page = preview(client, archive)
    errors = {r["file"]: r["error"] for r in page.context["rows"]}
    assert "“..”" in errors["batch.zip:../escape.md"]
    assert page.context["importable"] == 1


# Limits


def test_upload_limits_have_clear_messages(client, editor, data_dir, settings):
    client.force_login(editor)
    settings.NEWSROOM_IMPORT_MAX_UPLOADS = 2
    too_many = upload(client, md(data_dir, FOUNDING), md(data_dir, ALEXA), md(data_dir, EMPTY))
    assert too_many.status_code == 200 and "一次最多上传 2 个文件" in too_many.content.decode()

    settings.NEWSROOM_IMPORT_MAX_UPLOADS = 100
    settings.NEWSROOM_IMPORT_MAX_FILES = 2
    big_zip = upload(client, zipped(data_dir))
    assert "一次最多导入 2 篇文章，这次共有 3 个文件" in big_zip.content.decode()

    wrong = upload(client, SimpleUploadedFile("photo.jpg", b"\xff\xd8"))
    assert "只接受 .md 文件和 .zip 压缩包" in wrong.content.decode()

    empty = upload(client)
    assert "请选择要导入的" in empty.content.decode()

    settings.NEWSROOM_IMPORT_MAX_UPLOAD_BYTES = 10_000
    too_big = upload(client, md(data_dir, FOUNDING), md(data_dir, ALEXA))
    assert too_big.status_code == 200
    assert "上传的文件合计超过 9 KB，已停止接收" in too_big.content.decode()
    nothing_written()


def test_more_files_than_django_accepts_get_a_clear_message(client, editor, data_dir, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    client.force_login(editor)
    response = upload(client, md(data_dir, FOUNDING), md(data_dir, ALEXA), md(data_dir, EMPTY))
    assert response.status_code == 200
    assert "一次最多上传 2 个文件" in response.content.decode()
    nothing_written()


def test_upload_still_needs_a_csrf_token(data_dir, editor):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    response = strict.post(IMPORT, {"files": [md(data_dir, FOUNDING)]})
    assert response.status_code == 403


def test_oversized_single_file_is_a_per_file_error(client, editor, data_dir, settings):
    settings.NEWSROOM_MAX_FILE_BYTES = 1000
    client.force_login(editor)
    page = preview(client, md(data_dir, FOUNDING))
    assert "文件过大" in page.context["rows"][0]["error"]


# The command and the page agree


def test_page_and_command_give_the_same_results(client, editor, data_dir, tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    for name in (*THREE, "10个不常见的技巧，帮助你减轻财务压力.md"):
        (folder / name).write_bytes((data_dir / name).read_bytes())
    (folder / "gbk.md").write_bytes("---\ntitle: 坏\n---\n".encode("gbk"))
    report = tmp_path / "report.jsonl"
    with pytest.raises(SystemExit):
        call_command("import_articles", str(folder), "--dry-run", "--report", str(report))
    expected = {
        Path(line["file"]).name: (line["status"], line["title"], len(line["warnings"]))
        for line in map(json.loads, report.read_text(encoding="utf-8").splitlines())
    }
    client.force_login(editor)
    page = preview(
        client, *(SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(folder.iterdir()))
    )
    seen = {
        r["file"]: (r["status"], r["parsed"].title if r["parsed"] else None, len(r["warnings"]))
        for r in page.context["rows"]
    }
    assert seen == expected


def test_batches_refuse_a_root_others_can_read(settings, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    settings.NEWSROOM_IMPORT_BATCH_DIR = str(shared)
    with pytest.raises(PermissionError):
        batches.save_batch([InputFile("a.md", data=b"x")], user_id=1)
    assert list(shared.iterdir()) == []
