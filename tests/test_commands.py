import json
import shutil

import pytest
from django.core.management import call_command

from articles.importer import fingerprint
from articles.models import Article, Entity

pytestmark = pytest.mark.django_db

FOUNDING = "重磅，淘宝将打通微信支付.md"


def test_import_articles_prints_summary_and_writes_jsonl_report(data_dir, tmp_path, capsys):
    for name in (FOUNDING, "00后_整顿_说唱圈.md"):
        shutil.copy(data_dir / name, tmp_path / name)
    (tmp_path / "broken.md").write_bytes("---\ntitle: 坏\n---\n".encode("gbk"))
    report = tmp_path / "report.jsonl"

    with pytest.raises(SystemExit) as exit_info:
        call_command("import_articles", str(tmp_path), "--publish", "--report", str(report))

    assert exit_info.value.code == 1  # a failed file makes the batch exit non-zero
    out = capsys.readouterr()
    assert "created         2" in out.out
    assert "failed          1" in out.out
    assert "broken.md" in out.err and "UTF-8" in out.err
    lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert {line["status"] for line in lines} == {"created", "failed"}
    founding = next(line for line in lines if line["file"].endswith(FOUNDING))
    assert founding["source"]["account_id"] == "ithomenews"
    assert founding["published_at"] == "2022-03-28T02:42:50+00:00"
    assert Article.objects.filter(status="published").count() == 1


def test_import_articles_dry_run_writes_nothing(data_dir, capsys):
    call_command("import_articles", str(data_dir / FOUNDING), "--dry-run")

    assert "created         1" in capsys.readouterr().out
    assert Article.objects.count() == 0


def test_import_articles_second_run_reports_unchanged(data_dir, capsys):
    call_command("import_articles", str(data_dir / FOUNDING))
    capsys.readouterr()
    call_command("import_articles", str(data_dir / FOUNDING))
    assert "unchanged       1" in capsys.readouterr().out


def test_rerender_articles_applies_never_link(data_dir):
    call_command("import_articles", str(data_dir / FOUNDING))
    tencent = Entity.objects.get(provider_id="24961")
    article = Article.objects.get()
    assert tencent.get_absolute_url() in article.body_html
    tencent.is_never_link = True
    tencent.save()

    call_command("rerender_articles")

    article.refresh_from_db()
    assert tencent.get_absolute_url() not in article.body_html
    assert "腾讯" in article.body_html


def test_rerender_articles_reparse_rebuilds_unedited_body_from_raw(data_dir):
    # As if an older importer had produced a poorer body: no editor touched it.
    call_command("import_articles", str(data_dir / FOUNDING))
    article = Article.objects.get()
    article.body, article.body_html = "<p>旧规则</p>", ""
    article.import_fingerprint = fingerprint(article)
    article.save()

    call_command("rerender_articles", "--reparse")

    article.refresh_from_db()
    assert "旧规则" not in article.body
    assert "淘宝" in article.body_html and "<figure>" in article.body_html


def test_rerender_articles_reparse_keeps_editor_body(data_dir):
    call_command("import_articles", str(data_dir / FOUNDING))
    article = Article.objects.get()
    article.body = "<p>编辑重写的正文</p>"
    article.save()

    call_command("rerender_articles", "--reparse")

    article.refresh_from_db()
    assert article.body == "<p>编辑重写的正文</p>"
    assert article.body_html == "<p>编辑重写的正文</p>"


def test_makemigrations_has_nothing_to_do():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
